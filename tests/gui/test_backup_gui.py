"""The station backs itself up, and a damaged database points the nurse at the backup."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from monitor_app.gui import app as app_module
from monitor_app.gui.board.backup_worker import BackgroundBackup
from monitor_app.gui.board.main_window import MainWindow
from monitor_app.services.backups import backups_in
from monitor_app.storage.audit import verify
from monitor_app.storage.db import open_db

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


def test_closing_the_station_makes_a_backup_that_verifies(qtbot, session, episode_id):
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.backup_on_close = True
    window.show()
    window.close()
    made = backups_in(session.services.backup_dir())
    assert len(made) == 1
    copy = open_db(made[0])
    try:
        assert verify(copy) == []
        assert copy.execute("SELECT count(*) FROM observations").fetchone()[0] == 1
    finally:
        copy.close()


# The copy runs in a low-priority thread: on a busy computer it can take seconds to be
# scheduled. waitSignal returns as soon as the signal comes; the timeout only bounds a
# failure.
BACKUP_TIMEOUT_MS = 30_000


def test_the_daily_backup_runs_once_a_day(qtbot, session, clock):
    window = MainWindow(session)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.backups.finished, timeout=BACKUP_TIMEOUT_MS) as first:
        window._on_backup_timeout()
    assert first.args[1] == "" and Path(first.args[0]).is_file()
    assert not window.backups.running
    assert not window.run_backup(daily=True)  # not due again the same day
    assert len(backups_in(session.services.backup_dir())) == 1
    clock.advance(days=1, seconds=1)
    with qtbot.waitSignal(window.backups.finished, timeout=BACKUP_TIMEOUT_MS) as second:
        window._on_backup_timeout()
    assert second.args[1] == "" and second.args[0] != first.args[0]
    assert len(backups_in(session.services.backup_dir())) == 2


def test_a_backup_whose_thread_has_not_ended_does_not_refuse_the_next(
        qtbot, session, clock, monkeypatch):
    """A busy computer may not run the low-priority thread again for a while after its
    signal: the next backup still starts (it was refused, with no signal: the daily
    backup test timed out under load)."""
    ended = threading.Event()
    finish = BackgroundBackup._run

    def slow_to_end(self, job, *args):  # type: ignore[no-untyped-def]
        finish(self, job, *args)
        assert ended.wait(BACKUP_TIMEOUT_MS / 1000)

    monkeypatch.setattr(BackgroundBackup, "_run", slow_to_end)
    window = MainWindow(session)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.backups.finished, timeout=BACKUP_TIMEOUT_MS):
            assert window.run_backup(daily=False)
        clock.advance(seconds=1)
        with qtbot.waitSignal(window.backups.finished, timeout=BACKUP_TIMEOUT_MS) as done:
            assert window.run_backup(daily=False)
        assert done.args[1] == ""
    finally:
        ended.set()
    window.backups.wait()
    assert len(backups_in(session.services.backup_dir())) == 2


def test_a_damaged_database_offers_the_latest_backup(tmp_path, monkeypatch, qapp, services,
                                                     staff):
    backup = services.backup_now()
    services.close()
    db = tmp_path / "clinic.db"
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"clinic.db{suffix}").unlink(missing_ok=True)
    garbage = b"\x00damaged\xff" * 500
    db.write_bytes(garbage)
    shown = []
    monkeypatch.setattr(app_module, "show_startup_error", lambda t, m: shown.append((t, m)))
    monkeypatch.setattr(app_module, "apply_style", lambda app: False)
    assert app_module.run_gui(db) == app_module.EXIT_ERROR
    assert str(backup) in shown[0][1]
    assert db.read_bytes() == garbage


def test_a_damaged_page_found_by_the_background_check_stops_the_app(tmp_path, monkeypatch,
                                                                    qapp, services, staff):
    for n in range(300):
        services.add_patient(staff["admin"], f"MRN-{n}", f"Patient {n} " + "x" * 100,
                             "1970-01-01")
    services.close()
    db = tmp_path / "clinic.db"
    with sqlite3.connect(db) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'patients'"
                            ).fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page + 8  # keep the page header, garble the cells
    data[start:root * page] = b"\xa5" * (root * page - start)
    db.write_bytes(bytes(data))
    shown = []
    monkeypatch.setattr(app_module, "show_startup_error", lambda t, m: shown.append((t, m)))
    monkeypatch.setattr(app_module, "apply_style", lambda app: False)
    monkeypatch.setattr(app_module, "start_session", lambda services: None)
    assert app_module.run_gui(db) == app_module.EXIT_ERROR
    assert db.read_bytes() == bytes(data)
