"""A later fact about a signed episode: the text and the signer's PIN, signed at once."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.pin_entry import PinEntry, show_pin_error
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import error_label
from monitor_app.services.errors import AuthError
from monitor_app.services.views import SignResult

ADDENDUM_MEANING = "Addendum by"


class AddendumDialog(QDialog):
    """``ask()`` returns the SignResult of the signed addendum, or None."""

    def __init__(self, session: Session, episode_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.episode_id = episode_id
        self.result_value: SignResult | None = None
        self.setWindowTitle("Add a signed addendum")
        staff = session.staff
        intro = QLabel("The episode is signed and locked. A later fact goes in an "
                       "addendum, signed with your PIN; it is printed on the sheet.", self)
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("addendum")
        self.text.setAccessibleName("Addendum")
        self.text.setTabChangesFocus(True)
        self.text_error = error_label("addendum")
        self.signer = QLabel(f"{staff.name}, {staff.credentials}" if staff else "", self)
        self.signer.setObjectName("signer")
        self.pin = QLineEdit(self)
        self.pin.setObjectName("pin")
        self.pin.setAccessibleName("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_error = error_label("pin")
        form = QFormLayout()
        form.addRow("Addendum:", self.text)
        form.addRow("", self.text_error)
        form.addRow("Signed by:", self.signer)
        form.addRow("Meaning:", QLabel(ADDENDUM_MEANING, self))
        form.addRow("PIN:", self.pin)
        form.addRow("", self.pin_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText("Sign addendum")
        self.sign_button.setObjectName("sign_addendum")
        self.entry = PinEntry(self.pin, self._try_pin, self.pin_error, (self.sign_button,))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, 380)

    def _try_pin(self, pin: str) -> None:
        self.text_error.hide()
        self.pin_error.hide()
        try:
            self.result_value = self.session.services.add_addendum(
                self.session.staff_id, pin, self.episode_id, self.text.toPlainText())
        except AuthError as exc:
            show_pin_error(self.pin_error, exc.message)
            return
        except ValidationError as exc:
            show_pin_error(self.text_error if exc.field == "addendum" else self.pin_error,
                           exc.message)
            return
        self.session.notify(self.episode_id)
        self.accept()

    def ask(self) -> SignResult | None:
        self.exec()
        return self.result_value

