"""The repository's reads and writes: staff, patients, settings, episodes, alert
acknowledgements, checklist answers, overrides and REMS answers."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from monitor_app.domain.discharge import ManualAnswer, Override
from monitor_app.domain.models import Escort, Phase, Role, ValidationError
from monitor_app.storage import audit
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from tests.helpers.clinic import (
    T0,
    another_patient,
    audit_count,
    minutes,
    vitals,
)

# --- staff, patients, settings ------------------------------------------------------


def test_staff_are_updated_and_deactivated_never_deleted(clinic):
    db = clinic.db
    admin = repo.add_staff(db, "  Ann   Admin ", "", Role.ADMIN, actor_id=None, at=T0)
    assert admin.name == "Ann Admin" and admin.role is Role.ADMIN and admin.active
    gone = repo.update_staff(db, admin.id, active=False, role=Role.NURSE,
                             actor_id=clinic.nurse.id, at=T0)
    assert not gone.active and gone.role is Role.NURSE
    assert admin.id not in [s.id for s in repo.list_staff(db)]
    assert admin.id in [s.id for s in repo.list_staff(db, include_inactive=True)]
    assert repo.get_staff(db, admin.id) == gone
    assert repo.get_staff(db, 999) is None
    with pytest.raises(ValidationError):
        repo.add_staff(db, "   ", "", Role.NURSE, actor_id=None, at=T0)
    with pytest.raises(repo.NotFound):
        repo.update_staff(db, 999, name="x", actor_id=1, at=T0)


def test_a_second_patient_with_the_same_mrn_is_refused(clinic):
    with pytest.raises(ValidationError) as caught:
        repo.add_patient(clinic.db, "mrn001", "Someone Else", date(1970, 1, 1),
                         actor_id=clinic.nurse.id, at=T0)
    assert caught.value.field == "mrn"
    assert "already registered" in caught.value.message
    with pytest.raises(ValidationError) as caught:
        repo.add_patient(clinic.db, " ", "Nobody", date(1970, 1, 1),
                         actor_id=clinic.nurse.id, at=T0)
    assert caught.value.field == "mrn"


def test_find_patients_by_mrn_prefix_or_name_word_prefix(clinic):
    db, nurse = clinic.db, clinic.nurse.id
    repo.add_patient(db, "MRN002", "José Núñez", date(1975, 3, 1), "M", actor_id=nurse, at=T0)
    repo.add_patient(db, "X100", "Ann Mrnova", date(1990, 1, 1), actor_id=nurse, at=T0)
    repo.add_patient(db, "X200", "Ed 100%_Sure", date(1990, 1, 1), actor_id=nurse, at=T0)
    names = lambda q: [p.name for p in repo.find_patients(db, q)]  # noqa: E731
    assert names("mrn") == ["Ada Lovelace", "José Núñez", "Ann Mrnova"]  # MRNs first
    assert names("NUNEZ") == ["José Núñez"]
    assert names("lovel") == ["Ada Lovelace"]
    assert names("x1") == ["Ann Mrnova"]
    assert names("sure 10") == ["Ed 100%_Sure"]
    assert names("%_") == []  # LIKE and FTS syntax are only text here
    assert names('"') == []
    assert names("núñ jo") == ["José Núñez"]  # any order, accents ignored
    assert names("  ") == []
    assert names("nobody") == []


def test_find_patients_reads_indexes_not_the_table_on_60000_patients(tmp_path):
    # Speed is measured in `make bench`; here: the right answers, through indexes.
    db = open_db(tmp_path / "big.db")
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(4, 9))).title()

    rows = []
    for i in range(60_000):
        name = f"{word()} {word()}"
        rows.append((f"{1_000_000 + i}", name, repo.search_key(name), "1970-01-01", ""))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO patients (mrn, name, name_key, dob, sex) VALUES (?, ?, ?, ?, ?)", rows)
    assert [p.mrn for p in repo.find_patients(db, "1059999")] == ["1059999"]
    target = rows[12_345][1]
    found = repo.find_patients(db, target.split()[1][:4] + " " + target.split()[0][:3])
    assert target in [p.name for p in found]
    assert len(repo.find_patients(db, "1000")) == 50  # the limit
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM _patient_search WHERE _patient_search MATCH "
        "'\"smi\"*'"))
    assert "VIRTUAL TABLE INDEX" in plan
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM patients WHERE mrn >= '1000' AND mrn < '1001'"))
    assert "USING COVERING INDEX" in plan or "USING INDEX" in plan
    db.close()


def test_settings_are_json_values_and_audited(clinic):
    db = clinic.db
    assert repo.get_setting(db, "auto_lock_minutes", 10) == 10
    repo.set_setting(db, "auto_lock_minutes", 5, actor_id=clinic.nurse.id, at=T0)
    count = audit_count(db)
    repo.set_setting(db, "auto_lock_minutes", 5, actor_id=clinic.nurse.id, at=T0)  # no change
    assert audit_count(db) == count
    repo.set_setting(db, "auto_lock_minutes", 3, actor_id=clinic.nurse.id, at=T0)
    repo.set_setting(db, "clinic", {"name": "Calm Clinic"}, actor_id=clinic.nurse.id, at=T0)
    assert repo.all_settings(db) == {"auto_lock_minutes": 3, "clinic": {"name": "Calm Clinic"}}
    [event] = audit.events(db, after_id=count, table_name="settings", limit=1)
    assert event.before == {"id": 1, "key": "auto_lock_minutes", "value": "5"}


# --- episodes -----------------------------------------------------------------------




def test_episode_numbers_are_readable_and_count_per_year(clinic):
    db, n = clinic.db, clinic.nurse.id
    assert clinic.episode.number == "E-2026-00001"
    second = repo.create_episode(db, another_patient(clinic, 2), "ketamine-iv", "1", "2", 70, 35,
                                 actor_id=n, at=T0)
    next_year = datetime(2027, 1, 2, 9, tzinfo=UTC)
    third = repo.create_episode(db, another_patient(clinic, 3), "ketamine-iv", "1", "3", 70, 35,
                                actor_id=n, at=next_year)
    assert (second.number, third.number) == ("E-2026-00002", "E-2027-00001")
    assert repo.get_episode_by_number(db, "E-2027-00001") == third


def test_episode_round_trip_and_pre_sign_edits_are_audited(clinic):
    db, ep, n = clinic.db, clinic.episode, clinic.nurse.id
    assert repo.get_episode(db, ep.id) == ep
    assert ep.escort == Escort("Bob", "partner", "555-0100")
    assert ep.phase is Phase.PRECHECK and ep.created_by == n and ep.created_at == T0
    count = audit_count(db)
    edited = repo.set_episode_fields(
        db, ep.id, weight_kg=72.5, dose_mg=36.25, lot_number="LOT-9",
        escort=Escort("Cy", "friend", "555-0101"), predose_ack_by=clinic.prescriber.id,
        precheck={"fasting": True}, actor_id=n, at=minutes(1))
    assert (edited.weight_kg, edited.dose_mg, edited.lot_number) == (72.5, 36.25, "LOT-9")
    assert edited.escort.name == "Cy" and edited.predose_ack_by == clinic.prescriber.id
    assert edited.precheck == {"fasting": True}
    cleared = repo.set_episode_fields(db, ep.id, predose_ack_by=None, actor_id=n, at=minutes(2))
    assert cleared.predose_ack_by is None and cleared.lot_number == "LOT-9"
    assert [e.action for e in audit.events(db, after_id=count)] == ["set_episode_fields"] * 2


def test_phase_changes_set_only_the_times_given(clinic):
    db, ep, n = clinic.db, clinic.episode, clinic.nurse.id
    dosing = repo.update_episode_phase(db, ep.id, Phase.DOSING, dosing_start=minutes(10),
                                       actor_id=n, at=minutes(10))
    recovery = repo.update_episode_phase(db, ep.id, Phase.RECOVERY, dosing_end=minutes(50),
                                         actor_id=n, at=minutes(50))
    assert dosing.dosing_start == minutes(10) and dosing.dosing_end is None
    assert recovery.dosing_start == minutes(10) and recovery.dosing_end == minutes(50)
    assert recovery.phase is Phase.RECOVERY and recovery.closed_at is None


def test_active_and_paged_episode_lists(clinic):
    db, p, n = clinic.db, clinic.patient.id, clinic.nurse.id
    later = [repo.create_episode(db, another_patient(clinic, i + 1), "ketamine-iv", "1", str(i + 1),
                                 70, 35, actor_id=n, at=minutes(i)) for i in range(1, 4)]
    repo.update_episode_phase(db, later[0].id, Phase.CANCELLED, closed_at=minutes(5),
                              actor_id=n, at=minutes(5))
    active = [e.id for e in repo.list_active_episodes(db)]
    assert active == [clinic.episode.id, later[1].id, later[2].id]
    assert [e.id for e in repo.list_episodes(db, limit=2)] == [later[2].id, later[1].id]
    assert [e.id for e in repo.list_episodes(db, limit=2, offset=2)] == [later[0].id,
                                                                         clinic.episode.id]
    assert len(repo.list_episodes(db, patient_id=p)) == 1
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM episodes WHERE phase IN ('dosing', 'recovery')"))
    assert "episodes_phase" in plan


def test_latest_observations_for_the_board_skip_voided_ones(clinic):
    db, n = clinic.db, clinic.nurse.id
    ep1 = clinic.episode
    ep2 = repo.create_episode(db, another_patient(clinic, 4), "ketamine-iv", "1", "4", 70, 35,
                              actor_id=n, at=T0)
    ep3 = repo.create_episode(db, another_patient(clinic, 5), "ketamine-iv", "1", "5", 70, 35,
                              actor_id=n, at=T0)
    repo.add_observation(db, ep1.id, minutes(0), minutes(0), vitals(hr=70), n)
    late_entry = repo.add_observation(db, ep1.id, minutes(10), minutes(30), vitals(hr=71), n)
    repo.add_observation(db, ep1.id, minutes(5), minutes(6), vitals(hr=72), n)
    first = repo.add_observation(db, ep2.id, minutes(0), minutes(0), vitals(hr=80), n)
    wrong = repo.add_observation(db, ep2.id, minutes(10), minutes(10), vitals(hr=180), n)
    repo.void_observation(db, wrong.id, "wrong chair", actor_id=n, at=minutes(11))
    latest = repo.latest_observations(db, [ep1.id, ep2.id, ep3.id])
    assert latest == {ep1.id: late_entry, ep2.id: first}
    grouped = repo.observations_for_episodes(db, [ep1.id, ep2.id, ep3.id])
    assert [o.vitals.hr for o in grouped[ep1.id]] == [70, 72, 71]  # by taken_at
    assert [o.id for o in grouped[ep2.id]] == [first.id, wrong.id]
    assert grouped[ep3.id] == []


def test_an_observation_keeps_every_field(clinic):
    v = vitals(temp_c=37.2, on_oxygen=True, side_effects=("nausea", "dizziness"),
               note="felt floaty", moaas=4, dissociation=2)
    obs = repo.add_observation(clinic.db, clinic.episode.id, T0, minutes(1), v, clinic.nurse.id)
    assert repo.get_observation(clinic.db, obs.id).vitals == v
    partial = vitals(sbp=None, dbp=None, missing_reason="refused BP")
    obs2 = repo.add_observation(clinic.db, clinic.episode.id, T0, T0, partial, clinic.nurse.id)
    assert obs2.vitals == partial and obs2.vitals.bp_text == ""


# --- alert acks, checklist, overrides, REMS ----------------------------------------


def test_alert_acknowledgement_is_recorded_once(clinic):
    db, n = clinic.db, clinic.nurse.id
    obs = repo.add_observation(db, clinic.episode.id, T0, T0, vitals(hr=130), n)
    first = repo.ack_alert(db, obs.id, "hr_high", actor_id=n, at=minutes(1))
    count = audit_count(db)
    again = repo.ack_alert(db, obs.id, "hr_high", actor_id=clinic.prescriber.id, at=minutes(2))
    assert again == first and audit_count(db) == count
    assert first.acknowledged_by == n and first.acknowledged_at == minutes(1)
    assert repo.list_alert_acks(db, clinic.episode.id) == [first]


def test_checklist_answers_are_appended_and_superseded(clinic):
    db, ep, n = clinic.db, clinic.episode.id, clinic.nurse.id
    first = repo.save_checklist_answer(db, ep, "escort_present", ManualAnswer(False),
                                       actor_id=n, at=minutes(1))
    second = repo.save_checklist_answer(db, ep, "escort_present",
                                        ManualAnswer(True, details={"name": "Bob"}),
                                        actor_id=n, at=minutes(2))
    na = repo.save_checklist_answer(db, ep, "next_appointment", ManualAnswer(False, True),
                                    actor_id=n, at=minutes(3))
    current = repo.current_checklist(db, ep)
    assert current == {"escort_present": second, "next_appointment": na}
    assert current["escort_present"].details == {"name": "Bob"}
    history = repo.checklist_history(db, ep)
    assert [a.id for a in history] == [first.id, second.id, na.id]
    assert history[0].superseded_by == second.id and not history[0].confirmed


def test_overrides_are_voided_not_edited(clinic):
    db, ep, n = clinic.db, clinic.episode.id, clinic.nurse.id
    rx = clinic.prescriber.id
    o1 = repo.add_override(db, ep, Override("heart_rate", "known sinus tachycardia", rx),
                           actor_id=n, at=minutes(1))
    o2 = repo.add_override(db, ep, Override("aldrete", "chronic limp", rx), actor_id=n,
                           at=minutes(2))
    withdrawn = repo.void_override(db, ep, "heart_rate", reason="HR now normal", actor_id=n,
                                   at=minutes(3))
    assert withdrawn.id == o1.id and withdrawn.voided
    assert withdrawn.void_reason == "HR now normal" and withdrawn.voided_by == n
    assert repo.current_overrides(db, ep) == [o2]
    assert (o2.criterion, o2.reason, o2.prescriber_id) == ("aldrete", "chronic limp", rx)
    assert [o.id for o in repo.list_overrides(db, ep)] == [o1.id, o2.id]
    with pytest.raises(ValidationError) as caught:
        repo.add_override(db, ep, Override("sedation", "  ", rx), actor_id=n, at=T0)
    assert caught.value.field == "reason"
    with pytest.raises(ValidationError):
        repo.void_override(db, ep, "heart_rate", actor_id=n, at=T0)  # none in force


def test_a_new_override_for_a_criterion_replaces_the_one_in_force(clinic):
    db, ep, n, rx = clinic.db, clinic.episode.id, clinic.nurse.id, clinic.prescriber.id
    first = repo.add_override(db, ep, Override("aldrete", "limp", rx), actor_id=n, at=T0)
    second = repo.add_override(db, ep, Override("aldrete", "old injury", rx), actor_id=n,
                               at=minutes(1))
    assert repo.current_overrides(db, ep) == [second]
    [old, _] = repo.list_overrides(db, ep)
    assert old.id == first.id and old.void_reason == "replaced by a new override"


def test_rems_answers_latest_wins_and_keeps_types(clinic):
    db, ep, n = clinic.db, clinic.episode.id, clinic.nurse.id
    repo.save_rems_answer(db, ep, "first_treatment", True, actor_id=n, at=minutes(1))
    repo.save_rems_answer(db, ep, "dose_mg", 56, actor_id=n, at=minutes(1))
    repo.save_rems_answer(db, ep, "dose_mg", 84, actor_id=n, at=minutes(2))
    assert repo.current_rems_answers(db, ep) == {"first_treatment": True, "dose_mg": 84}
    history = repo.rems_history(db, ep)
    assert [(a.key, a.value, a.answered_at) for a in history] == [
        ("first_treatment", True, minutes(1)), ("dose_mg", 56, minutes(1)),
        ("dose_mg", 84, minutes(2))]


def test_alert_acks_by_observation_for_the_episode_view(clinic):
    db, n = clinic.db, clinic.nurse.id
    o1 = repo.add_observation(db, clinic.episode.id, T0, T0, vitals(hr=130, spo2=90), n)
    o2 = repo.add_observation(db, clinic.episode.id, minutes(5), minutes(5), vitals(), n)
    repo.ack_alert(db, o1.id, "hr_high", actor_id=n, at=minutes(1))
    repo.ack_alert(db, o1.id, "spo2_low", actor_id=n, at=minutes(1))
    assert repo.alert_acks(db, clinic.episode.id) == {o1.id: frozenset({"hr_high", "spo2_low"})}
    assert o2.id not in repo.alert_acks(db, clinic.episode.id)


def test_several_settings_in_one_transaction(clinic, monkeypatch):
    db = clinic.db
    repo.set_settings(db, {"a": 1, "b": "two"}, actor_id=clinic.nurse.id, at=T0)
    assert repo.all_settings(db) == {"a": 1, "b": "two"}
    real_record = audit.record
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("crash")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", fail_on_second)
    with pytest.raises(RuntimeError):
        repo.set_settings(db, {"a": 10, "b": "twenty"}, actor_id=clinic.nurse.id, at=T0)
    assert repo.all_settings(db) == {"a": 1, "b": "two"}


def test_a_cancelled_episode_keeps_its_reason(clinic):
    db, ep, n = clinic.db, clinic.episode, clinic.nurse.id
    cancelled = repo.update_episode_phase(db, ep.id, Phase.CANCELLED, closed_at=minutes(3),
                                          reason="patient  unwell", actor_id=n, at=minutes(3))
    assert cancelled.phase is Phase.CANCELLED and cancelled.closed_at == minutes(3)
    [event] = audit.events(db, table_name="episodes", row_id=ep.id)[-1:]
    assert event.after["closed_reason"] == "patient unwell"


def test_who_and_when_of_an_entry_can_differ_from_the_recorder(clinic):
    db, n, rx = clinic.db, clinic.nurse.id, clinic.prescriber.id
    obs = repo.add_observation(db, clinic.episode.id, T0, minutes(1), vitals(), n,
                               actor_id=rx, at=minutes(2))
    [event] = audit.events(db, table_name="observations", row_id=obs.id)
    assert (event.actor_id, event.at, obs.recorded_by) == (rx, minutes(2), n)
    new = repo.correct_observation(db, obs.id, "typo", vitals(hr=90), T0, actor_id=rx,
                                   at=minutes(10), entered_at=minutes(9), recorded_by=n)
    assert (new.recorded_by, new.entered_at) == (n, minutes(9))
    assert repo.get_observation(db, obs.id).voided_by == rx


def test_sign_addendum_adds_and_signs_in_one_step(clinic):
    db, ep, n = clinic.db, clinic.episode, clinic.nurse.id
    repo.sign_discharge(db, ep.id, n, "Discharged by", {"episode": ep.number}, at=minutes(60))
    addendum, signature = repo.sign_addendum(db, ep.id, "Phoned: fine", n, "Addendum by",
                                             {"addendum": "Phoned: fine"}, at=minutes(200))
    assert signature.addendum_id == addendum.id and signature.kind == "addendum"
    assert repo.list_addenda(db, ep.id) == [addendum]
    assert audit.verify(db) == []
