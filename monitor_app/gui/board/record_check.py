"""The record check in the background: ``verify`` (with SQLite's full integrity check)
at start and once a day, on its own read-only connection in a worker thread, so a
large record never freezes the station. A failure is shown on the status bar; a
damaged file also stops new signatures (the services refuse them)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from monitor_app.gui.common.background import give_way
from monitor_app.services import Services
from monitor_app.services.errors import StorageError

DAY_MS = 24 * 60 * 60 * 1000


class RecordCheck(QObject):
    finished = Signal(list)  # the problems found ([] when the record is intact)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._thread: threading.Thread | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(DAY_MS)
        self.timer.timeout.connect(self.start)

    def start(self) -> bool:
        """Run the check unless one is running; True when a new check started."""
        if self._thread is not None and self._thread.is_alive():
            return False
        self._thread = threading.Thread(target=self._run, daemon=True, name="record_check")
        self._thread.start()
        if not self.timer.isActive():
            self.timer.start()
        return True

    def _run(self) -> None:
        give_way()
        try:
            problems = self.services.verify_record().problems
        except (StorageError, OSError) as exc:
            problems = [f"the record could not be checked: {exc}"]
        self.finished.emit(problems)  # queued to the GUI thread


def status_text(problems: list[str], signing_stopped: bool) -> str:
    """One short line for the status bar saying what to do; the problems themselves are
    in the label's tooltip and in Verify record."""
    stopped = ", signing stopped" if signing_stopped else ""
    count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
    return f"Record check FAILED ({count}{stopped}): open Verify record, call IT"
