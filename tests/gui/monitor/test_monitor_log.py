"""The log of monitor readings that reached no patient, opened from the board's menu,
filled by readings sent over a real socket to the station's running listener."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QTableWidget

from monitor_app.gui.board.main_window import MainWindow
from monitor_app.services.monitor import MonitorSettings
from tests.helpers.gui import shown_board
from tests.helpers.mllp_client import ack_code, send
from tests.helpers.monitor_messages import oru

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def window(qtbot, services, staff, session, episode_id) -> MainWindow:
    """The board with monitors on: MON-01 at chair 1 (the episode's), MON-02 at the empty
    chair 2, MON-03 allowed but mapped to no chair."""
    services.monitor.save_settings(staff["admin"], MonitorSettings(
        enabled=True, allowlist=("MON-01", "MON-02", "MON-03"),
        chairs=(("MON-01", "1"), ("MON-02", "2"))))
    w = shown_board(qtbot, session, started=True)  # the listener starts after the paint
    assert w.monitor_feed.start(port=0) is not None  # again, on any free port
    yield w
    w.monitor_feed.stop()


def rows(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_the_log_lists_readings_for_no_patient_and_fills_while_open(qtbot, window, services,
                                                                     episode_id):
    feed = window.monitor_feed
    with qtbot.waitSignal(feed.unattached, timeout=10000):
        assert ack_code(send(feed.address, oru(device="MON-02").encode())) == "AA"
    window.actions_by_key["monitor_log"].trigger()
    log = window.tools.windows["monitor_log"]
    qtbot.addWidget(log)
    assert log.isVisible()
    table = log.findChild(QTableWidget, "monitor_log_readings")
    [first] = rows(table)
    assert first[1:] == ["MON-02", "2", "HR 78  BP 132/84  SpO2 97  RR 15",
                         "no open episode in chair 2"]
    assert not log.findChild(QLabel, "monitor_log_empty").isVisible()
    send(feed.address, oru(device="MON-03", control_id="M3").encode())
    qtbot.waitUntil(lambda: table.rowCount() == 2)  # newest first, while the log is open
    assert rows(table)[0][1:3] == ["MON-03", "—"]
    assert rows(table)[0][4].startswith("device not mapped to a chair")
    with qtbot.waitSignal(feed.pending_changed, timeout=10000):  # chair 1: the episode's
        send(feed.address, oru(device="MON-01", control_id="M1").encode())
    assert table.rowCount() == 2
    observations = services.episode_view(episode_id).observations
    assert len(observations) == 1  # the baseline only: nothing was attached or saved


def test_the_log_says_when_nothing_went_unattached(qtbot, window):
    window.actions_by_key["monitor_log"].trigger()
    log = window.tools.windows["monitor_log"]
    qtbot.addWidget(log)
    assert log.findChild(QTableWidget, "monitor_log_readings").rowCount() == 0
    assert log.findChild(QLabel, "monitor_log_empty").isVisible()
