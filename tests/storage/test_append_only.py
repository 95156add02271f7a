"""One transaction per action with its audit row; observations voided and corrected,
never changed; append-only tables that refuse changes even from the shell."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from monitor_app.domain.discharge import Override
from monitor_app.domain.models import ValidationError
from monitor_app.storage import audit
from monitor_app.storage import repository as repo
from tests.helpers.clinic import (
    T0,
    YES,
    audit_count,
    make_clinic,
    minutes,
    raw,
    vitals,
)

# --- transactions and the audit row -------------------------------------------------


def test_every_change_writes_its_audit_event_with_the_full_rows(clinic):
    db = clinic.db
    count = audit_count(db)
    updated = repo.update_staff(db, clinic.nurse.id, credentials="RN, BSN",
                                actor_id=clinic.nurse.id, at=minutes(5))
    assert updated.credentials == "RN, BSN"
    [event] = audit.events(db, after_id=count)
    assert (event.action, event.table_name, event.row_id) == ("update_staff", "staff",
                                                              clinic.nurse.id)
    assert event.actor_id == clinic.nurse.id
    assert event.at == minutes(5)
    assert event.before["credentials"] == "RN"
    assert event.after["credentials"] == "RN, BSN"
    assert set(event.after) == {"id", "name", "credentials", "role", "active", "pin_hash",
                                "failed_attempts", "locked"}


def test_a_failure_mid_action_leaves_neither_the_change_nor_its_audit_row(clinic, monkeypatch):
    db = clinic.db
    count = audit_count(db)

    def broken_writer(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit, "record", broken_writer)
    with pytest.raises(RuntimeError):
        repo.add_patient(db, "MRN999", "Lost Soul", date(1990, 1, 1), actor_id=1, at=T0)
    monkeypatch.undo()
    assert repo.get_patient_by_mrn(db, "MRN999") is None
    assert audit_count(db) == count
    assert not db.conn.in_transaction


def test_a_correction_that_fails_halfway_does_not_void_the_original(clinic, monkeypatch):
    db = clinic.db
    obs = repo.add_observation(db, clinic.episode.id, T0, T0, vitals(hr=88), clinic.nurse.id)
    count = audit_count(db)
    real_record = audit.record
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(kwargs["action"])
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", fail_on_second)
    with pytest.raises(RuntimeError):
        repo.correct_observation(db, obs.id, "typo", vitals(hr=95), T0,
                                 actor_id=clinic.nurse.id, at=minutes(2))
    monkeypatch.undo()
    [only] = repo.list_observations(db, clinic.episode.id)
    assert not only.voided
    assert audit_count(db) == count


def test_grouped_calls_are_one_transaction(clinic):
    db = clinic.db
    count = audit_count(db)
    with pytest.raises(ValidationError), repo.transaction(db):
        repo.add_patient(db, "MRN002", "Alan Turing", date(1912, 6, 23),
                         actor_id=clinic.nurse.id, at=T0)
        repo.add_patient(db, "MRN001", "Duplicate", date(1912, 6, 23),
                         actor_id=clinic.nurse.id, at=T0)
    assert repo.get_patient_by_mrn(db, "MRN002") is None
    assert audit_count(db) == count


def test_times_are_stored_in_utc_with_offset_and_come_back_aware(clinic):
    db = clinic.db
    local = datetime(2026, 11, 27, 5, 0, tzinfo=timezone(timedelta(hours=-5)))
    obs = repo.add_observation(db, clinic.episode.id, local, local, vitals(), clinic.nurse.id)
    stored = db.execute("SELECT taken_at FROM observations WHERE id = ?", [obs.id]).fetchone()[0]
    assert stored == "2026-11-27T10:00:00+00:00"
    assert obs.taken_at == T0
    assert obs.taken_at.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="timezone-aware"):
        repo.add_observation(db, clinic.episode.id, datetime(2026, 11, 27, 10), T0, vitals(),
                             clinic.nurse.id)


# --- observations: void and correct, never change -----------------------------------


def test_void_keeps_the_observation_visible_with_who_when_and_why(clinic):
    db = clinic.db
    obs = repo.add_observation(db, clinic.episode.id, T0, T0, vitals(), clinic.nurse.id)
    voided = repo.void_observation(db, obs.id, "wrong patient", actor_id=clinic.nurse.id,
                                   at=minutes(3))
    assert voided.voided and voided.voided_by == clinic.nurse.id
    assert voided.void_reason == "wrong patient" and voided.voided_at == minutes(3)
    assert voided.vitals == obs.vitals
    assert repo.list_observations(db, clinic.episode.id) == [voided]
    with pytest.raises(ValidationError) as caught:
        repo.void_observation(db, obs.id, "again", actor_id=clinic.nurse.id, at=minutes(4))
    assert caught.value.field == "observation"
    other = repo.add_observation(db, clinic.episode.id, T0, T0, vitals(), clinic.nurse.id)
    with pytest.raises(ValidationError) as caught:
        repo.void_observation(db, other.id, "  ", actor_id=clinic.nurse.id, at=minutes(4))
    assert caught.value.field == "reason"


def test_correct_voids_the_old_and_links_the_new_in_one_action(clinic):
    db = clinic.db
    obs = repo.add_observation(db, clinic.episode.id, T0, T0, vitals(hr=88), clinic.nurse.id)
    count = audit_count(db)
    new = repo.correct_observation(db, obs.id, "typed 88 for 98", vitals(hr=98), T0,
                                   actor_id=clinic.nurse.id, at=minutes(2))
    old, corrected = repo.list_observations(db, clinic.episode.id)
    assert old.id == obs.id and old.voided and old.void_reason == "typed 88 for 98"
    assert old.vitals.hr == 88
    assert corrected == new
    assert new.supersedes == obs.id and new.vitals.hr == 98 and not new.voided
    assert new.entered_at == minutes(2) and new.taken_at == T0
    assert [e.action for e in audit.events(db, after_id=count)] == ["correct_observation"] * 2
    assert repo.latest_observations(db, [clinic.episode.id])[clinic.episode.id] == new


def test_the_database_refuses_to_change_an_observation_in_place(clinic):
    obs = repo.add_observation(clinic.db, clinic.episode.id, T0, T0, vitals(hr=88),
                               clinic.nurse.id)
    shell = raw(clinic.path)
    with pytest.raises(sqlite3.IntegrityError, match="never changed: void and correct"):
        shell.execute("UPDATE observations SET hr = 95 WHERE id = ?", [obs.id])
    with pytest.raises(sqlite3.IntegrityError, match="never changed: void and correct"):
        shell.execute("UPDATE observations SET voided_at = '2026-11-27T10:00:00+00:00', "
                      "voided_by = 1, void_reason = 'x', hr = 95 WHERE id = ?", [obs.id])
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        shell.execute("DELETE FROM observations WHERE id = ?", [obs.id])
    repo.void_observation(clinic.db, obs.id, "mistake", actor_id=clinic.nurse.id, at=T0)
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):  # no un-voiding
        shell.execute("UPDATE observations SET voided_at = NULL, voided_by = NULL, "
                      "void_reason = NULL WHERE id = ?", [obs.id])
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):  # no re-voiding
        shell.execute("UPDATE observations SET void_reason = 'other' WHERE id = ?", [obs.id])
    shell.close()
    assert repo.get_observation(clinic.db, obs.id).vitals.hr == 88


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("audit", "UPDATE audit SET actor_id = 99"),
        ("audit", "DELETE FROM audit"),
        ("signatures", "UPDATE signatures SET meaning = 'x'"),
        ("signatures", "DELETE FROM signatures"),
        ("addenda", "UPDATE addenda SET text = 'x'"),
        ("addenda", "DELETE FROM addenda"),
        ("checklist_answers", "UPDATE checklist_answers SET confirmed = 0"),
        ("checklist_answers", "DELETE FROM checklist_answers"),
        ("overrides", "UPDATE overrides SET reason = 'x'"),
        ("overrides", "DELETE FROM overrides"),
        ("rems_answers", "UPDATE rems_answers SET value = '1'"),
        ("alert_acks", "DELETE FROM alert_acks"),
        ("staff", "DELETE FROM staff"),
        ("patients", "DELETE FROM patients"),
        ("episodes", "DELETE FROM episodes"),
        ("episodes", "UPDATE episodes SET number = 'E-1999-00001'"),
    ],
)
def test_append_only_tables_refuse_changes_from_the_shell(tmp_path, table, statement):
    clinic = make_clinic(tmp_path)
    db, ep, nurse = clinic.db, clinic.episode, clinic.nurse
    obs = repo.add_observation(db, ep.id, T0, T0, vitals(), nurse.id)
    repo.ack_alert(db, obs.id, "hr_high", actor_id=nurse.id, at=T0)
    repo.save_checklist_answer(db, ep.id, "oriented", YES, actor_id=nurse.id, at=T0)
    repo.add_override(db, ep.id, Override("heart_rate", "baseline tachycardia",
                                          clinic.prescriber.id), actor_id=nurse.id, at=T0)
    repo.save_rems_answer(db, ep.id, "first_treatment", True, actor_id=nurse.id, at=T0)
    addendum = repo.add_addendum(db, ep.id, "note", actor_id=nurse.id, at=T0)
    repo.add_signature(db, ep.id, "addendum", nurse.id, "Addendum by", {"text": "note"},
                       at=T0, addendum_id=addendum.id)
    before = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    shell = raw(clinic.path)
    with pytest.raises(sqlite3.IntegrityError):
        shell.execute(statement)
    shell.close()
    assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == before
    assert audit.verify(db) == []
    db.close()
