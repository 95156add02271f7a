"""The MLLP listener over a real socket: ACKs, routing to chairs, bad input, survival."""

from __future__ import annotations

import queue
import socket
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor_app.domain.monitor_intake import MonitorReading
from monitor_app.services.monitor import MonitorSettings
from tests.helpers.mllp_client import END, START, ack_code, read_ack, send
from tests.helpers.monitor_messages import oru
from tests.helpers.world import good, make_world, open_iv


@pytest.fixture
def feed(tmp_path, fast_pins):
    """A clinic whose monitor MON-01 sits at chair 1 and MON-02 at chair 2 (empty)."""
    w = make_world(tmp_path / "clinic.db")
    w.s.monitor.save_settings(w.admin.id, MonitorSettings(
        enabled=True, port=2575, allowlist=("MON-01", "MON-02", "MON-03"),
        chairs=(("MON-01", "1"), ("MON-02", "2"))))
    readings: queue.Queue[MonitorReading] = queue.Queue()
    address = w.s.monitor.start(readings.put, port=0)
    assert address is not None
    yield w, address, readings
    w.s.close()


def test_off_by_default(tmp_path, fast_pins):
    w = make_world(tmp_path / "clinic.db")
    assert w.s.monitor.settings() == MonitorSettings()
    assert w.s.monitor.start(lambda r: None) is None
    assert w.s.monitor.listener is None
    w.s.close()


def test_reading_becomes_the_open_episodes_pending_reading(feed):
    w, address, readings = feed
    episode = open_iv(w, chair="1")
    assert ack_code(send(address, oru().encode())) == "AA"
    pending = w.s.monitor.route(readings.get(timeout=10))
    assert pending is not None and pending.episode_id == episode.id
    assert w.s.monitor.pending(episode.id) == pending
    assert pending.values == {"hr": "78", "bp": "132/84", "spo2": "97", "rr": "15"}
    assert not w.s.episode_view(episode.id).observations  # never saved by itself


def test_empty_chair_and_unmapped_device_attach_to_nobody(feed):
    w, address, readings = feed
    episode = open_iv(w, chair="1")
    for device in ("MON-02", "MON-03"):  # chair 2 has no episode; MON-03 has no chair
        assert ack_code(send(address, oru(device=device).encode())) == "AA"
        assert w.s.monitor.route(readings.get(timeout=10)) is None
    assert w.s.monitor.pending(episode.id) is None
    assert [r.device for r in w.s.monitor.unattached()] == ["MON-03", "MON-02"]


def test_bad_input_gets_its_ack_and_changes_nothing(feed):
    w, address, readings = feed
    episode = open_iv(w, chair="1")
    assert ack_code(send(address, oru(device="STRANGER").encode())) == "AR"
    assert ack_code(send(address, oru().replace("ORU^R01", "ADT^A01").encode())) == "AR"
    assert ack_code(send(address, oru()[:70].encode())) == "AR"  # truncated in MSH
    assert ack_code(send(address, oru().encode("utf-16"))) == "AR"
    assert ack_code(send(address, oru([("999999", "X", "MDC", "1", "")]).encode())) == "AE"
    huge = oru().replace("PID|||MRN-0000", "PID|||" + "9" * 1_000_000).encode()
    assert ack_code(send(address, huge)) == "AR"  # larger than a frame may be
    assert readings.empty()
    absurd = oru([("147842", "HR", "MDC", "400", "/min")])
    assert ack_code(send(address, absurd.encode())) == "AE"
    pending = w.s.monitor.route(readings.get(timeout=10))
    assert pending is not None and pending.values == {} and "hr" in pending.refused
    assert not w.s.episode_view(episode.id).observations
    assert ack_code(send(address, oru().encode())) == "AA"  # still answering


def test_several_frames_on_one_connection_and_noise_between(feed):
    _, address, readings = feed
    with socket.create_connection(address, timeout=10) as sock:
        for n in range(3):
            sock.sendall(b"noise" + START + oru(control_id=f"C{n}").encode() + END)
            ack = read_ack(sock)
            assert ack_code(ack) == "AA" and f"|C{n}|" in ack
    assert readings.qsize() == 3


def test_silent_client_does_not_block_others(feed):
    _, address, readings = feed
    with socket.create_connection(address, timeout=10) as silent:
        silent.sendall(START + oru().encode()[:50])  # a frame that never ends
        assert ack_code(send(address, oru(control_id="OTHER").encode())) == "AA"
    assert readings.get(timeout=10).control_id == "OTHER"


def test_the_record_keeps_its_typed_values_when_a_reading_is_refused(feed):
    w, address, readings = feed
    episode = open_iv(w, chair="1")
    w.s.record_observation(w.nurse.id, episode.id, good())
    before = w.s.episode_view(episode.id).observations
    send(address, oru([("150456", "SPO2", "MDC", "101", "%")]).encode())
    pending = w.s.monitor.route(readings.get(timeout=10))
    assert pending is not None and "spo2" in pending.refused
    assert w.s.episode_view(episode.id).observations == before


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.binary(max_size=3000), framed=st.booleans())
def test_arbitrary_bytes_never_stop_the_listener(feed, junk, framed):
    _, address, _ = feed
    payload = START + junk + END if framed else junk
    try:
        with socket.create_connection(address, timeout=10) as sock:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
    except OSError:
        pass  # the listener may close on us; what matters is that it answers next
    assert ack_code(send(address, oru().encode())) == "AA"


def test_board_marks_chairs_receiving_readings_and_quiet_ones(feed):
    w, address, readings = feed
    assert w.s.monitor.chair_signals() == {}  # just started: nothing heard, nothing late
    send(address, oru(device="MON-01").encode())
    w.s.monitor.route(readings.get(timeout=10))
    assert w.s.monitor.chair_signals() == {"1": "monitor"}
    w.clock.advance(seconds=w.s.monitor.settings().quiet_after_s + 1)
    assert w.s.monitor.chair_signals() == {"1": "no signal", "2": "no signal"}


def test_simulator_readings_are_accepted_and_drift_up_during_infusion(feed, capsys):
    import importlib.util
    import random
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "monitor_sim.py"
    spec = importlib.util.spec_from_file_location("monitor_sim", path)
    assert spec is not None and spec.loader is not None
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)
    w, address, readings = feed
    episode = open_iv(w, chair="1")
    from datetime import UTC, datetime  # the simulator stamps readings with the real time

    w.clock.advance(seconds=(datetime.now(UTC) - w.clock.now()).total_seconds() + 60)
    assert sim.main(["--port", str(address[1]), "--devices", "MON-01,MON-02",
                     "--count", "1"]) == 0
    assert capsys.readouterr().out.count(": AA") == 2
    pendings = [w.s.monitor.route(readings.get(timeout=10)) for _ in range(2)]
    mine = next(p for p in pendings if p is not None)
    assert mine.episode_id == episode.id and set(mine.values) == {"hr", "bp", "spo2", "rr"}
    rng = random.Random(3)
    before = sim.vitals(-5, 40, rng)["hr"]
    during = sim.vitals(30, 40, rng)["hr"]
    after = sim.vitals(90, 40, rng)["hr"]
    assert during > before + 8 and during > after + 8


def test_each_device_has_its_own_expected_interval_before_no_signal(feed):
    """MON-01 (chair 1) sends its NIBP cycle every 5 minutes; MON-02 (chair 2) keeps the
    default interval. Each chair turns "no signal" after its own device's interval."""
    w, address, readings = feed
    settings = w.s.monitor.settings()
    w.s.monitor.save_settings(w.admin.id, replace(settings, quiet_after_s=60,
                                                  intervals=(("MON-01", 300),)))
    for device in ("MON-01", "MON-02"):
        send(address, oru(device=device).encode())
        w.s.monitor.route(readings.get(timeout=10))
    w.clock.advance(seconds=61)
    assert w.s.monitor.chair_signals() == {"1": "monitor", "2": "no signal"}
    w.clock.advance(seconds=240)  # 301 s since MON-01's reading
    assert w.s.monitor.chair_signals() == {"1": "no signal", "2": "no signal"}
    send(address, oru(device="MON-01", control_id="again").encode())
    w.s.monitor.route(readings.get(timeout=10))
    assert w.s.monitor.chair_signals()["1"] == "monitor"


def test_an_interval_is_typed_after_the_chair_and_checked():
    from monitor_app.domain.models import ValidationError
    from monitor_app.services.monitor import check_settings, mapping_from_text

    chairs, intervals = mapping_from_text("MON-01 = 1, 300\nBAY-2 = 2\nMON-03 = 3, 90 s")
    assert chairs == (("MON-01", "1"), ("BAY-2", "2"), ("MON-03", "3"))
    assert intervals == (("MON-01", 300), ("MON-03", 90))
    settings = check_settings(MonitorSettings(chairs=chairs, intervals=intervals))
    assert settings.interval_of("mon-01") == 300 and settings.interval_of("BAY-2") == 120
    with pytest.raises(ValidationError, match="interval in seconds"):
        mapping_from_text("MON-01 = 1, soon")
    with pytest.raises(ValidationError, match="10 to 3600"):
        check_settings(MonitorSettings(chairs=(("MON-01", "1"),), intervals=(("MON-01", 5),)))
