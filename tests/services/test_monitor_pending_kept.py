"""A pending monitor reading the nurse has not confirmed survives a restart of the app
while it is recent, outside the record: never an observation, never audited."""

from __future__ import annotations

import queue

import pytest

from monitor_app.services import Services
from monitor_app.services.monitor import MonitorSettings
from tests.helpers.mllp_client import ack_code, send
from tests.helpers.monitor_messages import oru
from tests.helpers.world import World, good, make_world, open_iv


@pytest.fixture
def world(tmp_path, fast_pins):
    w = make_world(tmp_path / "clinic.db")
    w.s.monitor.save_settings(w.admin.id, MonitorSettings(
        enabled=True, allowlist=("MON-01",), chairs=(("MON-01", "1"),)))
    yield w
    w.s.close()


def receive(w: World, message: str) -> None:
    """One reading over a real socket to the running listener, routed as the GUI does."""
    readings: queue.Queue = queue.Queue()
    address = w.s.monitor.start(readings.put, port=0)
    assert address is not None
    try:
        assert ack_code(send(address, message.encode())) == "AA"
        assert w.s.monitor.route(readings.get(timeout=10)) is not None
    finally:
        w.s.monitor.stop()


def restart(w: World) -> None:
    w.s.close()
    w.services = Services.open(w.path, clock=w.clock)


def audit_events(w: World) -> int:
    return w.s.db.execute("SELECT count(*) FROM audit").fetchone()[0]


def test_a_pending_reading_is_in_the_form_again_after_a_restart(world):
    w = world
    episode = open_iv(w, chair="1")
    events = audit_events(w)
    receive(w, oru())
    assert audit_events(w) == events  # kept outside the record
    w.clock.advance(minutes=2)
    restart(w)
    pending = w.s.monitor.pending(episode.id)
    assert pending is not None
    assert pending.values == {"hr": "78", "bp": "132/84", "spo2": "97", "rr": "15"}
    assert pending.reading.device == "MON-01"
    assert not w.s.episode_view(episode.id).observations  # never saved by itself
    assert audit_events(w) == events
    assert w.s.verify() == []


def test_a_reading_older_than_the_protocols_check_interval_is_dropped(world):
    w = world
    episode = open_iv(w, chair="1")  # IV: a check every 10 minutes at the shortest
    receive(w, oru())
    w.clock.advance(minutes=11)
    restart(w)
    assert w.s.monitor.pending(episode.id) is None
    assert w.s.db.execute("SELECT count(*) FROM _monitor_pending").fetchone()[0] == 0


def test_a_reading_the_nurse_saved_does_not_come_back(world):
    w = world
    episode = open_iv(w, chair="1")
    receive(w, oru())
    pending = w.s.monitor.pending(episode.id)
    assert pending is not None
    w.s.record_observation(w.nurse.id, episode.id, good(hr="78"))
    w.s.monitor.discard_pending(episode.id, pending.reading)  # what Enter does
    restart(w)
    assert w.s.monitor.pending(episode.id) is None


def test_a_reading_of_an_episode_cancelled_meanwhile_is_dropped(world):
    w = world
    episode = open_iv(w, chair="1")
    receive(w, oru())
    w.s.cancel_episode(w.nurse.id, episode.id, "patient left")
    restart(w)
    assert w.s.monitor.pending(episode.id) is None
    assert w.s.db.execute("SELECT count(*) FROM _monitor_pending").fetchone()[0] == 0
