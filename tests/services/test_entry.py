"""Entering an episode: every refused field at once, a new patient and their episode in
one transaction, what the last episode offers, fixed doses, late dosing times, weight and
dose corrections, and the timepoint of each observation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor_app.domain.models import Escort, Phase, ValidationError, ValidationErrors
from monitor_app.domain.schedule import timepoint_label
from monitor_app.storage import audit
from tests.helpers.clinical import at, esketamine, iv, make_episode
from tests.helpers.world import (
    ESCORT,
    World,
    count_rows,
    good,
    open_iv,
    precheck,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    assert isinstance(exc.value, ValidationErrors)
    return [e.field for e in exc.value.errors]


# ---------------------------------------------------------------- every error at once
def test_open_episode_reports_every_refused_field_together(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        w.s.open_episode(w.nurse.id, w.patient_ids[0], "ketamine-iv", "", "heavy", "0",
                         Escort("", "", ""), {})
    assert fields_of(exc) == ["chair", "weight", "dose", "escort_name", "escort_phone",
                              "precheck"]
    assert w.s.episodes() == []


def test_a_new_patient_with_bad_fields_reports_patient_and_episode_problems(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        w.s.open_episode_for_new_patient(
            w.nurse.id, "MRN-0000", "", "", "", "", "3", 70, 35, ESCORT, {})
    assert fields_of(exc) == ["mrn", "patient_name", "dob", "protocol"]
    assert "already registered" in exc.value.fields["mrn"]
    assert "choose the date of birth" in exc.value.fields["dob"]


def test_a_refused_episode_leaves_no_new_patient(w: World) -> None:
    patients = count_rows(w.path, "patients")
    events = len(audit.events(w.s.db))
    with pytest.raises(ValidationError) as exc:
        w.s.open_episode_for_new_patient(
            w.nurse.id, "MRN-900", "Noor Haddad", date(1990, 2, 28), "F", "ketamine-iv", "5",
            60, 30, Escort("Ola", "", ""), precheck(w.s))
    assert fields_of(exc) == ["escort_phone"]
    assert count_rows(w.path, "patients") == patients
    assert len(audit.events(w.s.db)) == events
    assert w.s.find_patients("MRN-900") == []


def test_patient_and_episode_are_saved_together_with_both_audit_events(w: World) -> None:
    before = len(audit.events(w.s.db))
    patient, episode = w.s.open_episode_for_new_patient(
        w.nurse.id, "MRN-901", "Noor Haddad", date(1990, 2, 28), "F", "ketamine-iv", "5",
        60, 30, ESCORT, precheck(w.s))
    assert episode.patient_id == patient.id
    assert [(e.action, e.table_name) for e in audit.events(w.s.db)[before:]] == [
        ("add_patient", "patients"), ("create_episode", "episodes")]
    assert w.s.verify() == []


def test_a_failure_inside_the_transaction_rolls_the_patient_back(w: World, monkeypatch) -> None:
    from monitor_app.storage import repository_entry

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk said no")

    monkeypatch.setattr(repository_entry, "create_episode", broken)
    with pytest.raises(RuntimeError):
        w.s.open_episode_for_new_patient(
            w.nurse.id, "MRN-902", "Noor Haddad", "1990-02-28", "F", "ketamine-iv", "5",
            60, 30, ESCORT, precheck(w.s))
    assert w.s.find_patients("MRN-902") == []


def test_the_last_episode_offers_weight_and_escort(w: World) -> None:
    assert w.s.previous_episode(w.patient_ids[0]) is None
    first = open_iv(w)
    w.s.cancel_episode(w.nurse.id, first.id, "rebooked")
    previous = w.s.previous_episode(w.patient_ids[0])
    assert previous is not None
    assert (previous.number, previous.weight_kg, previous.escort) == (first.number, 70, ESCORT)
    assert w.s.previous_episode(w.patient_ids[1]) is None


# ---------------------------------------------------------------- fixed doses
def test_fixed_dose_protocol_needs_no_weight_but_needs_the_lot_number(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        w.s.open_episode(w.nurse.id, w.patient_ids[0], "esketamine-rems", "2", "", 56, ESCORT,
                         precheck(w.s, "esketamine-rems"))
    assert fields_of(exc) == ["lot_number"]
    episode = w.s.open_episode(w.nurse.id, w.patient_ids[0], "esketamine-rems", "2", "", 56,
                               ESCORT, precheck(w.s, "esketamine-rems"), "LOT-7")
    assert (episode.weight_kg, episode.dose_mg, episode.lot_number) == (0, 56, "LOT-7")


def test_a_dose_other_than_the_fixed_ones_needs_a_reason_and_keeps_it(w: World) -> None:
    args = (w.nurse.id, w.patient_ids[0], "esketamine-rems", "2", "", 28, ESCORT,
            precheck(w.s, "esketamine-rems"), "LOT-7")
    with pytest.raises(ValidationError) as exc:
        w.s.open_episode(*args)
    assert fields_of(exc) == ["dose_reason"]
    assert "56 mg or 84 mg" in exc.value.message
    episode = w.s.open_episode(*args, dose_reason="titration, prescriber's order")
    assert episode.dose_reason == "titration, prescriber's order"
    assert "not one of the protocol's doses" in w.s.episode_view(episode.id).dose_caution


def test_weight_stays_required_for_a_per_kg_protocol(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        w.s.open_episode(w.nurse.id, w.patient_ids[0], "ketamine-iv", "1", "", 35, ESCORT,
                         precheck(w.s))
    assert fields_of(exc) == ["weight"]


def test_concomitant_medicines_are_offered_from_the_last_rems_episode(w: World) -> None:
    esk = precheck(w.s, "esketamine-rems")
    first = w.s.open_episode(w.nurse.id, w.patient_ids[0], "esketamine-rems", "2", "", 56,
                             ESCORT, esk, "LOT-1")
    w.s.answer_rems(w.nurse.id, first.id, "benzodiazepines", "yes")
    w.s.answer_rems(w.nurse.id, first.id, "sedation", "yes")
    w.s.cancel_episode(w.nurse.id, first.id, "rebooked")
    w.clock.advance(minutes=5)
    second = w.s.open_episode(w.nurse.id, w.patient_ids[0], "esketamine-rems", "2", "", 56,
                              ESCORT, esk, "LOT-2")
    items = {i.field.key: i for i in w.s.discharge_view(second.id).rems}
    assert (items["benzodiazepines"].value, items["benzodiazepines"].previous) == ("", "yes")
    assert items["benzodiazepines"].previous_on == first.created_at.astimezone(
        w.s.context.local_zone()).date()  # the day of the session it comes from
    assert items["sedation"].previous == ""  # what happened last time is not offered
    assert "Concomitant benzodiazepines" in w.s.discharge_view(second.id).missing_rems


# ---------------------------------------------------------------- late dosing times
def test_dosing_start_and_end_can_be_entered_late_and_show_as_late(w: World) -> None:
    e = open_iv(w)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())
    started = w.clock.now() + timedelta(minutes=1)
    w.clock.advance(minutes=12)
    w.s.start_dosing(w.nurse.id, e.id, at=started)
    view = w.s.episode_view(e.id)
    assert view.episode.dosing_start == started
    assert view.dosing_start_late and not view.dosing_end_late
    w.clock.advance(minutes=40)
    w.s.end_dosing(w.nurse.id, e.id, at=w.clock.now() - timedelta(minutes=1))
    assert not w.s.episode_view(e.id).dosing_end_late  # within the late-entry limit


@pytest.mark.parametrize(("minutes", "message"), [
    (5, "in the future"), (-30, "before the episode was opened")])
def test_a_dosing_start_in_the_future_or_before_opening_is_refused(
        w: World, minutes: int, message: str) -> None:
    e = open_iv(w)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())
    with pytest.raises(ValidationError, match=message) as exc:
        w.s.start_dosing(w.nurse.id, e.id, at=w.clock.now() + timedelta(minutes=minutes))
    assert exc.value.field == "dosing_time"
    assert w.s.episode(e.id).phase == Phase.PRECHECK


def test_dosing_cannot_end_before_it_started(w: World) -> None:
    e = open_iv(w)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())
    w.s.start_dosing(w.nurse.id, e.id)
    w.clock.advance(minutes=20)
    with pytest.raises(ValidationError, match="before it started"):
        w.s.end_dosing(w.nurse.id, e.id, at=w.clock.now() - timedelta(minutes=21))


# ---------------------------------------------------------------- corrections
def test_weight_and_dose_corrections_keep_the_old_value_and_the_reason(w: World) -> None:
    e = open_iv(w)
    w.clock.advance(minutes=3)
    corrected = w.s.correct_episode_value(w.nurse.id, e.id, "dose_mg", "42",
                                          "prescription read wrongly")
    assert corrected.dose_mg == 42
    [correction] = w.s.episode_corrections(e.id)
    assert (correction.field, correction.old_value, correction.new_value,
            correction.reason) == ("dose_mg", 35, 42, "prescription read wrongly")
    last = audit.events(w.s.db, table_name="episodes", row_id=e.id)[-1]
    assert last.action == "correct_episode_value"
    assert (last.before["dose_mg"], last.after["dose_mg"]) == (35, 42)
    assert w.s.episode_view(e.id).corrections == (correction,)
    assert w.s.verify() == []


def test_a_correction_needs_a_reason_and_a_plausible_value(w: World) -> None:
    e = open_iv(w)
    with pytest.raises(ValidationError) as exc:
        w.s.correct_episode_value(w.nurse.id, e.id, "weight_kg", "7000", " ")
    assert fields_of(exc) == ["weight", "correction_reason"]
    assert w.s.episode(e.id).weight_kg == 70
    assert w.s.episode_corrections(e.id) == []


def test_the_sheet_says_what_was_corrected_or_entered_late(w: World) -> None:
    import io

    from pypdf import PdfReader

    e = open_iv(w)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())
    started = w.clock.now()
    w.clock.advance(minutes=15)
    w.s.start_dosing(w.nurse.id, e.id, at=started)
    w.s.correct_episode_value(w.nurse.id, e.id, "dose_mg", 42, "prescription misread")
    text = " ".join("\n".join(p.extract_text() for p in
                              PdfReader(io.BytesIO(w.s.sheet_pdf(e.id))).pages).split())
    assert "from 35 to 42 mg: prescription misread" in text
    assert "Infusion start entered late" in text


# ---------------------------------------------------------------- timepoints
@pytest.mark.parametrize(("minute", "label"), [
    (-5, "baseline"), (0, "baseline"), (3, "+3 min"), (9, "+10 min"), (21, "+20 min"),
    (39, "end of infusion"), (41, "end of infusion"), (54, "recovery +15 min"),
    (71, "recovery +30 min")])
def test_iv_rows_are_labelled_with_their_timepoint(minute: float, label: str) -> None:
    assert timepoint_label(iv(), make_episode(iv(), start=0, end=40), at(minute)) == label


@pytest.mark.parametrize(("minute", "label"), [
    (-1, "baseline"), (5, "+5 min"), (38, "+40 min"), (72, "+70 min")])
def test_esketamine_rows_are_labelled_from_the_first_device(minute: float, label: str) -> None:
    episode = make_episode(esketamine(), start=0, end=5)
    assert timepoint_label(esketamine(), episode, at(minute)) == label


def test_before_dosing_starts_every_row_is_baseline() -> None:
    episode = make_episode(iv(), phase=Phase.PRECHECK, start=None, end=None)
    assert timepoint_label(iv(), episode, at(-3)) == "baseline"
