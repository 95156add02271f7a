"""Override an unmet discharge criterion: a written reason, the authorising prescriber
and that prescriber's PIN (``services.add_override``). Errors are shown next to their
field and the dialog stays open with what was typed. The reason and the prescriber
are checked before the PIN is used; one typed PIN is one attempt (``PinEntry``)."""

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
from monitor_app.gui.common.pin_entry import PinEntry, show_pin_error
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import error_label, set_handle, show_inline
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
        self.ok.clicked.connect(self._on_ok_clicked)
        self.entry = PinEntry(self.pin, self._try_pin, self.errors["pin"])
        self.recorded = False
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
        """Check the reason and the prescriber, then one attempt with the typed PIN;
        True when the override was recorded. On a refusal say why next to the field."""
        self._hide_errors()
        try:
            self.session.services.check_override(
                self.episode_id, self.criterion, self.reason.toPlainText(),
                self._prescriber_id())
        except ValidationError as exc:
            self._show_error(exc)
            return False
        self.entry.submit()
        return self.recorded

    def _try_pin(self, pin: str) -> None:
        self._hide_errors()
        try:
            self.session.services.add_override(
                self.session.staff_id, self.episode_id, self.criterion,
                self.reason.toPlainText(), self._prescriber_id(), pin)
        except ValidationError as exc:
            self._show_error(exc)
            return
        except StorageError as exc:
            show_pin_error(self.general_error, f"Not saved: {exc}")
            return
        self.recorded = True
        self.accept()

    def _prescriber_id(self) -> int:
        return int(self.prescriber.currentData() or 0)

    def _hide_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.hide()

    def _show_error(self, exc: ValidationError) -> None:
        show_pin_error(self.errors.get(exc.field, self.general_error), exc.message)
        focus = {"pin": self.pin, "prescriber": self.prescriber, "reason": self.reason}
        focus.get(exc.field, self.reason).setFocus()

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted

    def _on_ok_clicked(self) -> None:
        self.submit()
