"""Readings from a bedside monitor over a real socket, into the episode's entry form."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from monitor_app.domain.models import ObservationSource
from monitor_app.gui.episode.table_models import COL_BY
from monitor_app.gui.monitor.feed import MonitorFeed
from monitor_app.services.monitor import MonitorSettings
from tests.helpers.gui import open_window
from tests.helpers.mllp_client import ack_code, send
from tests.helpers.monitor_messages import oru

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def feed(qtbot, services, staff, session):
    """Monitor MON-01 at chair 1 (the episode's), MON-02 at chair 2 (empty)."""
    services.monitor.save_settings(staff["admin"], MonitorSettings(
        enabled=True, allowlist=("MON-01", "MON-02"),
        chairs=(("MON-01", "1"), ("MON-02", "2"))))
    feed = MonitorFeed(services)
    session.monitor_feed = feed
    assert feed.start(port=0) is not None
    yield feed
    feed.stop()


def field(window, key: str) -> QLineEdit:
    return window.findChild(QLineEdit, key)


def saved_sources(services, episode_id):
    return [o.source for o in services.episode_view(episode_id).observations]


def test_reading_fills_the_form_and_enter_saves_it_as_monitor(qtbot, feed, session,
                                                                services, episode_id):
    window = open_window(qtbot, session, episode_id)
    assert ack_code(send(feed.address, oru().encode())) == "AA"
    qtbot.waitUntil(lambda: field(window, "hr").text() == "78")
    assert {k: field(window, k).text() for k in ("bp", "spo2", "rr")} == {
        "bp": "132/84", "spo2": "97", "rr": "15"}
    banner = window.findChild(QLabel, "monitor_reading")
    assert banner.isVisible() and "From monitor MON-01" in banner.text()
    assert saved_sources(services, episode_id) == [ObservationSource.MANUAL]  # not saved
    qtbot.keyClicks(field(window, "moaas"), "5")
    qtbot.keyClicks(field(window, "dissociation"), "1")
    qtbot.keyClick(field(window, "dissociation"), Qt.Key.Key_Return)
    assert saved_sources(services, episode_id) == [ObservationSource.MANUAL,
                                                   ObservationSource.MONITOR]
    last = services.episode_view(episode_id).observations[-1]
    assert (last.vitals.hr, last.vitals.sbp, last.vitals.moaas) == (78, 132, 5)
    assert not banner.isVisible() and services.monitor.pending(episode_id) is None
    rows = window.model.rowCount()
    by = window.model.index(rows - 1, COL_BY).data()
    assert "(monitor)" in by or "(monitor)" in window.model.index(0, COL_BY).data()


def test_a_value_the_nurse_changes_is_saved_as_manual(qtbot, feed, session, services,
                                                      episode_id):
    window = open_window(qtbot, session, episode_id)
    send(feed.address, oru().encode())
    qtbot.waitUntil(lambda: field(window, "hr").text() == "78")
    field(window, "hr").setText("80")
    qtbot.keyClicks(field(window, "moaas"), "5")
    qtbot.keyClicks(field(window, "dissociation"), "0")
    qtbot.keyClick(field(window, "dissociation"), Qt.Key.Key_Return)
    assert saved_sources(services, episode_id)[-1] == ObservationSource.MANUAL
    assert services.episode_view(episode_id).observations[-1].vitals.hr == 80


def test_refused_value_is_shown_refused_and_not_filled(qtbot, feed, session, services,
                                                       episode_id):
    window = open_window(qtbot, session, episode_id)
    absurd = oru([("147842", "HR", "MDC", "400", "/min"), ("150456", "SPO2", "MDC", "96", "%")])
    assert ack_code(send(feed.address, absurd.encode())) == "AE"
    qtbot.waitUntil(lambda: field(window, "spo2").text() == "96")
    assert field(window, "hr").text() == ""
    assert "heart rate 400 is outside" in window.form.fields.errors["hr"].text()
    assert len(services.episode_view(episode_id).observations) == 1


def test_empty_chair_reading_reaches_no_form(qtbot, feed, session, services, episode_id):
    window = open_window(qtbot, session, episode_id)
    with qtbot.waitSignal(feed.unattached, timeout=10000) as caught:
        assert ack_code(send(feed.address, oru(device="MON-02").encode())) == "AA"
    assert caught.args[0].chair == "2"
    assert field(window, "hr").text() == ""
    assert services.monitor.pending(episode_id) is None
    assert [r.device for r in services.monitor.unattached()] == ["MON-02"]


def test_settings_dialog_enables_the_listener_and_refuses_a_bad_mapping(qtbot, services,
                                                                         admin_session):
    from monitor_app.gui.monitor.settings_dialog import MonitorSettingsDialog

    session = admin_session
    feed = MonitorFeed(services)
    session.monitor_feed = feed
    dialog = MonitorSettingsDialog(session)
    qtbot.addWidget(dialog)
    assert not dialog.enabled.isChecked()  # off by default
    dialog.enabled.setChecked(True)
    dialog.port.setValue(free_port())
    dialog.form.fields["monitor_allowlist"].setText("MON-01, MON-02")
    dialog.chairs.setPlainText("MON-01 3")  # no "="
    dialog._on_ok_clicked()
    assert "device = chair" in dialog.form.errors["monitor_chairs"].text()
    assert services.monitor.settings().enabled is False  # nothing saved
    dialog.chairs.setPlainText("MON-01 = 3\nBAY-2 = 2")
    dialog._on_ok_clicked()
    saved = services.monitor.settings()
    assert saved.enabled and saved.allowlist == ("MON-01", "MON-02")
    assert saved.chairs == (("MON-01", "3"), ("BAY-2", "2"))
    assert feed.address is not None and feed.address[0] == "127.0.0.1"
    assert ack_code(send(feed.address, oru().encode())) == "AA"
    feed.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_board_marks_the_chair_whose_monitor_sends(qtbot, feed, services, episode_id):
    from monitor_app.gui.board.board import COL_CHAIR, BoardModel

    model = BoardModel(services.clock)
    model.monitor_marks = services.monitor.chair_signals()
    model.set_rows(services.board())
    assert model.index(0, COL_CHAIR).data() == "1"
    with qtbot.waitSignal(feed.pending_changed, timeout=10000):
        send(feed.address, oru().encode())
    model.monitor_marks = services.monitor.chair_signals()
    model.set_rows(services.board())
    assert model.index(0, COL_CHAIR).data() == "1 ◉"
    assert model.index(0, COL_CHAIR).data(Qt.ItemDataRole.ToolTipRole) == \
        "Bedside monitor: readings arriving"


def test_board_says_no_signal_when_the_chairs_device_is_quiet_past_its_interval(
        qtbot, feed, services, staff, episode_id, clock):
    from monitor_app.gui.board.board import COL_CHAIR, COL_STATUS, BoardModel

    settings = services.monitor.settings()
    services.monitor.save_settings(staff["admin"], replace(
        settings, intervals=(("MON-01", 300),)))
    model = BoardModel(services.clock)
    with qtbot.waitSignal(feed.pending_changed, timeout=10000):
        send(feed.address, oru().encode())
    clock.advance(seconds=settings.quiet_after_s + 1)  # past the default, not MON-01's own
    model.monitor_marks = services.monitor.chair_signals()
    model.set_rows(services.board())
    assert "no signal" not in model.index(0, COL_STATUS).data()
    clock.advance(seconds=300)
    model.monitor_marks = services.monitor.chair_signals()
    model.set_rows(services.board())
    assert model.index(0, COL_CHAIR).data() == "1 ⊘"
    assert model.index(0, COL_STATUS).data().endswith("⊘ no signal")


def test_settings_dialog_takes_a_devices_own_interval(qtbot, services, admin_session):
    from monitor_app.gui.monitor.settings_dialog import MonitorSettingsDialog

    session = admin_session
    dialog = MonitorSettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.form.fields["monitor_allowlist"].setText("MON-01")
    dialog.chairs.setPlainText("MON-01 = 3, every five minutes")
    dialog._on_ok_clicked()
    assert "interval in seconds" in dialog.form.errors["monitor_chairs"].text()
    assert services.monitor.settings().chairs == ()  # nothing saved
    dialog.chairs.setPlainText("MON-01 = 3, 300\nBAY-2 = 2")
    dialog._on_ok_clicked()
    saved = services.monitor.settings()
    assert saved.intervals == (("MON-01", 300),)
    assert saved.interval_of("BAY-2") == saved.quiet_after_s
    again = MonitorSettingsDialog(session)
    qtbot.addWidget(again)
    assert again.chairs.toPlainText() == "MON-01 = 3, 300\nBAY-2 = 2"


def test_after_a_restart_the_episode_form_shows_the_unconfirmed_reading(qtbot, tmp_path,
                                                                        fast_pins):
    from monitor_app.gui.common.session import Session
    from monitor_app.services import Services
    from tests.helpers.world import make_world, open_iv

    w = make_world(tmp_path / "clinic.db")
    w.s.monitor.save_settings(w.admin.id, MonitorSettings(
        enabled=True, allowlist=("MON-01",), chairs=(("MON-01", "1"),)))
    episode = open_iv(w, chair="1")
    first = MonitorFeed(w.s)
    assert first.start(port=0) is not None
    with qtbot.waitSignal(first.pending_changed, timeout=10000):
        send(first.address, oru().encode())
    first.stop()
    w.s.close()  # the app stops before the nurse confirmed the reading
    w.clock.advance(minutes=3)
    services = Services.open(w.path, clock=w.clock)
    try:
        session = Session(services)
        session.sign_in(services.staff_member(w.nurse.id))
        window = open_window(qtbot, session, episode.id)
        assert {k: field(window, k).text() for k in ("hr", "bp", "spo2", "rr")} == {
            "hr": "78", "bp": "132/84", "spo2": "97", "rr": "15"}
        assert "From monitor MON-01" in window.findChild(QLabel, "monitor_reading").text()
        assert not services.episode_view(episode.id).observations
        window.close()
    finally:
        services.close()
