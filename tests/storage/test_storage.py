"""The store that loses nothing: opening, migrations, transactions, append-only records,
the signed lock (held by the database itself), and the repository's reads and writes."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import subprocess
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils

from monitor_app.domain.discharge import ManualAnswer, Override
from monitor_app.domain.models import Escort, Phase, Role, ValidationError
from monitor_app.storage import audit, migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.db import (
    ChangeRefused,
    DatabaseBusy,
    StorageError,
    open_db,
    translate_error,
)
from monitor_app.storage.repository_base import insert_row, transaction
from tests.helpers.clinic import T0, Clinic, make_clinic, minutes, raw, vitals

YES = ManualAnswer(confirmed=True)


@pytest.fixture
def clinic(tmp_path: Path) -> Clinic:
    c = make_clinic(tmp_path)
    yield c
    c.db.close()


def audit_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM audit").fetchone()[0]


def triggers(db: sqlite_utils.Database) -> set[str]:
    return {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}


# --- opening ------------------------------------------------------------------------


def test_open_creates_private_folder_and_file_with_safe_pragmas(tmp_path):
    path = tmp_path / "new" / "monitor.db"
    db = open_db(path)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert migrations.pending_migrations(db) == []
    db.close()


def test_an_empty_file_becomes_a_valid_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    db = open_db(path)
    tables = set(db.table_names())
    assert {"settings", "staff", "patients", "episodes", "observations", "alert_acks",
            "checklist_answers", "overrides", "rems_answers", "signatures", "addenda",
            "audit"} <= tables
    assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    db.close()


def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "m.db"
    open_db(path).close()
    db = open_db(path)
    applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert applied == len(migrations.migrations._migrations)
    db.close()


def test_an_older_database_is_upgraded_in_place_on_open(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply_migrations(old, stop_before="m002_indexes")
    assert [m.name for m in migrations.migrations.applied(old)] == ["m001_tables"]
    nurse = repo.add_staff(old, "Old Timer", "RN", Role.NURSE, actor_id=None, at=T0)
    with transaction(old):  # as the repository of that version wrote it
        insert_row(old, "patients", {"mrn": "OLD1", "name": "Grace Hopper",
                                     "name_key": "grace hopper", "dob": "1906-12-09"},
                   action="add_patient", actor_id=nurse.id, at=T0)
    assert triggers(old) == set()
    old.close()

    db = open_db(path)
    assert migrations.pending_migrations(db) == []
    assert "observations_void_only" in triggers(db)
    assert "episodes_signed_update" in triggers(db)
    assert "episodes_phase" in {i.name for i in db["episodes"].indexes}
    assert repo.get_patient_by_mrn(db, "OLD1").name == "Grace Hopper"
    with pytest.raises(ValidationError, match="already registered as OLD1"):
        repo.add_patient(db, "old-1", "Other", date(1990, 1, 1), actor_id=nurse.id, at=T0)
    assert audit.verify(db) == []
    db.close()


def _sqlite_bytes(tmp_path: Path) -> bytes:
    source = tmp_path / "source.db"
    db = open_db(source)
    for i in range(200):
        repo.add_staff(db, f"Staff {i}", "RN " * 20, Role.NURSE, actor_id=None, at=T0)
    db.close()
    return source.read_bytes()


@pytest.mark.parametrize("kind", ["random bytes", "text file", "truncated database",
                                  "header then garbage"])
def test_a_damaged_or_foreign_file_is_refused_and_left_untouched(tmp_path, kind):
    rng = random.Random(42)
    if kind == "random bytes":
        content = bytes(rng.randrange(256) for _ in range(8192))
    elif kind == "text file":
        content = b"MRN,name\n123,Ada Lovelace\n"
    elif kind == "truncated database":
        good = _sqlite_bytes(tmp_path)
        content = good[: len(good) // 2]
    else:
        content = b"SQLite format 3\x00" + bytes(rng.randrange(256) for _ in range(8192))
    path = tmp_path / "victim.db"
    path.write_bytes(content)
    before = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(StorageError) as caught:
        open_db(path)

    message = str(caught.value)
    assert str(path) in message
    assert "backup" in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_folder_in_place_of_the_file_is_refused(tmp_path):
    (tmp_path / "db").mkdir()
    with pytest.raises(StorageError, match="not a file"):
        open_db(tmp_path / "db")


def test_a_locked_database_is_reported_as_busy_on_open(tmp_path):
    path = tmp_path / "busy.db"
    open_db(path).close()
    holder = raw(path)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseBusy, match="in use by another program"):
            open_db(path, busy_timeout=0.05)
    finally:
        holder.execute("COMMIT")
        holder.close()


def test_a_write_while_another_program_writes_is_busy_and_saves_nothing(tmp_path):
    path = tmp_path / "busy.db"
    db = open_db(path, busy_timeout=0.05)
    holder = raw(path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy) as caught:
            repo.add_staff(db, "Late Comer", "RN", Role.NURSE, actor_id=None, at=T0)
        assert caught.value.retryable
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not db.conn.in_transaction
    assert repo.list_staff(db) == []
    repo.add_staff(db, "Late Comer", "RN", Role.NURSE, actor_id=None, at=T0)  # retry works
    db.close()


@pytest.mark.parametrize(
    ("sqlite_message", "expected_class", "advice"),
    [
        ("database is locked", DatabaseBusy, "try again"),
        ("database or disk is full", StorageError, "Free some space"),
        ("attempt to write a readonly database", StorageError, "read-only"),
        ("unable to open database file", StorageError, "permissions"),
    ],
)
def test_low_level_errors_become_messages_with_advice(sqlite_message, expected_class, advice):
    error = translate_error(sqlite3.OperationalError(sqlite_message), "/data/monitor.db")
    assert type(error) is expected_class
    assert "/data/monitor.db" in str(error)
    assert advice in str(error)


def test_a_read_only_file_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    path = tmp_path / "ro.db"
    open_db(path).close()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == path else real_access(p, mode)
    )
    with pytest.raises(StorageError, match="read-only"):
        open_db(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_file_on_disk_is_refused(tmp_path):
    path = tmp_path / "ro.db"
    open_db(path).close()
    path.chmod(0o400)
    with pytest.raises(StorageError, match="read-only"):
        open_db(path)


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


# --- the signed lock ----------------------------------------------------------------


@pytest.fixture
def signed(clinic):
    db, ep, nurse = clinic.db, clinic.episode, clinic.nurse
    obs = repo.add_observation(db, ep.id, T0, T0, vitals(), nurse.id)
    repo.save_checklist_answer(db, ep.id, "oriented", YES, actor_id=nurse.id, at=T0)
    repo.add_override(db, ep.id, Override("heart_rate", "baseline", clinic.prescriber.id),
                      actor_id=nurse.id, at=T0)
    repo.save_rems_answer(db, ep.id, "lot", "A1", actor_id=nurse.id, at=T0)
    repo.ack_alert(db, obs.id, "hr_high", actor_id=nurse.id, at=T0)
    sig = repo.sign_discharge(db, ep.id, nurse.id, "Discharged by", {"episode": ep.number},
                              at=minutes(60))
    clinic.obs = obs
    clinic.signature = sig
    return clinic


LOCKED_FROM_SHELL = [
    "UPDATE episodes SET chair = 'Chair 9' WHERE id = {ep}",
    "UPDATE episodes SET phase = 'recovery' WHERE id = {ep}",
    "DELETE FROM episodes WHERE id = {ep}",
    "INSERT INTO observations (episode_id, taken_at, entered_at, recorded_by, hr) "
    "VALUES ({ep}, '2026-11-27T12:00:00+00:00', '2026-11-27T12:00:00+00:00', 1, 70)",
    "UPDATE observations SET voided_at = '2026-11-27T12:00:00+00:00', voided_by = 1, "
    "void_reason = 'late' WHERE id = {obs}",
    "INSERT INTO checklist_answers (episode_id, key, confirmed, answered_by, answered_at) "
    "VALUES ({ep}, 'oriented', 0, 1, '2026-11-27T12:00:00+00:00')",
    "UPDATE checklist_answers SET superseded_by = 1 WHERE episode_id = {ep}",
    "INSERT INTO overrides (episode_id, criterion, reason, prescriber_id, recorded_by, "
    "recorded_at) VALUES ({ep}, 'aldrete', 'late', 2, 1, '2026-11-27T12:00:00+00:00')",
    "UPDATE overrides SET voided_at = '2026-11-27T12:00:00+00:00', voided_by = 1, "
    "void_reason = 'x' WHERE episode_id = {ep}",
    "INSERT INTO rems_answers (episode_id, key, value, answered_by, answered_at) "
    "VALUES ({ep}, 'lot', '\"B2\"', 1, '2026-11-27T12:00:00+00:00')",
    "INSERT INTO alert_acks (episode_id, observation_id, code, acknowledged_by, "
    "acknowledged_at) VALUES ({ep}, {obs}, 'spo2_low', 1, '2026-11-27T12:00:00+00:00')",
    "INSERT INTO signatures (episode_id, kind, signer_id, signer_name, meaning, signed_at, "
    "content_hash, content) VALUES ({ep}, 'discharge', 1, 'X', 'Discharged by', "
    "'2026-11-27T12:00:00+00:00', 'h', '{{}}')",
]


@pytest.mark.parametrize("statement", LOCKED_FROM_SHELL)
def test_a_signed_episode_is_locked_by_the_database_itself(signed, statement):
    shell = raw(signed.path)
    sql = statement.format(ep=signed.episode.id, obs=signed.obs.id)
    with pytest.raises(sqlite3.IntegrityError, match=r"signed and locked|never"):
        shell.execute(sql)
    shell.close()
    assert audit.verify(signed.db) == []


def test_the_lock_message_from_the_shell_says_what_to_do(signed):
    shell = raw(signed.path)
    with pytest.raises(sqlite3.IntegrityError,
                       match=r"^episode is signed and locked; add an addendum$"):
        shell.execute("UPDATE episodes SET chair = 'x' WHERE id = ?", [signed.episode.id])
    shell.close()


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 shell installed")
def test_the_lock_holds_in_the_real_sqlite3_shell(signed):
    result = subprocess.run(
        ["sqlite3", str(signed.path),
         f"UPDATE observations SET hr = 60 WHERE id = {signed.obs.id};"
         f"UPDATE episodes SET weight_kg = 1 WHERE id = {signed.episode.id};"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode != 0
    assert "signed and locked" in result.stderr or "never changed" in result.stderr
    assert repo.get_observation(signed.db, signed.obs.id).vitals.hr == 80
    assert repo.get_episode(signed.db, signed.episode.id).weight_kg == 70.0
    assert audit.verify(signed.db) == []


def test_the_app_names_the_locked_episode(signed):
    db, ep, nurse = signed.db, signed.episode, signed.nurse
    expected = f"episode {ep.number} is signed and locked; add an addendum"
    attempts = [
        lambda: repo.add_observation(db, ep.id, T0, minutes(70), vitals(), nurse.id),
        lambda: repo.void_observation(db, signed.obs.id, "x", actor_id=nurse.id, at=T0),
        lambda: repo.set_episode_fields(db, ep.id, weight_kg=80, actor_id=nurse.id, at=T0),
        lambda: repo.update_episode_phase(db, ep.id, Phase.RECOVERY, actor_id=nurse.id, at=T0),
        lambda: repo.save_checklist_answer(db, ep.id, "oriented", ManualAnswer(False),
                                           actor_id=nurse.id, at=T0),
        lambda: repo.save_rems_answer(db, ep.id, "lot", "B", actor_id=nurse.id, at=T0),
        lambda: repo.add_override(db, ep.id, Override("x", "y", signed.prescriber.id),
                                  actor_id=nurse.id, at=T0),
        lambda: repo.void_override(db, ep.id, "heart_rate", actor_id=nurse.id, at=T0),
        lambda: repo.sign_discharge(db, ep.id, nurse.id, "Discharged by", {}, at=T0),
    ]
    for attempt in attempts:
        with pytest.raises(ChangeRefused) as caught:
            attempt()
        assert str(caught.value) == expected


def test_a_trigger_refusal_reaching_the_app_is_a_change_refused(signed, monkeypatch):
    from monitor_app.storage import repository_observations

    monkeypatch.setattr(repository_observations, "ensure_unlocked",
                        lambda db, episode_id: repo.get_episode(db, episode_id))
    with pytest.raises(ChangeRefused, match="signed and locked"):
        repo.add_observation(signed.db, signed.episode.id, T0, T0, vitals(), signed.nurse.id)
    assert not signed.db.conn.in_transaction


def test_an_addendum_and_its_signature_are_still_allowed_after_signing(signed):
    db, ep, nurse = signed.db, signed.episode, signed.nurse
    addendum = repo.add_addendum(db, ep.id, "Patient phoned: home safely.",
                                 actor_id=nurse.id, at=minutes(240))
    sig = repo.add_signature(db, ep.id, "addendum", nurse.id, "Addendum by",
                             {"addendum": addendum.text}, at=minutes(241),
                             addendum_id=addendum.id)
    assert repo.list_addenda(db, ep.id) == [addendum]
    assert [s.kind for s in repo.list_signatures(db, ep.id)] == ["discharge", "addendum"]
    assert sig.addendum_id == addendum.id and sig.signer_name == "Nora Nurse"
    shell = raw(signed.path)
    shell.execute("INSERT INTO addenda (episode_id, text, created_by, created_at) "
                  "VALUES (?, 'from the shell', 1, '2026-11-27T15:00:00+00:00')", [ep.id])
    shell.close()


def test_sign_discharge_closes_the_episode_and_binds_the_content(signed):
    ep = repo.get_episode(signed.db, signed.episode.id)
    assert ep.phase is Phase.DISCHARGED and ep.closed_at == minutes(60)
    sig = signed.signature
    assert sig.kind == "discharge" and sig.meaning == "Discharged by"
    assert (sig.signer_name, sig.signer_credentials) == ("Nora Nurse", "RN")
    assert sig.content == {"episode": ep.number}
    assert sig.content_hash == audit.signature_content_hash({"episode": ep.number})
    assert repo.is_signed(signed.db, ep.id)
    assert ep not in repo.list_active_episodes(signed.db)


def test_an_addendum_signature_must_name_an_addendum_of_its_episode(clinic):
    other = repo.create_episode(clinic.db, _patient(clinic, 2), "ketamine-iv", "1", "2", 70, 35,
                                actor_id=clinic.nurse.id, at=T0)
    addendum = repo.add_addendum(clinic.db, other.id, "x", actor_id=clinic.nurse.id, at=T0)
    with pytest.raises(sqlite3.IntegrityError, match="same episode"):
        repo.add_signature(clinic.db, clinic.episode.id, "addendum", clinic.nurse.id,
                           "Addendum by", {}, at=T0, addendum_id=addendum.id)


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


def _patient(clinic: Clinic, i: int) -> int:
    """Another patient (one open episode per patient)."""
    return repo.add_patient(clinic.db, f"MRN-X{i}", f"Patient {i}", date(1980, 1, i),
                            actor_id=clinic.nurse.id, at=T0).id


def test_episode_numbers_are_readable_and_count_per_year(clinic):
    db, n = clinic.db, clinic.nurse.id
    assert clinic.episode.number == "E-2026-00001"
    second = repo.create_episode(db, _patient(clinic, 2), "ketamine-iv", "1", "2", 70, 35,
                                 actor_id=n, at=T0)
    next_year = datetime(2027, 1, 2, 9, tzinfo=UTC)
    third = repo.create_episode(db, _patient(clinic, 3), "ketamine-iv", "1", "3", 70, 35,
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
    later = [repo.create_episode(db, _patient(clinic, i + 1), "ketamine-iv", "1", str(i + 1),
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
    ep2 = repo.create_episode(db, _patient(clinic, 4), "ketamine-iv", "1", "4", 70, 35,
                              actor_id=n, at=T0)
    ep3 = repo.create_episode(db, _patient(clinic, 5), "ketamine-iv", "1", "5", 70, 35,
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

