"""What keeps every screen usable on a small monitor (1280x800, 1366x768).

- ``fit_to_screen(widget, w, h)``: open at w x h, or at the screen's free area when that is
  smaller, so no window starts with its buttons below the bottom edge.
- ``ElidedLabel``: one line that shortens itself with "…" instead of widening the window;
  the whole text is in its tooltip (and in ``text()`` for tests and screen readers).
- ``FlowLayout``: widgets side by side that wrap onto the next line when narrow.
- ``scroll_body(layout)``: a dialog's fields in a scroll area that asks for all the room
  they need but never more than the screen has, so the buttons below it stay visible.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QScrollArea, QWidget

TITLE_BAR = 60  # room for the window manager's title bar and frame around a new window
BUTTON_ROOM = 80  # what a dialog needs around its scrolling body: buttons, margins
FRAME = 8  # and for its left and right borders


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to ``width`` x ``height``, shrunk to fit the screen's available area."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, area.width() - FRAME)
        height = min(height, area.height() - TITLE_BAR)
    widget.resize(width, height)


class ScrollBody(QScrollArea):
    """Scrolls vertically only; its size hint is its content's, up to the screen's."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _bounded(self, content: QSize) -> QSize:
        """``content`` plus the scroll bar, no taller than the screen leaves room for."""
        width = content.width() + self.verticalScrollBar().sizeHint().width()
        height = content.height() + 2 * self.frameWidth()
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            height = min(height, screen.availableGeometry().height() - TITLE_BAR - BUTTON_ROOM)
        return QSize(width, height)

    def _tall(self, size: QSize) -> QSize:
        """Content that wraps (a ``FlowLayout``) needs its height at the width it gets."""
        content = self.widget()
        if content is not None and content.hasHeightForWidth():
            width = content.sizeHint().width()
            return QSize(size.width(), max(size.height(), content.heightForWidth(width)))
        return size

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        return self._bounded(self._tall(content.sizeHint()))

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().minimumSizeHint()
        return self._bounded(self._tall(content.minimumSizeHint()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # errors shown or hidden: the dialog may grow or shrink
        return super().eventFilter(watched, event)


def scroll_body(layout: QLayout) -> ScrollBody:
    """``layout``'s widgets in a ``ScrollBody`` (put the dialog's buttons outside it)."""
    content = QWidget()
    content.setLayout(layout)
    return ScrollBody(content)


class ElidedLabel(QLabel):
    """A one-line label that elides at its right end; the full text is the tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(False)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def _line_height(self) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().height() + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:
        width = self.fontMetrics().horizontalAdvance(self._one_line()) + 4
        return QSize(width, self._line_height())

    def minimumSizeHint(self) -> QSize:
        width = min(self.sizeHint().width(), self.fontMetrics().horizontalAdvance("M" * 8))
        return QSize(width, self._line_height())

    def _one_line(self) -> str:
        return self.text().replace("\n", "  ·  ")

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self._one_line(), Qt.TextElideMode.ElideRight,
                                              rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)


class FlowLayout(QLayout):
    """Left to right, wrapping onto a new line when the next widget does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        width = sum(i.sizeHint().width() for i in self._items)
        width += self._spacing * max(0, len(self._items) - 1)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()
