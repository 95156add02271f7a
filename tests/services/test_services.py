"""The use cases end to end, through ``Services.open`` on a file database and a fixed clock."""

from __future__ import annotations

import io
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from monitor_app.clock import FixedClock
from monitor_app.domain.models import Escort, Phase, ValidationError
from monitor_app.reports.pdf_text import local
from monitor_app.services import AuthError, DischargeRefused, NotAllowed, Services
from monitor_app.services.context import local_zone
from tests.helpers.world import (
    ADMIN_PIN,
    ESCORT,
    MD_PIN,
    NURSE_PIN,
    T0,
    World,
    answer_everything,
    count_rows,
    good,
    open_iv,
    precheck,
    to_ready,
    to_recovery,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


def _signed(w: World) -> int:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    return e.id


# ---------------------------------------------------------------- setup and PINs
def test_setup_clinic_asks_for_a_pin_and_runs_once(tmp_path: Path) -> None:
    s = Services.open(tmp_path / "c.db", clock=FixedClock(T0))
    assert s.needs_setup()
    with pytest.raises(ValidationError) as empty:
        s.setup_clinic("Clinic", "Ada", "RN", "", "")
    assert empty.value.field == "pin"
    with pytest.raises(ValidationError) as differ:
        s.setup_clinic("Clinic", "Ada", "RN", "123456", "654321")
    assert differ.value.field == "pin_again"
    admin = s.setup_clinic("Clinic", "Ada", "RN", "987654", "987654")
    assert s.authenticate(admin.id, "987654").id == admin.id
    with pytest.raises(NotAllowed):
        s.setup_clinic("Other", "Eve", "RN", "111111", "111111")
    assert [m.name for m in s.staff()] == ["Ada"]
    s.close()


def test_wrong_pin_counts_down_then_locks_until_the_admin_unlocks(w: World) -> None:
    with pytest.raises(AuthError, match=r"4 tries left"):
        w.s.authenticate(w.nurse.id, "000000")
    for _ in range(3):
        with pytest.raises(AuthError):
            w.s.authenticate(w.nurse.id, "000000")
    with pytest.raises(AuthError, match="now locked"):
        w.s.authenticate(w.nurse.id, "000000")
    with pytest.raises(AuthError, match="locked"):  # even the right PIN
        w.s.authenticate(w.nurse.id, NURSE_PIN)
    with pytest.raises(NotAllowed):  # a nurse cannot unlock
        w.s.unlock_staff(w.nurse.id, w.nurse.id)
    w.s.unlock_staff(w.admin.id, w.nurse.id)
    assert w.s.authenticate(w.nurse.id, NURSE_PIN).failed_attempts == 0
    assert w.s.verify() == []


# ---------------------------------------------------------------- episodes
def test_open_episode_needs_the_escort_phone(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        w.s.open_episode(w.nurse.id, w.patient_ids[0], "ketamine-iv", "1", 70, 35,
                         Escort("Sam", "partner", "  "), precheck(w.s))
    assert exc.value.field == "escort_phone"
    assert w.s.episodes() == []


def test_open_episode_refuses_a_taken_chair(w: World) -> None:
    first = open_iv(w, chair="4", patient=0)
    with pytest.raises(ValidationError) as exc:
        open_iv(w, chair="4", patient=1)
    assert exc.value.field == "chair"
    assert first.number in str(exc.value)
    assert [e.id for e in w.s.episodes()] == [first.id]


# ---------------------------------------------------------------- observations
@pytest.mark.parametrize(("raw", "field"), [
    (good(hr="400"), "hr"),
    (good(bp="80/120"), "bp"),
    (good(spo2="101"), "spo2"),
    (good(rr="abc"), "rr"),
    (good(temp="50.0"), "temp"),
])
def test_impossible_values_are_refused_and_nothing_is_stored(w: World, raw, field) -> None:
    e = open_iv(w)
    before = count_rows(w.path, "observations"), count_rows(w.path, "audit")
    with pytest.raises(ValidationError) as exc:
        w.s.record_observation(w.nurse.id, e.id, raw)
    assert exc.value.field == field
    assert (count_rows(w.path, "observations"), count_rows(w.path, "audit")) == before


def test_abnormal_values_are_kept_with_alerts(w: World) -> None:
    e = open_iv(w)
    row = w.s.record_observation(w.nurse.id, e.id, good(hr="130", spo2="89"))
    assert row.observation.vitals.hr == 130
    assert {a.field for a in row.alerts} >= {"hr", "spo2"}
    assert count_rows(w.path, "observations") == 1


def test_partial_observation_needs_a_reason(w: World) -> None:
    e = open_iv(w)
    with pytest.raises(ValidationError) as exc:
        w.s.record_observation(w.nurse.id, e.id, good(bp=""))
    assert exc.value.field == "missing_reason"
    assert count_rows(w.path, "observations") == 0
    row = w.s.record_observation(w.nurse.id, e.id, good(bp="", missing_reason="refused cuff"))
    assert row.observation.vitals.sbp is None
    assert row.observation.vitals.missing_reason == "refused cuff"


def test_correction_voids_the_old_row_and_links_the_new_one(w: World) -> None:
    e = open_iv(w)
    old = w.s.record_observation(w.nurse.id, e.id, good(hr="77")).observation
    w.clock.advance(minutes=3)
    with pytest.raises(ValidationError) as exc:
        w.s.correct_observation(w.nurse.id, old.id, "  ", good(hr="67"))
    assert exc.value.field == "void_reason"
    new = w.s.correct_observation(w.nurse.id, old.id, "typo", good(hr="67")).observation
    assert new.supersedes == old.id and new.taken_at == old.taken_at
    rows = {r.observation.id: r.observation for r in w.s.episode_view(e.id).rows}
    assert rows[old.id].voided and rows[old.id].void_reason == "typo"
    assert rows[old.id].vitals.hr == 77  # the old value is kept, never overwritten
    assert not rows[new.id].voided and rows[new.id].vitals.hr == 67
    with pytest.raises(NotAllowed):
        w.s.correct_observation(w.nurse.id, old.id, "again", good())
    assert w.s.verify() == []


# ---------------------------------------------------------------- phases
def test_dosing_needs_a_baseline(w: World) -> None:
    e = open_iv(w)
    with pytest.raises(NotAllowed) as exc:
        w.s.start_dosing(w.nurse.id, e.id)
    assert exc.value.field == "start_dosing"
    assert w.s.episode(e.id).phase == Phase.PRECHECK


def test_high_baseline_needs_a_prescriber_before_dosing(w: World) -> None:
    e = open_iv(w)
    w.s.record_observation(w.nurse.id, e.id, good(bp="150/95"))
    with pytest.raises(NotAllowed, match="prescriber"):
        w.s.start_dosing(w.nurse.id, e.id)
    with pytest.raises(NotAllowed):  # a nurse cannot acknowledge
        w.s.acknowledge_predose(w.nurse.id, NURSE_PIN, e.id)
    with pytest.raises(AuthError):
        w.s.acknowledge_predose(w.md.id, "000000", e.id)
    w.s.acknowledge_predose(w.md.id, MD_PIN, e.id)
    started = w.s.start_dosing(w.nurse.id, e.id)
    assert started.phase == Phase.DOSING and started.dosing_start == w.clock.now()
    w.clock.advance(minutes=40)
    ended = w.s.end_dosing(w.nurse.id, e.id)
    assert ended.phase == Phase.RECOVERY and ended.dosing_end == w.clock.now()


def test_recovery_becomes_ready_by_itself_when_criteria_are_met(w: World) -> None:
    e = open_iv(w)
    to_recovery(w, e.id)
    w.clock.advance(minutes=15)
    w.s.record_observation(w.nurse.id, e.id, good())
    assert w.s.episode(e.id).phase == Phase.RECOVERY  # 15 min: too soon
    w.clock.advance(minutes=16)
    w.s.record_observation(w.nurse.id, e.id, good())
    assert w.s.episode(e.id).phase == Phase.READY
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good(spo2="90"))
    assert w.s.episode(e.id).phase == Phase.RECOVERY  # and back when a value worsens


# ---------------------------------------------------------------- discharge
def test_full_iv_discharge_signs_and_locks(w: World) -> None:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    assert w.s.discharge_view(e.id).can_sign
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert result.archive_problem == "" and result.archived_to.is_file()
    view = w.s.episode_view(e.id)
    assert view.signed and view.episode.phase == Phase.DISCHARGED
    with pytest.raises(NotAllowed, match="signed"):
        w.s.record_observation(w.nurse.id, e.id, good())
    conn = sqlite3.connect(str(w.path))
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("UPDATE observations SET hr = 99 WHERE episode_id = ?", (e.id,))
    conn.close()
    assert w.s.verify() == []


def test_signing_refuses_a_wrong_pin(w: World) -> None:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    with pytest.raises(AuthError):
        w.s.sign_discharge(w.nurse.id, "000000", e.id)
    assert not w.s.episode_view(e.id).signed


def test_signing_lists_each_unmet_criterion_and_an_override_unblocks(w: World) -> None:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good(hr="118"))
    with pytest.raises(DischargeRefused) as exc:
        w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert any("Heart rate" in r or "heart rate" in r for r in exc.value.reasons), \
        exc.value.reasons
    with pytest.raises(ValidationError):  # a reason is required
        w.s.add_override(w.nurse.id, e.id, "heart_rate", "", w.md.id, MD_PIN)
    with pytest.raises(ValidationError):  # and a prescriber
        w.s.add_override(w.nurse.id, e.id, "heart_rate", "usual resting rate", w.nurse.id,
                         NURSE_PIN)
    w.s.add_override(w.nurse.id, e.id, "heart_rate", "usual resting rate for this patient",
                     w.md.id, MD_PIN)
    assert w.s.discharge_view(e.id).can_sign
    w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert w.s.verify() == []


