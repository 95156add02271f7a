"""No confirmed save lost without an alarm: a database file moved, deleted or replaced
under the running app; saves lost with a deleted ``-wal``; a damaged index that hides
rows from the record a nurse is about to sign."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from monitor_app import cli
from monitor_app.services import NotAllowed, Services
from monitor_app.services.errors import StorageError
from monitor_app.storage import file_guard
from monitor_app.storage.backup import backup_database
from tests.helpers.world import (
    NURSE_PIN,
    answer_everything,
    count_rows,
    good,
    make_world,
    open_iv,
    to_ready,
)

pytestmark = pytest.mark.usefixtures("fast_pins")
MOVED = "moved, deleted or replaced while the app was running; nothing was saved"


def test_a_backup_put_in_place_of_the_running_database_stops_saves(tmp_path: Path) -> None:
    w = make_world(tmp_path / "clinic.db")
    e = open_iv(w)
    w.s.record_observation(w.nurse.id, e.id, good())
    backup = tmp_path / "restored.db"
    backup_database(w.s.db, backup)
    saved = count_rows(backup, "observations")
    os.replace(backup, w.path)  # someone restores a backup while the app runs
    w.clock.advance(minutes=5)
    with pytest.raises(StorageError, match=MOVED):
        w.s.record_observation(w.nurse.id, e.id, good(hr="90"))
    with pytest.raises(StorageError, match=MOVED):  # and every save after it
        w.s.record_observation(w.nurse.id, e.id, good(hr="91"))
    w.s.close()
    assert count_rows(w.path, "observations") == saved


def test_a_deleted_database_file_stops_saves(tmp_path: Path) -> None:
    w = make_world(tmp_path / "clinic.db")
    e = open_iv(w)
    w.path.unlink()
    with pytest.raises(StorageError, match=MOVED):
        w.s.record_observation(w.nurse.id, e.id, good())
    w.s.close()


def crash_without_wal(w, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """What a disk sees after a crash whose -wal was then deleted: the main file as
    last checkpointed, and the head file the app wrote after each save (in the
    background, within milliseconds: the crash comes after it)."""
    file_guard.flush(w.s.db)
    folder.mkdir()
    shutil.copy(w.path, folder / w.path.name)
    shutil.copy(str(w.path) + ".head", folder / (w.path.name + ".head"))
    return folder / w.path.name


def test_saves_lost_with_the_wal_are_named_at_the_next_start(tmp_path: Path,
                                                             capsys) -> None:
    w = make_world(tmp_path / "clinic.db")
    e = open_iv(w)
    w.s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for hr in ("80", "82"):  # confirmed to the nurse, still only in the -wal
        w.clock.advance(minutes=5)
        w.s.record_observation(w.nurse.id, e.id, good(hr=hr))
    after_crash = crash_without_wal(w, tmp_path / "after-crash")
    w.s.close()
    before = after_crash.read_bytes()
    with pytest.raises(StorageError, match="the newest saves are missing") as refused:
        Services.open(after_crash)
    assert "2 audit event(s) of confirmed saves were lost" in str(refused.value)
    assert "accept-loss" in str(refused.value)
    assert after_crash.read_bytes() == before
    assert cli.main(["verify", "--db", str(after_crash)]) == 1
    assert "rolled back past an anchor" in capsys.readouterr().out

    # accepting the loss is recorded, and the app opens again
    assert cli.main(["accept-loss", "--db", str(after_crash), "--reason",
                     "wal deleted by the disk cleaner; observations re-entered"]) == 0
    capsys.readouterr()
    s = Services.open(after_crash)
    s.close()
    assert cli.main(["verify", "--db", str(after_crash)]) == 0
    out = capsys.readouterr().out
    assert "the loss was accepted" in out and "wal deleted by the disk cleaner" in out
    assert (after_crash.parent / "clinic.db.head.lost-").exists() is False
    assert any(p.name.startswith("clinic.db.head.lost-") for p in after_crash.parent.iterdir())


def test_accept_loss_refuses_when_nothing_was_lost(tmp_path: Path, capsys) -> None:
    w = make_world(tmp_path / "clinic.db")
    w.s.close()
    assert cli.main(["accept-loss", "--db", str(w.path), "--reason", "test"]) == 2
    assert "no loss to accept" in capsys.readouterr().err


def hide_rows_from_index(path: Path, index: str, keep_below_id: int) -> None:
    """A damaged index that still passes quick_check: its entries for rows with
    id >= ``keep_below_id`` are gone, while the schema reads exactly as before."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [index]).fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?",
                 [f"{sql} WHERE id < {keep_below_id}", index])
    conn.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"REINDEX {index}")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", [sql, index])
    conn.close()


def test_a_damaged_index_is_found_and_stops_new_signatures(tmp_path: Path, capsys) -> None:
    w = make_world(tmp_path / "clinic.db")
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    shown = len(w.s.episode_view(e.id).rows)
    (last_obs,) = w.s.db.execute("SELECT max(id) FROM observations").fetchone()
    w.s.close()
    hide_rows_from_index(w.path, "observations_episode", last_obs - 2)

    s = Services.open(w.path, clock=w.clock)  # quick_check at open does not see it
    assert len(s.episode_view(e.id).rows) < shown  # the record reads incompletely
    problem = s.check_full_integrity()
    assert "integrity_check" in problem and "observations_episode" in problem
    with pytest.raises(NotAllowed, match="signing is stopped: the database file is damaged"):
        s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert count_rows(w.path, "signatures") == 0
    s.close()
    assert cli.main(["verify", "--db", str(w.path)]) == 1
    assert "integrity_check" in capsys.readouterr().out


def test_a_head_file_that_cannot_be_written_is_reported_and_the_save_kept(tmp_path: Path,
                                                                         monkeypatch) -> None:
    from monitor_app.storage import anchors

    w = make_world(tmp_path / "clinic.db")
    e = open_iv(w)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(anchors, "write_head", disk_full)
        saved = w.s.record_observation(w.nurse.id, e.id, good())  # confirmed: committed
        problems = w.s.verify_record().problems  # waits for the head file's write
    assert saved.observation.id in {r.observation.id for r in w.s.episode_view(e.id).rows}
    assert any("could not update" in p and "clinic.db.head" in p and "No space left" in p
               for p in problems), problems
    w.clock.advance(minutes=5)
    w.s.record_observation(w.nurse.id, e.id, good())  # the next save writes it again
    assert w.s.verify_record().problems == []
    w.s.close()
