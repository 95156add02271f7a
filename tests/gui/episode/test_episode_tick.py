"""The episode window's countdown ticks from its cached view: no ``episode_view`` call a
second, the text the nurse reads still moves with the clock, and a change written by
another station is picked up by the next tick."""

from __future__ import annotations

import pytest

from monitor_app.clock import FixedClock
from monitor_app.gui.episode.table_models import COL_HR
from monitor_app.services import Services
from tests.helpers.gui import FULL, cell, open_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def dosing(services, staff, episode_id, clock) -> int:
    services.start_dosing(staff["nurse"], episode_id)  # IV: first check due 10 min on
    return episode_id


def count_views(monkeypatch, services: Services) -> list[int]:
    calls: list[int] = []
    real = services.episode_view

    def counted(episode_id: int):
        calls.append(episode_id)
        return real(episode_id)

    monkeypatch.setattr(services, "episode_view", counted)
    return calls


def status(window) -> str:
    return window.header.text("schedule_status")


def test_ticks_move_the_countdown_without_rebuilding_the_view(qtbot, session, services,
                                                              dosing, clock, monkeypatch):
    window = open_window(qtbot, session, dosing)
    calls = count_views(monkeypatch, services)
    seen = []
    for _ in range(50):  # 50 ticks of 15 s: from 10 min to go to 2:15 late
        window._on_timer_timeout()
        seen.append(status(window))
        clock.advance(seconds=15)
    assert calls == []
    assert seen[0].startswith("Next: during infusion +10 min") and "in 10:00" in seen[0]
    assert "in 9:45" in seen[1]
    assert any(t.startswith("◷ Due soon") and "in 1:00" in t for t in seen)
    assert seen[-1].startswith("⚠ OVERDUE by 2:15")
    assert window.header.labels["schedule_status"].property("state") == "overdue"


def test_the_first_second_past_due_is_not_overdue_by_zero(qtbot, session, dosing, clock):
    window = open_window(qtbot, session, dosing)
    clock.advance(minutes=10)  # exactly the due time: the protocol's grace is 0
    window._on_timer_timeout()
    assert "0:00" not in status(window)
    assert status(window).startswith("◷ DUE NOW: during infusion +10 min")
    clock.advance(seconds=0.4)
    window._on_timer_timeout()
    assert status(window).startswith("⚠ OVERDUE by 0:01")
    clock.advance(seconds=59.6)
    window._on_timer_timeout()
    assert status(window).startswith("⚠ OVERDUE by 1:00")


def test_another_stations_save_is_shown_on_the_next_tick(qtbot, session, services, staff,
                                                         dosing, clock, tmp_path,
                                                         monkeypatch):
    window = open_window(qtbot, session, dosing)
    calls = count_views(monkeypatch, services)
    for _ in range(3):
        window._on_timer_timeout()
    assert calls == []
    other = Services.open(tmp_path / "clinic.db", clock=FixedClock(clock.now()))
    try:
        clock.advance(minutes=9)
        other.clock.advance(minutes=9)
        other.record_observation(staff["nurse"], dosing, {**FULL, "hr": "91"})
    finally:
        other.close()
    window._on_timer_timeout()
    assert calls == [dosing]
    assert window.model.rowCount() == 2 and cell(window, 1, COL_HR) == "91"
    assert status(window).startswith("Next: during infusion +20 min")
    window._on_timer_timeout()
    assert calls == [dosing]  # read once, then ticking again


def test_a_save_here_needs_no_new_view(qtbot, session, services, dosing, clock,
                                       monkeypatch):
    from tests.helpers.gui import Keyboard

    window = open_window(qtbot, session, dosing)
    calls = count_views(monkeypatch, services)
    clock.advance(minutes=10, seconds=30)
    window._on_timer_timeout()
    assert status(window).startswith("⚠ OVERDUE by 0:30")
    Keyboard(qtbot).fields("88", "132/84", "97", "16", "5", "0")
    assert cell(window, 1, COL_HR) == "88"
    assert status(window).startswith("Next: during infusion +20 min")
    for _ in range(5):
        clock.advance(seconds=1)
        window._on_timer_timeout()
    assert calls == []
