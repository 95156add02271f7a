"""What the lock does to the station's other windows, and what counts as someone there.

While the station is locked no patient detail may show: other windows are hidden, and a
modal dialog (whose ``exec()`` would end if it were hidden, losing what was typed) is
covered by a lock page of its own instead. Unlocking shows them again as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from monitor_app.gui.common.session import Session

if TYPE_CHECKING:
    from monitor_app.gui.staff.lock_page import LockPage

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.HoverMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
})


class IdleFilter(QObject):
    """Application-wide: any key, click, move or wheel counts as someone at the station."""

    def __init__(self, parent: QObject, on_input: Callable[[], None]) -> None:
        super().__init__(parent)
        self.on_input = on_input

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.on_input()
        return False


class Curtain:
    """Hides (or covers) every window but the station's while it is locked."""

    def __init__(self, session: Session, station: QWidget) -> None:
        self.session = session
        self.station = station
        self.hidden: list[QWidget] = []
        self.covers: list[LockPage] = []

    def draw(self) -> None:
        for window in QApplication.topLevelWidgets():
            if window is self.station or not window.isVisible() or window in self.covers:
                continue
            kind = window.windowType()
            if kind in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                window.hide()
            elif isinstance(window, QDialog) and window.isModal():
                self._cover(window)  # hiding would end its exec() and lose what was typed
            else:
                window.hide()
                self.hidden.append(window)

    def _cover(self, dialog: QDialog) -> None:
        from monitor_app.gui.staff.lock_page import LockPage  # not on the way to the board

        cover = LockPage(self.session, dialog)
        cover.setAutoFillBackground(True)
        size = dialog.size().expandedTo(cover.sizeHint())
        dialog.resize(size)
        cover.setGeometry(0, 0, size.width(), size.height())
        cover.prepare()
        cover.show()
        cover.raise_()
        self.covers.append(cover)

    def open(self) -> None:
        for cover in self.covers:
            if shiboken6.isValid(cover):
                cover.hide()
                cover.deleteLater()
        self.covers.clear()
        for window in self.hidden:
            if shiboken6.isValid(window):
                window.show()
        self.hidden.clear()
