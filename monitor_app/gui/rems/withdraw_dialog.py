"""Withdraw a REMS filing note recorded in error (the wrong session, a form that did
not go through): the form goes back to the queue; the note stays, superseded, with the
reason, in the audit trail. ``ask()`` returns the queue item as it now stands, or None."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget

from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import Form, set_handle
from monitor_app.gui.rems.note_dialog import RemsNoteDialog
from monitor_app.services.rems_queue import RemsQueueItem


class RemsWithdrawDialog(RemsNoteDialog):
    def __init__(self, session: Session, item: RemsQueueItem,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, item, parent)
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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        withdraw = buttons.addButton("Withdraw filing", QDialogButtonBox.ButtonRole.AcceptRole)
        set_handle(withdraw, "rems_withdraw_save", "Withdraw filing")
        self.lay_out(intro, form, buttons)
        self.reason.setFocus()

    def record(self, staff_id: int) -> RemsQueueItem:
        return self.session.services.rems_queue.withdraw_submission(
            staff_id, self.item.episode_id, self.reason.text())
