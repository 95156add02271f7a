"""The station backs itself up, and a damaged database points the nurse at the backup."""

from __future__ import annotations

import sqlite3

import pytest

from monitor_app.gui import app as app_module
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


def test_the_daily_backup_runs_once_a_day(qtbot, session, clock):
    window = MainWindow(session)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.backups.finished):
        window._on_backup_timeout()
    window.backups.wait()  # its thread may still be ending after the signal (then "running")
    assert not window.run_backup(daily=True)  # not due again the same day
    assert len(backups_in(session.services.backup_dir())) == 1
    clock.advance(days=1, seconds=1)
    with qtbot.waitSignal(window.backups.finished):
        window._on_backup_timeout()
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
