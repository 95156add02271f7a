"""Bench of the bedside-monitor feed: ORU^R01 over MLLP to the running listener.

Messages per second accepted (one connection, each message sent and its AA read back)
and the time from a message's first byte sent to the pending reading in the episode
(the listener's thread hands it over a queue; routing runs in the caller's thread, as
the GUI thread does), at core level; and the same on screen (``monitor_on_screen``):
an episode window open in a QApplication, until the entry form paints the value.
"""

from __future__ import annotations

import queue
import socket
import statistics
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject
from PySide6.QtWidgets import QLineEdit

from monitor_app.clock import FixedClock
from monitor_app.domain.models import Episode, Escort, Role, Staff
from monitor_app.services import Services
from monitor_app.services.monitor import MonitorSettings
from tests.helpers.mllp_client import END, START, ack_code, read_ack
from tests.helpers.monitor_messages import VITALS, oru

MESSAGES = 1000
LATENCY_RUNS = 201


def monitored_chair(path: Path, clock: FixedClock) -> tuple[Services, Staff, Episode]:
    """A new clinic whose monitor MON-01 is on at chair 1, where an IV episode is open:
    (services, the nurse, the episode)."""
    s = Services.open(path, clock=clock)
    admin = s.setup_clinic("Bench", "Ada Admin", "RN", "135791", "135791")
    nurse = s.add_staff(admin.id, "Nina Nurse", "RN", Role.NURSE, "246802", "246802")
    patient = s.add_patient(admin.id, "MRN-1", "Pat Bench", "1980-01-01", "F")
    protocol = s.protocols["ketamine-iv"]
    episode = s.open_episode(nurse.id, patient.id, "ketamine-iv", "1", 70, 35,
                             Escort("Sam", "partner", "555-0100"),
                             {i.key: True for i in protocol.precheck})
    s.monitor.save_settings(admin.id, MonitorSettings(
        enabled=True, allowlist=("MON-01",), chairs=(("MON-01", "1"),)))
    return s, nurse, episode


def monitor_feed(tmp: Path, clock: FixedClock) -> tuple[float, float]:
    """(messages per second accepted, median ms from message to pending reading)."""
    s, _nurse, episode = monitored_chair(tmp / "monitor-bench.db", clock)
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


SCREEN_RUNS = 51


class _Painted(QObject):
    """Notes when the heart-rate field is painted holding the value waited for."""

    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        self.expected = ""
        self.at: float | None = None
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Paint and self.at is None
                and self.edit.text() == self.expected):
            self.at = time.perf_counter()
        return False


def monitor_on_screen(tmp: Path, clock: FixedClock) -> float:
    """Median ms from a message's first byte sent to its heart rate painted in the open
    episode window's entry form: the real listener, the feed's queued signal to the GUI
    thread, routing, the banner filling the form, the paint (offscreen platform)."""
    from PySide6.QtWidgets import QApplication

    from monitor_app.gui.common.session import Session
    from monitor_app.gui.episode.episode_view import EpisodeWindow
    from monitor_app.gui.monitor.feed import MonitorFeed

    app = QApplication.instance() or QApplication([])
    s, nurse, episode = monitored_chair(tmp / "monitor-screen.db", clock)
    session = Session(s)
    session.sign_in(s.staff_member(nurse.id))
    feed = MonitorFeed(s)
    session.monitor_feed = feed
    address = feed.start(port=0)
    assert address is not None
    window = EpisodeWindow(session, episode.id)
    window.show()
    hr = window.findChild(QLineEdit, "hr")
    painted = _Painted(hr)
    when = clock.now().strftime("%Y%m%d%H%M%S+0000")
    wait = QEventLoop.ProcessEventsFlag.WaitForMoreEvents
    latencies = []
    try:
        with socket.create_connection(address, timeout=10) as sock:
            for n in range(SCREEN_RUNS + 1):
                value = str(60 + n % 60)  # a new value each time: the field must change
                vitals = ((*VITALS[0][:3], value, VITALS[0][4]), *VITALS[1:])
                data = START + oru(vitals, control_id=f"S{n}", when=when).encode() + END
                painted.expected, painted.at = value, None
                began = time.perf_counter()
                sock.sendall(data)
                limit = began + 10
                while painted.at is None and time.perf_counter() < limit:
                    app.processEvents(wait, 50)
                assert painted.at is not None, "the reading never reached the screen"
                if n:  # the first one pays for first-time layout and fonts
                    latencies.append(painted.at - began)
                assert ack_code(read_ack(sock)) == "AA"
    finally:
        window.close()
        feed.stop()
        s.close()
    return statistics.median(latencies) * 1e3


def main() -> None:
    """The two monitor rows alone (``make bench`` prints them with the rest)."""
    import tempfile

    from benchmarks.history import bench_clock
    from monitor_app.domain import pins

    pins.COST = pins.TEST_COST
    with tempfile.TemporaryDirectory() as name:
        rate, core = monitor_feed(Path(name), bench_clock())
        screen = monitor_on_screen(Path(name), bench_clock())
    print(f"messages accepted per second: {rate:.0f}/s; message to pending reading "
          f"(core): {core:.2f} ms; to its values painted in the entry form: {screen:.1f} ms")


if __name__ == "__main__":  # QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_monitor
    main()
