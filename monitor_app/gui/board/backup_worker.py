"""The backup copy in a worker thread, so a large record never freezes the board.

The job is decided on the GUI thread (``services.plan_backup`` reads the settings);
the copy runs on a connection of its own in a thread at a lower priority. One backup
at a time: a request while a copy is being written is ignored (once it is written,
the next may start, even if the old thread has not yet ended). ``wait`` holds the
closing app until the copy is written (under a temporary name, renamed when whole).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from monitor_app.gui.common.background import give_way
from monitor_app.services import Services
from monitor_app.services.errors import StorageError

if TYPE_CHECKING:
    from monitor_app.services.backups import BackupJob


class BackgroundBackup(QObject):
    finished = Signal(str, str)  # the copy written ("" when none), the error ("" when none)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._done.set()

    @property
    def running(self) -> bool:
        """A copy is being written. Not "its thread is alive": after ``finished`` the
        thread may not run again for a while on a busy computer (a low priority), and a
        backup asked for meanwhile would be refused with no signal."""
        return not self._done.is_set()

    def start(self, daily: bool) -> bool:
        """Start a backup (daily: only when the last one is a day old). False when one
        is already running or none is due."""
        if self.running:
            return False
        try:
            job = self.services.plan_backup(daily)
        except (StorageError, OSError) as exc:
            self.finished.emit("", str(exc))
            return False
        if job is None:
            return False
        self._done = done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(job, done), name="backup")
        self._thread.start()
        return True

    def wait(self) -> None:
        """Until the running backup (if any) has finished."""
        if self._thread is not None:
            self._thread.join()

    def _run(self, job: BackupJob, done: threading.Event) -> None:
        give_way()
        made, error = "", ""
        try:
            made = str(job.run())
        except Exception as exc:  # shown on the status bar, never lost with the thread
            error = str(exc)
        done.set()  # before the signal: its handler may start the next backup
        self.finished.emit(made, error)  # queued to the GUI thread
