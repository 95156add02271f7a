"""A dialog's form whose inputs each have a hidden error line in the row under them,
one general error line for a refusal that names no input of the form, and the OK /
Cancel buttons under them (the override, the prescriber's and the alert
acknowledgements, the correction dialogs' buttons).

- ``ErrorRows.add(key, caption, input)``: the row and its error line (objectName
  ``<key>_error``), ``errors[key]``;
- ``show_error(exc, focus)``: the message beside the input ``exc.field`` names (else in
  ``general_error``), wrapped, the window grown to show it whole, and that input (else
  ``focus``) focused; ``show_general(message)`` likewise for what no input caused
  (the database busy, say); ``hide_errors()`` before the next try;
- ``ok_cancel(dialog, text, key)``: the buttons, Cancel rejecting, OK the default with
  its handle (objectName ``key``, accessibleName ``text``).
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QWidget

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.pin_entry import show_pin_error
from monitor_app.gui.common.widgets import error_label, set_handle

W = TypeVar("W", bound=QWidget)


class ErrorRows(QFormLayout):
    def __init__(self, general_key: str) -> None:
        super().__init__()
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.general_error = error_label(general_key)

    def add(self, key: str, caption: str, widget: W) -> W:
        self.addRow(caption, widget)
        self.errors[key] = error_label(key)
        self.addRow("", self.errors[key])
        self.inputs[key] = widget
        return widget

    def hide_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.hide()

    def show_error(self, exc: ValidationError, focus: QWidget) -> None:
        show_pin_error(self.errors.get(exc.field, self.general_error), exc.message)
        self.inputs.get(exc.field, focus).setFocus()

    def show_general(self, message: str) -> None:
        show_pin_error(self.general_error, message)


def ok_cancel(dialog: QDialog, text: str, key: str) -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = set_handle(buttons.button(QDialogButtonBox.StandardButton.Ok), key, text)
    ok.setText(text)
    ok.setDefault(True)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok
