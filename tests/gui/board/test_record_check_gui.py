"""The station checks the record in the background and says so when it fails."""

from __future__ import annotations

import sqlite3

import pytest

from monitor_app.gui.board.main_window import MainWindow
from tests.helpers.gui import shown_board

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def window(qtbot, session) -> MainWindow:
    return shown_board(qtbot, session)


def test_an_intact_record_leaves_the_status_bar_quiet(window, qtbot, episode_id):
    with qtbot.waitSignal(window.start_record_check().finished, timeout=30_000) as done:
        pass
    assert done.args == [[]]
    assert window.record_label.isHidden()


def test_a_dropped_lock_trigger_shows_in_red_on_the_status_bar(window, qtbot, services,
                                                               episode_id):
    shell = sqlite3.connect(str(services.db_path), isolation_level=None)
    shell.execute("DROP TRIGGER observations_signed_update")
    shell.close()
    check = window.start_record_check()
    with qtbot.waitSignal(check.finished, timeout=30_000):
        pass
    label = window.record_label
    assert label.isVisible()
    assert "Record check FAILED (1 problem): open Verify record" in label.text()
    assert "trigger observations_signed_update is missing" in label.toolTip()
    assert check.timer.isActive()  # and again every day