def test_rems_discharge_needs_the_required_form_fields(w: World) -> None:
    s = w.s
    e = s.open_episode(w.nurse.id, w.patient_ids[0], "esketamine-rems", "2", 70, 56, ESCORT,
                       precheck(s, "esketamine-rems"), "LOT-1")
    w.clock.advance(minutes=1)
    s.record_observation(w.nurse.id, e.id, good())
    s.start_dosing(w.nurse.id, e.id)
    w.clock.advance(minutes=5)
    s.end_dosing(w.nurse.id, e.id)
    for minute in (35, 30, 30, 30):
        w.clock.advance(minutes=minute)
        s.record_observation(w.nurse.id, e.id, good())
    answer_everything(w, e.id)
    with pytest.raises(DischargeRefused) as exc:
        s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert any(r.startswith("REMS form:") for r in exc.value.reasons), exc.value.reasons
    for item in s.discharge_view(e.id).rems:
        if item.field.required and not item.value:
            s.answer_rems(w.nurse.id, e.id, item.field.key,
                          "no" if item.field.type == "yes_no" else "1")
    assert s.discharge_view(e.id).missing_rems == ()
    s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert s.verify() == []


def test_addendum_after_signing(w: World) -> None:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    with pytest.raises(NotAllowed):
        w.s.add_addendum(w.nurse.id, NURSE_PIN, e.id, "too early")
    w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    w.clock.advance(hours=2)
    result = w.s.add_addendum(w.md.id, MD_PIN, e.id, "Phoned: patient well at home.")
    view = w.s.episode_view(e.id)
    assert [a.text for a in view.addenda] == ["Phoned: patient well at home."]
    assert result.signature.kind == "addendum"
    assert w.s.verify() == []


