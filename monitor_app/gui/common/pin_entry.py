"""One typed PIN is one attempt, however it is submitted.

Every PIN entry (sign-in, unlock, switch nurse, signing, prescriber acknowledgement,
addendum, staff PINs) goes through ``PinEntry``:

- Enter in the PIN field submits and is consumed there, so the dialog's default
  button does not submit the same PIN a second time;
- the field is emptied as the attempt starts, and an empty field never reaches the
  services (a second Enter or a double click counts nothing);
- an attempt that is still running ignores any further submit;
- a database that cannot be written (held by another program, full, read-only) is
  said next to the field: nothing was checked or saved, so the nurse tries again;
- errors shown with ``show_pin_error`` wrap and the window grows to show them whole.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from monitor_app.gui.common.widgets import FieldError
from monitor_app.services.errors import StorageError

ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
EMPTY_PIN_MESSAGE = "type your PIN"


def show_pin_error(label: QLabel, message: str) -> None:
    """Show ``message`` in ``label``, wrapped, and make its window tall enough for it."""
    label.setWordWrap(True)
    if isinstance(label, FieldError):
        label.show_message(message)
    else:
        label.setText(f"⚠ {message}")
        label.show()
    fit_window(label)


def fit_window(widget: QWidget) -> None:
    """Grow ``widget``'s window so wrapped text below is not cut off (never shrink)."""
    window = widget.window()
    ancestor: QWidget | None = widget
    while ancestor is not None:  # inner layouts first, so the window's sees the new text
        if (inner := ancestor.layout()) is not None:
            inner.activate()
        ancestor = None if ancestor is window else ancestor.parentWidget()
    layout = window.layout()
    if layout is None:
        return
    width = window.width()
    needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
    needed = max(needed, layout.totalMinimumSize().height())
    if needed > window.height():
        window.resize(width, needed)


class PinEntry(QObject):
    """Submits ``pin``'s text to ``attempt`` once per Enter or button click.

    ``attempt(pin)`` does the check and shows its own outcome. ``error`` is where an
    empty field is reported (only when no earlier message is shown there, so a stray
    second Enter does not hide "wrong PIN (4 tries left)").
    """

    def __init__(self, pin: QLineEdit, attempt: Callable[[str], object],
                 error: QLabel | None = None,
                 buttons: tuple[QAbstractButton, ...] = ()) -> None:
        super().__init__(pin)
        self.pin = pin
        self.attempt = attempt
        self.error = error
        self.running = False
        self.attempts = 0
        pin.installEventFilter(self)
        for button in buttons:
            button.clicked.connect(self.submit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.pin and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in ENTER_KEYS):
            event.accept()
            self.submit()
            return True  # consumed: the dialog's default button must not fire too
        return False

    def submit(self) -> bool:
        """Run one attempt with the typed PIN; False when nothing was submitted."""
        if self.running:
            return False
        pin = self.pin.text()
        if not pin:
            if self.error is not None and self.error.isHidden():
                show_pin_error(self.error, EMPTY_PIN_MESSAGE)
            self.pin.setFocus()
            return False
        self.running = True
        self.pin.clear()
        try:
            self.attempts += 1
            self.attempt(pin)
        except StorageError as exc:
            if self.error is None:
                raise
            show_pin_error(self.error, f"Not done: {exc}")
            self.pin.setFocus()
        finally:
            self.running = False
        return True
