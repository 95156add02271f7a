"""Opening the file: a private folder, safe pragmas, migrations applied once, damaged,
foreign, locked or read-only files refused with a message."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from monitor_app.domain.models import Role, ValidationError
from monitor_app.storage import audit, migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.db import (
    DatabaseBusy,
    StorageError,
    open_db,
    translate_error,
)
from monitor_app.storage.repository_base import insert_row, transaction
from tests.helpers.clinic import (
    T0,
    raw,
    triggers,
)

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
    tables = set(sqlite_utils.Database(db.conn).table_names())
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
    assert "episodes_phase" in {i.name for i in sqlite_utils.Database(db.conn)["episodes"].indexes}
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
