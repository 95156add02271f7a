"""On the board: "End infusion" makes the chair due, not overdue; a flagged blood
pressure shows a "BP recheck due" that the one-second tick keeps and turns red."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor_app.gui.board.board import COL_NEXT, COL_STATUS, RED
from monitor_app.gui.board.main_window import MainWindow
from tests.helpers.gui import cell, shown_board

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]
GOOD = {"hr": "76", "bp": "124/78", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"}


@pytest.fixture
def window(qtbot, session) -> MainWindow:
    return shown_board(qtbot, session)


def _infuse(services, clock, nurse, episode_id, checks=3, then=13) -> None:
    """Checks every 10 min, then ``then`` more minutes of infusion (40 or 43 in all)."""
    services.start_dosing(nurse, episode_id)
    for _ in range(checks):
        clock.advance(minutes=10)
        services.record_observation(nurse, episode_id, GOOD)
    clock.advance(minutes=then)


def test_end_infusion_makes_the_chair_due_not_overdue(episode_id, window, services, staff,
                                                      session, clock):
    _infuse(services, clock, staff["nurse"], episode_id)
    services.end_dosing(staff["nurse"], episode_id)
    session.notify(episode_id)
    clock.advance(seconds=1)
    window.tick()
    assert "DUE NOW" in cell(window, 0, COL_STATUS)
    assert cell(window, 0, COL_NEXT) == "due now"
    assert "OVERDUE" not in cell(window, 0, COL_STATUS)
    clock.advance(minutes=5)
    window.tick()
    assert "OVERDUE" in cell(window, 0, COL_STATUS)


def test_a_flagged_bp_shows_a_recheck_due_that_the_tick_keeps(episode_id, window, services,
                                                              staff, session, clock):
    nurse = staff["nurse"]
    _infuse(services, clock, nurse, episode_id, checks=4, then=0)
    services.end_dosing(nurse, episode_id)
    clock.advance(minutes=2)
    services.record_observation(nurse, episode_id, dict(GOOD, bp="184/96"))
    session.notify(episode_id)
    assert cell(window, 0, COL_NEXT) == "5:00\nBP recheck due"
    clock.advance(minutes=5, seconds=30)
    window.tick()
    assert cell(window, 0, COL_NEXT) == "overdue 0:30\nBP recheck due"
    assert "OVERDUE" in cell(window, 0, COL_STATUS)
    assert cell(window, 0, COL_NEXT, Qt.ItemDataRole.BackgroundRole) == RED
    services.record_observation(nurse, episode_id, dict(GOOD, bp="150/90"))
    session.notify(episode_id)
    assert "BP recheck" not in cell(window, 0, COL_NEXT)