def test_sheet_pdf_carries_the_record(w: World) -> None:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    sig = w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id).signature
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(w.s.sheet_pdf(e.id))).pages)
    view = w.s.discharge_view(e.id)
    assert view.episode.patient.name in text
    for row in view.episode.rows:
        assert local(row.observation.taken_at, local_zone(w.s.clock)).strftime("%H:%M") in text
    for criterion in view.evaluation.criteria:
        assert criterion.label in " ".join(text.split()), criterion.label
    for item in view.evaluation.manual:
        assert item.label in " ".join(text.split()), item.label
    assert "Nina Nurse" in text and "Discharged by" in text
    assert sig.content_hash in "".join(text.split())


# ---------------------------------------------------------------- board
def test_board_keeps_chair_order_and_ticks_without_the_database(w: World) -> None:
    calm = open_iv(w, chair="1", patient=0)
    busy = open_iv(w, chair="2", patient=1)
    to_recovery(w, busy.id)
    w.clock.advance(minutes=30)  # busy's 15-minute check is overdue; calm waits for baseline
    rows = w.s.board()
    assert [r.episode_id for r in rows] == [calm.id, busy.id]  # overdue does not jump
    assert rows[1].status.state == "overdue"
    assert {r.episode_id for r in rows} == {calm.id, busy.id}
    w.s.record_observation(w.nurse.id, busy.id, good())
    fresh = [r for r in w.s.board() if r.episode_id == busy.id]
    assert fresh[0].status.state == "ok"
    w.s.close()  # board_tick must not need the database
    w.clock.advance(minutes=20)
    ticked = w.s.board_tick(fresh)
    assert ticked[0].status.state == "overdue"
    assert ticked[0].status.seconds_to_due < 0


# ---------------------------------------------------------------- archive problems
def test_unwritable_archive_folder_reports_and_keeps_the_signature(w: World, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file")
    settings = replace(w.s.settings(), archive_dir=str(blocker / "archive"))
    w.s.save_settings(w.admin.id, settings)
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert result.archived_to is None
    assert "signed and saved" in result.archive_problem
    assert str(blocker / "archive") in result.archive_problem
    assert w.s.episode_view(e.id).signed
    assert w.s.verify() == []


def test_admin_pin_still_works_after_all_this(w: World) -> None:
    _signed(w)
    assert w.s.authenticate(w.admin.id, ADMIN_PIN).id == w.admin.id
