"""Withdraw a REMS filing note recorded in error (the wrong session, a form that did
not go through): the form goes back to the queue; the note stays, superseded, with the
reason, in the audit trail. ``ask()`` returns the queue item as it now stands, or None."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import FieldError, Form, set_handle, show_field_error
from monitor_app.services.errors import StorageError
from monitor_app.services.rems_queue import RemsQueueItem


class RemsWithdrawDialog(QDialog):
    def __init__(self, session: Session, item: RemsQueueItem,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.item = item
        self.result_item: RemsQueueItem | None = None
        self.setWindowTitle(f"Withdraw REMS filing: {item.number}")
        set_handle(self, "rems_withdraw_dialog", "Withdraw REMS filing")
        # lines broken by hand: a wrapped label leaves a dialog too short for its text
        intro = QLabel(f"{item.patient_name} ({item.mrn}), session {item.session_date}:\n"
                       f"recorded as filed on {item.submitted_on}, confirmation "
                       f"#{item.confirmation}.\n\n"
                       "Withdraw this note only if it was recorded in error.\n"
                       f"The form goes back to the queue (due {item.due_on}); the note is "
                       "kept,\nmarked withdrawn, with your reason.")
        form = Form()
        self.reason = form.add("reason", "Reason:", QLineEdit())
        self.reason.setAccessibleName("Why the filing note is withdrawn")
        self.reason.setPlaceholderText("e.g. recorded for the wrong session")
        self.reason.setMaxLength(300)
        self.errors = {"reason": form.errors["reason"], "staff": FieldError("staff")}
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        withdraw = buttons.addButton("Withdraw filing", QDialogButtonBox.ButtonRole.AcceptRole)
        set_handle(withdraw, "rems_withdraw_save", "Withdraw filing")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        # grows to show the wrapped text and a message in full, never squeezes them
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.errors["staff"])
        column.addWidget(buttons)
        self.reason.setFocus()

    def save(self) -> None:
        for label in self.errors.values():
            label.clear()
        staff = self.session.staff
        if staff is None:
            return
        try:
            self.result_item = self.session.services.rems_queue.withdraw_submission(
                staff.id, self.item.episode_id, self.reason.text())
        except ValidationError as exc:
            show_field_error(self.errors, exc, self.errors["staff"])
            return
        except StorageError as exc:
            self.errors["staff"].show_message(f"Not saved: {exc}")
            return
        self.session.notify(self.item.episode_id)
        self.accept()

    def ask(self) -> RemsQueueItem | None:
        self.exec()
        return self.result_item
