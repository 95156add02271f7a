"""Small shared GUI helpers: stable handles, inline field errors, forms, message boxes.

Other GUI modules import from here, so the API stays small and stable:

- ``set_handle(widget, key, label)``: objectName = key, accessibleName = label.
- ``FieldError``: a hidden red label shown under an input with the core's message.
- ``Form``: a ``QFormLayout`` that adds inputs with their handles and a ``FieldError``
  under each; ``form.show_error(exc)`` puts a ``ValidationError`` next to its field.
- ``ERROR_COLOUR`` / ``ERROR_STYLE``: the one red of every error message;
  ``error_label(key)`` and ``show_inline(label, message)`` for a dialog's own error line.
- ``show_field_error(errors, exc, fallback)`` / ``clear_field_errors(errors)``.
- ``inform(parent, title, text)`` / ``warn(...)`` / ``confirm(...)``: message boxes
  that tests replace with ``monkeypatch.setattr(widgets, "inform", ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.domain.text import TEXT_LIMITS, text_limit

W = TypeVar("W", bound=QWidget)
L = TypeVar("L", bound=QLabel)

ERROR_COLOUR = "#b00020"
ERROR_STYLE = f"color: {ERROR_COLOUR}; font-weight: bold;"


def set_handle(widget: W, key: str, label: str) -> W:
    """Give ``widget`` its stable handle: objectName = key, accessibleName = label. A
    free-text line holds what the core's text rule allows for its key, no more."""
    widget.setObjectName(key)
    widget.setAccessibleName(label)
    if isinstance(widget, QLineEdit) and key in TEXT_LIMITS:
        widget.setMaxLength(text_limit(key))
    return widget


class FieldError(QLabel):
    """The message shown under a field when the core refuses its value."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"{key}_error")
        self.setAccessibleName(f"{key} error")
        self.setProperty("role", "field-error")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(ERROR_COLOUR))
        self.setPalette(palette)
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText("⚠ " + message)
        self.show()

    def clear(self) -> None:
        super().clear()
        self.hide()

    @property
    def message(self) -> str:
        """The message without the icon ('' when hidden)."""
        return "" if self.isHidden() else self.text().removeprefix("⚠ ")


def show_field_error(
    errors: Mapping[str, FieldError], exc: ValidationError, fallback: FieldError | None = None
) -> FieldError | None:
    """Show ``exc`` next to the field it names (or in ``fallback``); focus that field.

    Returns the label that shows the message (None when neither exists).
    """
    label = errors.get(exc.field, fallback)
    if label is None:
        return None
    label.show_message(exc.message)
    parent = label.parentWidget()
    target = parent.findChild(QWidget, exc.field) if parent is not None else None
    if target is not None and target.focusPolicy() != Qt.FocusPolicy.NoFocus:
        target.setFocus(Qt.FocusReason.OtherFocusReason)
    return label


def clear_field_errors(errors: Mapping[str, FieldError]) -> None:
    for label in errors.values():
        label.clear()


def _left_unless_growing(widget: QWidget) -> Qt.AlignmentFlag:
    """A spin box or a combo keeps its own width when the hint under it takes the row."""
    grows = widget.sizePolicy().expandingDirections() & Qt.Orientation.Horizontal
    return Qt.AlignmentFlag(0) if grows or widget.layout() is not None \
        else Qt.AlignmentFlag.AlignLeft


def _take_the_row(label: L) -> L:
    """A wrapped hint or error takes the field's whole width: QFormLayout works out a
    field's height at that width, so a field left narrower cuts the hint's last line."""
    policy = label.sizePolicy()  # keeps the height-for-width flag word wrap set
    policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
    label.setSizePolicy(policy)
    return label


class Form(QFormLayout):
    """A form whose rows are an input with its handle and a ``FieldError`` under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

    def add(self, key: str, label: str, widget: W, hint: str = "",
            field: QWidget | None = None) -> W:
        """Add ``widget`` under ``label``; its error label goes right below it.

        ``field``: the input inside ``widget`` that carries the handle, when ``widget``
        is a compound (a line edit with a Browse button, say); default ``widget``.
        """
        field = field if field is not None else widget
        set_handle(field, key, label)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget, 0, _left_unless_growing(widget))
        if hint:
            note = QLabel(hint)
            note.setObjectName(f"{key}_hint")
            note.setProperty("role", "hint")
            note.setWordWrap(True)
            column.addWidget(_take_the_row(note))
        error = _take_the_row(FieldError(key))
        column.addWidget(error)
        caption = QLabel(label)
        caption.setBuddy(field)
        self.addRow(caption, box)
        self.fields[key] = field
        self.errors[key] = error
        return widget

    def add_error(self, key: str) -> FieldError:
        """An error label for a key that has no single input (e.g. a group of boxes)."""
        error = FieldError(key)
        self.addRow(error)
        self.errors[key] = error
        return error

    def show_error(self, exc: ValidationError, fallback: FieldError | None = None) -> None:
        clear_field_errors(self.errors)
        if fallback is not None:
            fallback.clear()
        show_field_error(self.errors, exc, fallback)

    def clear_errors(self) -> None:
        clear_field_errors(self.errors)

    def text(self, key: str) -> str:
        widget = self.fields[key]
        return widget.text() if isinstance(widget, QLineEdit) else ""


def error_label(key: str) -> QLabel:
    """A hidden error line (objectName ``<key>_error``) shown by ``show_inline``."""
    label = QLabel()
    label.setObjectName(f"{key}_error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def show_inline(label: QLabel, message: str) -> None:
    label.setText(f"⚠ {message}")
    label.show()


def line_edit(placeholder: str = "", max_length: int = 200, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly
                                 | Qt.InputMethodHint.ImhSensitiveData)
    return edit


# QMessageBox is imported where it is used: making its Python class (and its enums) costs
# ~3 ms, on the way to the sign-in dialog and the board, which show none.
def inform(parent: QWidget | None, title: str, text: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    from PySide6.QtWidgets import QMessageBox

    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
