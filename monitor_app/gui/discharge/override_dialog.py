"""Override an unmet discharge criterion: a written reason, the authorising prescriber
and that prescriber's PIN (``services.add_override``). Errors are shown next to their
field and the dialog stays open with what was typed. The reason and the prescriber
are checked before the PIN is used; one typed PIN is one attempt (``PinEntry``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.error_rows import ErrorRows, ok_cancel
from monitor_app.gui.common.pin_entry import PinEntry
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import set_handle, show_inline
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
        self.form = ErrorRows("override")
        self.errors = self.form.errors
        self.general_error = self.form.general_error
        self.reason = self.form.add("reason", "Written reason:", set_handle(
            QPlainTextEdit(self), "override_reason", "Reason for override"))
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(70)
        self.prescriber = self.form.add("prescriber", "Authorised by:", set_handle(
            QComboBox(self), "prescriber", "Authorising prescriber"))
        self.prescriber.addItem("choose…", 0)
        for member in session.services.prescribers():
            if member.active:
                self.prescriber.addItem(member.display, member.id)
        self.pin = self.form.add("pin", "Prescriber's PIN:", set_handle(
            QLineEdit(self), "override_pin", "Prescriber's PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(64)
        buttons, self.ok = ok_cancel(self, "Record override", "record_override")
        self.ok.clicked.connect(self._on_ok_clicked)
        self.entry = PinEntry(self.pin, self._try_pin, self.errors["pin"])
        self.recorded = False
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self.form)
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
        self.form.hide_errors()
        try:
            self.session.services.check_override(
                self.episode_id, self.criterion, self.reason.toPlainText(),
                self._prescriber_id())
        except ValidationError as exc:
            self.form.show_error(exc, self.reason)
            return False
        self.entry.submit()
        return self.recorded

    def _try_pin(self, pin: str) -> None:
        self.form.hide_errors()
        try:
            self.session.services.add_override(
                self.session.staff_id, self.episode_id, self.criterion,
                self.reason.toPlainText(), self._prescriber_id(), pin)
        except ValidationError as exc:
            self.form.show_error(exc, self.reason)
            return
        except StorageError as exc:
            self.form.show_general(f"Not saved: {exc}")
            return
        self.recorded = True
        self.accept()

    def _prescriber_id(self) -> int:
        return int(self.prescriber.currentData() or 0)

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted

    def _on_ok_clicked(self) -> None:
        self.submit()
