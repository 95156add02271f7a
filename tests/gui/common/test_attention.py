"""Attention: the chime and taskbar alert on a chair turning due or overdue, the lock
screen's chair states without names, and the question before quitting."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from monitor_app.gui.board.main_window import MainWindow
from monitor_app.gui.common import attention
from tests.helpers.gui import shown_board

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

PATIENT, MRN = "Jo O'Hara", "MRN-1"


class FakePlayer:
    def __init__(self) -> None:
        self.volumes: list[int] = []

    def play(self, volume: int) -> None:
        self.volumes.append(volume)


@pytest.fixture
def alerts(monkeypatch) -> list[object]:
    seen: list[object] = []
    monkeypatch.setattr(QApplication, "alert",
                        staticmethod(lambda widget, msec=0: seen.append(widget)))
    return seen


@pytest.fixture
def dosing(services, staff, episode_id) -> int:
    """Dosing has started: the next check is due in 10 minutes, with no grace."""
    services.start_dosing(staff["nurse"], episode_id)
    return episode_id


@pytest.fixture
def station(qtbot, session, dosing) -> MainWindow:
    return shown_board(qtbot, session, started=True)  # the chime follows the paint


def test_turning_overdue_chimes_and_alerts_once(station, clock, alerts):
    player = FakePlayer()
    station.attention.player = player
    station._on_tick_timeout()
    clock.advance(minutes=9)  # due soon: no sound yet
    station._on_tick_timeout()
    assert station.model.rows[0].status.state == "due_soon"
    assert (player.volumes, alerts) == ([], [])
    clock.advance(minutes=1)
    station._on_tick_timeout()
    assert station.model.rows[0].status.state == "overdue"
    assert player.volumes == [70] and alerts == [station]
    for _ in range(3):  # still overdue: every later tick and reload stays quiet
        clock.advance(seconds=30)
        station._on_tick_timeout()
    station.reload()
    assert player.volumes == [70] and alerts == [station]


def test_a_chair_already_overdue_at_start_chimes_once_the_board_is_shown(
        qtbot, session, dosing, clock, alerts):
    clock.advance(minutes=12)  # the station starts with chair 1 overdue
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.tick_timer.stop()
    player = window.attention.player = FakePlayer()
    assert window.model.rows[0].status.state == "overdue"
    assert player.volumes == []  # not on the way to the board's first paint
    window.show()
    qtbot.waitUntil(lambda: window.started)
    assert player.volumes == [70] and alerts == [window]
    window.reload()
    window.tick()
    assert player.volumes == [70]  # once


def test_the_volume_setting_is_used_and_zero_is_silent_but_still_alerts(
        station, services, staff, clock, alerts, _quiet_station):
    from dataclasses import replace

    services.save_settings(staff["admin"], replace(services.settings(), alert_volume=0))
    station.reload()
    clock.advance(minutes=10)
    station._on_tick_timeout()
    assert _quiet_station == []  # the real player: no beep, no sound at volume 0
    assert alerts == [station]


def test_the_chime_falls_back_to_a_beep_without_qt_multimedia(qapp, monkeypatch,
                                                              _quiet_station):
    monkeypatch.undo()  # the real _make_effect, with Qt Multimedia made unimportable
    beeps: list[str] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append("beep")))
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)
    player = attention.SoundPlayer()
    player.play(50)
    player.play(0)
    assert beeps == ["beep"]


def test_the_chime_file_is_a_short_wav(qapp):
    import wave

    with wave.open(str(attention.chime_path())) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        assert sound.getsampwidth() == 2 and 0.2 <= seconds <= 1.0


def test_lock_screen_shows_each_chair_state_without_names(
        qtbot, station, services, staff, clock, dosing):
    clock.advance(minutes=5)
    services.record_observation(staff["nurse"], dosing, {
        "hr": "88", "bp": "182/112", "spo2": "97", "rr": "14", "moaas": "5",
        "dissociation": "0"})
    station.reload()
    station.lock()
    tile = station.lock_page.findChild(QLabel, "lock_chair_1")
    assert tile is not None and tile.isVisible()
    assert "Chair 1" in tile.text() and "FLAGGED" in tile.text()
    assert "OVERDUE" not in tile.text()
    clock.advance(minutes=16)  # the +20 min check is missed
    station._on_tick_timeout()  # the lock screen follows the tick
    tile = station.lock_page.findChild(QLabel, "lock_chair_1")
    assert "⚠ OVERDUE" in tile.text() and "FLAGGED" in tile.text()
    texts = [label.text() for label in station.findChildren(QLabel) if label.isVisible()]
    assert texts and not [t for t in texts if PATIENT in t or MRN in t or "182" in t]


def test_quit_with_active_chairs_asks_and_cancel_keeps_the_station_open(
        station, monkeypatch):
    asked: list[int] = []
    answer = [False]
    monkeypatch.setattr(attention, "ask_quit",
                        lambda parent, active: asked.append(active) or answer[0])
    quit_action = next(a for a in station.menuBar().actions()[0].menu().actions()
                       if a.text() == "Quit")
    quit_action.trigger()
    assert asked == [1]
    assert station.isVisible() and station.tick_timer.isActive() is False  # untouched
    answer[0] = True
    assert station.close()
    assert asked == [1, 1] and not station.isVisible()


def test_quit_with_no_active_chairs_does_not_ask(qtbot, session, monkeypatch):
    asked: list[int] = []
    monkeypatch.setattr(attention, "ask_quit", lambda parent, active: asked.append(active))
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    assert window.close()
    assert asked == []


def test_settings_store_the_alert_volume_and_zero_reads_off(qtbot, session, services, staff):
    from dataclasses import replace

    from monitor_app.domain.models import ValidationError
    from monitor_app.gui.staff.settings_dialog import SettingsDialog

    session.sign_in(services.staff_member(staff["admin"]))
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.volume.value() == 70  # the default
    dialog.volume.setValue(0)
    assert dialog.volume.text() == "off"
    dialog._on_ok_clicked()
    assert services.settings().alert_volume == 0
    with pytest.raises(ValidationError) as refused:
        services.save_settings(staff["admin"], replace(services.settings(), alert_volume=101))
    assert refused.value.field == "alert_volume"
    assert services.settings().alert_volume == 0
