"""Re-ask the PIN before an electronic signature, showing who signs and what it means."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from monitor_app.gui.common.pin_entry import PinEntry, show_pin_error
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import error_label


class SignDialog(QDialog):
    """Shows the signer (printed name, credentials) and the meaning; asks for the PIN."""

    def __init__(self, session: Session, meaning: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Sign: {meaning}")
        staff = session.staff
        self.signer = QLabel(f"{staff.name}, {staff.credentials}" if staff else "nobody",
                             self)
        self.signer.setObjectName("signer")
        self.signer.setAccessibleName("Signer")
        self.meaning = QLabel(meaning, self)
        self.meaning.setObjectName("meaning")
        self.meaning.setAccessibleName("Meaning of the signature")
        font = self.meaning.font()
        font.setBold(True)
        self.meaning.setFont(font)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("pin")
        self.pin.setAccessibleName("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(32)
        self.pin_error = error_label("pin")
        self.pin_error.setAccessibleName("PIN error")
        note = QLabel("Your PIN is asked again for every signature, even when you are "
                      "signed in. The signature is bound to the record as it stands now "
                      "and locks it.", self)
        note.setWordWrap(True)
        note.setProperty("role", "hint")
        form = QFormLayout()
        form.addRow("Signed by:", self.signer)
        form.addRow("Meaning:", self.meaning)
        form.addRow("PIN:", self.pin)
        form.addRow("", self.pin_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText("Sign")
        self.sign_button.setObjectName("sign")
        self.entry = PinEntry(self.pin, self._take_pin, self.pin_error, (self.sign_button,))
        self.buttons.rejected.connect(self.reject)
        self.typed_pin = ""
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, message: str) -> None:
        """The reason the last PIN was refused, next to the PIN field."""
        self.pin.clear()
        if message:
            show_pin_error(self.pin_error, message)
        else:
            self.pin_error.hide()

    def _take_pin(self, pin: str) -> None:
        self.typed_pin = pin
        self.accept()

    def ask(self) -> str | None:
        """The PIN typed, or None when cancelled."""
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.typed_pin
