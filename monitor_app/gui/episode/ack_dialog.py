"""A prescriber acknowledges a baseline above the pre-dose limit (PIN asked again)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.error_rows import ErrorRows, ok_cancel
from monitor_app.gui.common.pin_entry import PinEntry, show_pin_error
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import set_handle, show_inline


class PrescriberAckDialog(QDialog):
    """Choose the prescriber, who types their PIN: ``services.acknowledge_predose``."""

    def __init__(self, session: Session, episode_id: int, caution: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.episode_id = episode_id
        self.setObjectName("predose_ack_dialog")
        self.setWindowTitle("Prescriber acknowledgement")
        layout = QVBoxLayout(self)
        text = QLabel(f"{caution}\n\nThe prescriber chooses their name and types their PIN.")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.form = ErrorRows("predose_ack")
        self.prescriber = self.form.add("prescriber", "Prescriber", set_handle(
            QComboBox(), "prescriber", "Prescriber"))
        for member in session.services.prescribers():
            self.prescriber.addItem(member.display, member.id)
        self.pin = self.form.add("pin", "PIN", set_handle(QLineEdit(), "pin", "PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.prescriber_error = self.form.errors["prescriber"]
        self.pin_error = self.form.errors["pin"]
        layout.addLayout(self.form)
        buttons, self.ok = ok_cancel(self, "Acknowledge", "acknowledge_predose")
        self.entry = PinEntry(self.pin, self._try_pin, self.pin_error, (self.ok,))
        self.acknowledged = False
        layout.addWidget(buttons)
        if self.prescriber.count() == 0:
            show_inline(self.prescriber_error, "no prescriber account exists: an "
                        "administrator adds one under Staff")
            self.ok.setEnabled(False)
        self.pin.setFocus()
        self.setMinimumWidth(440)

    def choose(self, staff_id: int) -> None:
        self.prescriber.setCurrentIndex(max(0, self.prescriber.findData(staff_id)))

    def submit(self) -> bool:
        """One attempt with the typed PIN (Enter and Acknowledge do this); True when done."""
        self.entry.submit()
        return self.acknowledged

    def _try_pin(self, pin: str) -> None:
        self.form.hide_errors()
        staff_id = self.prescriber.currentData()
        if staff_id is None:
            show_pin_error(self.prescriber_error, "choose the prescriber")
            return
        try:
            self.session.services.acknowledge_predose(staff_id, pin, self.episode_id)
        except ValidationError as exc:
            label = self.prescriber_error if exc.field == "prescriber" else self.pin_error
            show_pin_error(label, exc.message)
            self.pin.setFocus()
            return
        self.acknowledged = True
        self.accept()

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted
