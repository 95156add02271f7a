"""The backup copy runs off the GUI thread: the board keeps ticking, saves go on, the
copy is the snapshot taken when it started, and closing waits for it."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from monitor_app.gui.board.main_window import MainWindow
from monitor_app.storage import backup as storage_backup
from monitor_app.storage.audit import verify
from monitor_app.storage.db import open_db
from tests.helpers.gui import shown_board

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

VITALS = {"hr": "80", "bp": "120/80", "spo2": "98", "rr": "14", "moaas": "5",
          "dissociation": "0"}


@pytest.fixture
def window(qtbot, session) -> MainWindow:
    return shown_board(qtbot, session, started=True)


@pytest.fixture
def held_copy(monkeypatch):
    """The copy step, held until ``release`` is set; records the thread it ran on."""
    state = {"entered": threading.Event(), "release": threading.Event(), "threads": []}
    original = storage_backup.copy_pages

    def held(source, target, pages):
        state["threads"].append(threading.get_ident())
        state["entered"].set()
        assert state["release"].wait(30)
        original(source, target, pages)

    monkeypatch.setattr(storage_backup, "copy_pages", held)
    yield state
    state["release"].set()  # never leave a thread hanging on a failed test


def observations(db_path) -> int:
    db = open_db(db_path)
    try:
        assert verify(db) == []
        return db.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        db.close()


def test_the_board_keeps_running_and_saving_while_a_backup_is_written(
        window, qtbot, held_copy, services, staff, episode_id):
    services.start_dosing(staff["nurse"], episode_id)
    before = services.context.db.execute(
        "SELECT count(*) FROM observations").fetchone()[0]
    assert window.run_backup(daily=False)
    qtbot.waitUntil(held_copy["entered"].is_set)
    assert held_copy["threads"] != [threading.get_ident()]  # not the GUI thread

    ticked = []
    QTimer.singleShot(0, lambda: ticked.append(True))  # the event loop still turns
    qtbot.waitUntil(lambda: bool(ticked))
    assert not window.run_backup(daily=False)  # one backup at a time
    services.record_observation(staff["nurse"], episode_id, VITALS)  # saved meanwhile

    with qtbot.waitSignal(window.backups.finished, timeout=30_000) as done:
        held_copy["release"].set()
    made, error = done.args
    assert error == ""
    note = window.findChild(QLabel, "status_note")
    assert f"Backed up to {made}" in note.text()
    assert len(held_copy["threads"]) == 1
    # The copy is the snapshot taken when it started, and it verifies.
    assert observations(made) == before
    assert observations(services.context.db_path) == before + 1


def test_a_failed_backup_is_shown_in_the_status_bar(window, qtbot, monkeypatch, tmp_path):
    def fail(source, target, pages):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage_backup, "copy_pages", fail)
    with qtbot.waitSignal(window.backups.finished, timeout=30_000):
        assert window.run_backup(daily=False)
    note = window.findChild(QLabel, "status_note")
    assert "Backup failed" in note.text() and "No space left" in note.text()
    assert not list((tmp_path / "backups").glob("*"))  # no partial file left


def test_closing_waits_for_the_backup_being_written(window, qtbot, held_copy, tmp_path):
    assert window.run_backup(daily=False)
    qtbot.waitUntil(held_copy["entered"].is_set)
    threading.Timer(0, held_copy["release"].set).start()  # released from elsewhere
    window.close()  # returns only once the copy is whole
    assert not window.backups.running
    written = list((tmp_path / "backups").glob("*"))
    assert len(written) == 1 and not written[0].name.startswith(".")
