"""The MLLP listener: a TCP server with one thread per connection (``socketserver``).

Every frame gets an ACK from ``monitor_intake.take_message``; a reading is handed to
``on_reading`` in the connection's thread (the caller queues it for its own thread: the
database connection belongs to the GUI thread). A silent client times out; a client that
drips bytes holds only its own thread; connections beyond ``max_connections`` are closed
at once; a frame over ``max_frame`` bytes is answered AR and the connection closed.
Nothing a client sends can stop the server.
"""

from __future__ import annotations

import itertools
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass

from monitor_app.clock import Clock
from monitor_app.domain.hl7_message import END, START, frame
from monitor_app.domain.monitor_intake import (
    MonitorConfig,
    MonitorReading,
    refuse_frame,
    take_message,
)

log = logging.getLogger(__name__)
MAX_FRAME = 64 * 1024


@dataclass
class ListenerStats:
    accepted: int = 0  # AA
    errors: int = 0  # AE
    rejected: int = 0  # AR


class MllpListener:
    def __init__(self, host: str, port: int, config: Callable[[], MonitorConfig], clock: Clock,
                 on_reading: Callable[[MonitorReading], None], *, timeout_s: float = 15.0,
                 max_frame: int = MAX_FRAME, max_connections: int = 32) -> None:
        self._config = config
        self._clock = clock
        self._on_reading = on_reading
        self.timeout_s = timeout_s
        self.max_frame = max_frame
        self._slots = threading.BoundedSemaphore(max_connections)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.stats = ListenerStats()
        self._server = _Server((host, port), _Handler, listener=self)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2},
                                        name="mllp-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _ack_id(self) -> str:
        with self._lock:
            return f"ACK{next(self._ids)}"

    def _count(self, code: str) -> None:
        with self._lock:
            if code == "AA":
                self.stats.accepted += 1
            elif code == "AE":
                self.stats.errors += 1
            else:
                self.stats.rejected += 1

    def serve(self, sock: socket.socket) -> None:
        """One connection: frames in, ACKs out, until the client closes or falls silent."""
        if not self._slots.acquire(blocking=False):
            return  # too many connections: this one is closed unanswered
        try:
            sock.settimeout(self.timeout_s)
            self._frames(sock)
        except OSError:
            pass  # timeout, reset: the connection ends, the server goes on
        finally:
            self._slots.release()

    def _frames(self, sock: socket.socket) -> None:
        buffer = bytearray()
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return
            buffer += chunk
            while True:
                start = buffer.find(START)
                if start < 0:
                    buffer.clear()  # bytes outside a frame are dropped
                    break
                del buffer[:start]
                end = buffer.find(END)
                if end < 0 or end - 1 > self.max_frame:
                    if len(buffer) - 1 > self.max_frame:
                        self._reply(sock, refuse_frame(
                            f"frame larger than {self.max_frame} bytes", self._clock.now(),
                            self._ack_id()), "AR")
                        return
                    break
                data = bytes(buffer[1:end])
                del buffer[:end + len(END)]
                self._message(sock, data)

    def _message(self, sock: socket.socket, data: bytes) -> None:
        try:
            intake = take_message(data, self._config(), self._clock.now(), self._ack_id())
        except Exception:  # a bug must not take the station's listener down
            log.exception("monitor message could not be processed")
            self._reply(sock, refuse_frame("message could not be processed",
                                           self._clock.now(), self._ack_id()), "AR")
            return
        if intake.code != "AA":
            log.warning("monitor message %s: %s", intake.code, intake.reason)
        if intake.reading is not None:
            for note in intake.reading.ignored:
                log.info("monitor %s: ignored %s", intake.reading.device, note)
            try:
                self._on_reading(intake.reading)
            except Exception:
                log.exception("monitor reading could not be handed on")
        self._reply(sock, intake.ack, intake.code)

    def _reply(self, sock: socket.socket, ack: str, code: str) -> None:
        self._count(code)
        sock.sendall(frame(ack))


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.server.listener.serve(self.request)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], *,
                 listener: MllpListener) -> None:
        self.listener = listener
        super().__init__(address, handler)
