"""The bridge from the listener's threads to the GUI thread.

The listener calls ``_from_listener`` in a connection's thread; the signal it emits is
delivered queued to this object's (the GUI) thread, where the reading is routed with the
database connection that belongs to it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from monitor_app.domain.monitor_intake import MonitorReading

log = logging.getLogger(__name__)


class MonitorFeed(QObject):
    reading_arrived = Signal(object)  # MonitorReading, from any thread
    pending_changed = Signal(int)  # an episode id with a new pending reading
    unattached = Signal(object)  # a MonitorReading that reached no episode

    def __init__(self, services: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.address: tuple[str, int] | None = None
        self.problem = ""
        self.reading_arrived.connect(self._on_reading_arrived)

    def start(self, *, port: int | None = None) -> tuple[str, int] | None:
        """(Re)start the listener as the settings say; None when monitors are off or
        the port cannot be opened (``problem`` says why)."""
        self.problem = ""
        try:
            self.address = self.services.monitor.start(self._from_listener, port=port)
        except OSError as exc:
            self.address = None
            self.problem = f"monitor listener could not start: {exc.strerror or exc}"
            log.warning(self.problem)
        return self.address

    def stop(self) -> None:
        self.services.monitor.stop()
        self.address = None

    def _from_listener(self, reading: MonitorReading) -> None:
        self.reading_arrived.emit(reading)

    def _on_reading_arrived(self, reading: MonitorReading) -> None:
        pending = self.services.monitor.route(reading)
        if pending is None:
            self.unattached.emit(reading)
        else:
            self.pending_changed.emit(pending.episode_id)
