"""The time beside "Start infusion" / "End infusion": now, unless the nurse sets the
time it really happened (a late entry; the services check it and mark it late)."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QTime
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTimeEdit, QWidget


class DosingTimeEdit(QTimeEdit):
    """Follows the clock until touched; ``value()`` is None (= now) while untouched."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dosing_time")
        self.setAccessibleName("Time dosing started or ended")
        self.setDisplayFormat("'at' HH:mm")  # reads "at 09:12 [Start infusion]"
        self.setToolTip("When dosing started or ended: now, or the real time if it is "
                        "entered late")
        self.touched = False
        self._quiet = False
        self.timeChanged.connect(self._on_time_changed)

    def follow(self, now: datetime) -> None:
        """Show the current local time, unless the nurse has set one."""
        if self.touched:
            return
        local = now.astimezone()
        self._quiet = True
        self.setTime(QTime(local.hour, local.minute))
        self._quiet = False

    def value(self, now: datetime) -> datetime | None:
        """The time set, on today's date (yesterday if that would be in the future by
        more than an hour: a late entry just after midnight); None while untouched."""
        if not self.touched:
            return None
        local = now.astimezone()
        chosen = local.replace(hour=self.time().hour(), minute=self.time().minute(),
                               second=0, microsecond=0)
        if chosen - local > timedelta(hours=1):
            chosen -= timedelta(days=1)
        return chosen

    def reset(self, now: datetime) -> None:
        self.touched = False
        self.follow(now)

    def _on_time_changed(self, _time: QTime) -> None:
        if not self._quiet:
            self.touched = True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text().isdigit():
            self.touched = True
        super().keyPressEvent(event)
