"""Override an unmet discharge criterion: a written reason, the authorising prescriber
and that prescriber's PIN (``services.add_override``). Errors are shown next to their
field and the dialog stays open with what was typed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
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
from monitor_app.gui.correction_dialog import error_label, show_inline
from monitor_app.gui.session import Session
from monitor_app.gui.widgets import set_handle
from monitor_app.services.errors import StorageError


class OverrideDialog(QDialog):
    """``ask()`` -> True when the override was recorded; ``submit()`` does the call."""

    def __init__(self, session: Session, episode_id: int, criterion: str, label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.episode_id = episode_id
        self.criterion = criterion
        self.setObjectName("override_dialog")
        self.setWindowTitle(f"Override: {label}")
        note = QLabel(f"“{label}” is not met. The prescriber who authorises the override "
                      "chooses their name and types their PIN. The override is part of the "
                      "record and is printed on the sheet.", self)
        note.setWordWrap(True)
        self.reason = set_handle(QPlainTextEdit(self), "override_reason", "Reason for override")
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(70)
        self.prescriber = set_handle(QComboBox(self), "prescriber", "Authorising prescriber")
        self.prescriber.addItem("choose…", 0)
        for member in session.services.prescribers():
            if member.active:
                self.prescriber.addItem(member.display, member.id)
        self.pin = set_handle(QLineEdit(self), "override_pin", "Prescriber's PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(64)
        self.errors = {key: error_label(key) for key in ("reason", "prescriber", "pin")}
        self.general_error = error_label("override")
        form = QFormLayout()
        form.addRow("Written reason:", self.reason)
        form.addRow("", self.errors["reason"])
        form.addRow("Authorised by:", self.prescriber)
        form.addRow("", self.errors["prescriber"])
        form.addRow("Prescriber's PIN:", self.pin)
        form.addRow("", self.errors["pin"])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Record override")
        self.ok.setObjectName("record_override")
        self.ok.setDefault(True)
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        if self.prescriber.count() == 1:
            show_inline(self.errors["prescriber"], "no prescriber account exists: an "
                        "administrator adds one under Staff")
            self.ok.setEnabled(False)
        self.setMinimumWidth(480)

    def choose(self, staff_id: int) -> None:
        self.prescriber.setCurrentIndex(max(0, self.prescriber.findData(staff_id)))

    def submit(self) -> bool:
        """Record the override; on a refusal say why next to the field and stay open."""
        for label in (*self.errors.values(), self.general_error):
            label.hide()
        staff_id = int(self.prescriber.currentData() or 0)
        try:
            self.session.services.add_override(
                self.session.staff_id, self.episode_id, self.criterion,
                self.reason.toPlainText(), staff_id, self.pin.text())
        except ValidationError as exc:
            show_inline(self.errors.get(exc.field, self.general_error), exc.message)
            if exc.field == "pin":
                self.pin.clear()
                self.pin.setFocus()
            elif exc.field == "prescriber":
                self.prescriber.setFocus()
            elif exc.field == "reason":
                self.reason.setFocus()
            return False
        except StorageError as exc:
            show_inline(self.general_error, f"Not saved: {exc}")
            return False
        self.accept()
        return True

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted

    def _on_ok_clicked(self) -> None:
        self.submit()
