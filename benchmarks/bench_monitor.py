"""Bench of the bedside-monitor feed: ORU^R01 over MLLP to the running listener.

Messages per second accepted (one connection, each message sent and its AA read back)
and the time from a message's first byte sent to the pending reading in the episode
(the listener's thread hands it over a queue; routing runs in the caller's thread, as
the GUI thread does). Core level: no Qt event loop in the measurement.
"""

from __future__ import annotations

import queue
import socket
import statistics
import time
from pathlib import Path

from monitor_app.clock import FixedClock
from monitor_app.domain.models import Escort, Role
from monitor_app.services import Services
from monitor_app.services.monitor import MonitorSettings
from tests.helpers.mllp_client import END, START, ack_code, read_ack
from tests.helpers.monitor_messages import oru

MESSAGES = 1000
LATENCY_RUNS = 201


def monitor_feed(tmp: Path, clock: FixedClock) -> tuple[float, float]:
    """(messages per second accepted, median ms from message to pending reading)."""
    s = Services.open(tmp / "monitor-bench.db", clock=clock)
    admin = s.setup_clinic("Bench", "Ada Admin", "RN", "135791", "135791")
    nurse = s.add_staff(admin.id, "Nina Nurse", "RN", Role.NURSE, "246802", "246802")
    patient = s.add_patient(admin.id, "MRN-1", "Pat Bench", "1980-01-01", "F")
    protocol = s.protocols["ketamine-iv"]
    episode = s.open_episode(nurse.id, patient.id, "ketamine-iv", "1", 70, 35,
                             Escort("Sam", "partner", "555-0100"),
                             {i.key: True for i in protocol.precheck})
    s.monitor.save_settings(admin.id, MonitorSettings(
        enabled=True, allowlist=("MON-01",), chairs=(("MON-01", "1"),)))
    readings: queue.Queue = queue.Queue()
    address = s.monitor.start(readings.put, port=0)
    assert address is not None
    when = clock.now().strftime("%Y%m%d%H%M%S+0000")
    frames = [START + oru(control_id=f"B{n}", when=when).encode() + END
              for n in range(max(MESSAGES, LATENCY_RUNS))]
    try:
        with socket.create_connection(address, timeout=10) as sock:
            began = time.perf_counter()
            for data in frames[:MESSAGES]:
                sock.sendall(data)
                assert ack_code(read_ack(sock)) == "AA"
            rate = MESSAGES / (time.perf_counter() - began)
            while not readings.empty():
                readings.get()
            latencies = []
            for data in frames[:LATENCY_RUNS]:
                began = time.perf_counter()
                sock.sendall(data)
                pending = s.monitor.route(readings.get(timeout=10))
                latencies.append(time.perf_counter() - began)
                assert pending is not None and pending.episode_id == episode.id
                read_ack(sock)
    finally:
        s.close()
    return rate, statistics.median(latencies) * 1e3
