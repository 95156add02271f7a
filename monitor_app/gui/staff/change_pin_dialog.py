"""A PIN shorter than the clinic's minimum is changed at sign-in, before the board opens.

``confirm_pin_policy`` is the one call the sign-in panels make after a right PIN: it
returns True at once when nothing is due, otherwise asks for a new PIN twice.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from monitor_app.domain.models import Staff, ValidationError
from monitor_app.gui.common.widgets import Form, line_edit, set_handle
from monitor_app.services import Services


class ChangePinDialog(QDialog):
    """New PIN, twice. ``ask()`` is True once the new PIN is saved."""

    def __init__(self, services: Services, member: Staff,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.member = member
        self.changed = False
        shortest = services.settings().min_pin_length
        self.setWindowTitle("Choose a new PIN")
        self.setMinimumWidth(480)
        intro = QLabel(f"{member.display}: your PIN is shorter than this clinic's minimum "
                       f"of {shortest} digits. Choose a new PIN of {shortest} to 12 digits "
                       "to go on.")
        intro.setObjectName("change_pin_intro")
        intro.setWordWrap(True)
        self.form = Form()
        self.pin = self.form.add("new_pin", "New PIN",
                                 line_edit(f"{shortest} to 12 digits", 12, password=True))
        self.pin_again = self.form.add("new_pin_again", "New PIN again",
                                       line_edit("the same PIN", 12, password=True))
        self.general = self.form.add_error("general")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        set_handle(buttons.button(QDialogButtonBox.StandardButton.Ok), "ok", "Save new PIN")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.pin.setFocus()

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted and self.changed

    def _on_ok_clicked(self) -> None:
        try:
            self.services.change_own_pin(self.member.id, self.pin.text(),
                                         self.pin_again.text())
        except ValidationError as exc:
            field = {"pin": "new_pin", "pin_again": "new_pin_again"}.get(exc.field, exc.field)
            self.form.show_error(ValidationError(field, exc.message), self.general)
            self.pin.clear()
            self.pin_again.clear()
            self.pin.setFocus()
            return
        self.changed = True
        self.accept()


def confirm_pin_policy(parent: QWidget | None, services: Services, member: Staff) -> bool:
    """After a right PIN: True when the person may go on (a due change was made)."""
    if not services.pin_change_due(member.id):
        return True
    return ChangePinDialog(services, member, parent).ask()
