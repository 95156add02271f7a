"""Record that the clinic filed a REMS Patient Monitoring Form: the date and the
confirmation number the REMS gave. Over an earlier note it is a correction, with a
reason. ``ask()`` returns the queue item as it now stands, or None."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import FieldError, Form, set_handle
from monitor_app.gui.history.history_window import parse_day
from monitor_app.gui.rems.note_dialog import RemsNoteDialog
from monitor_app.services.rems_queue import RemsQueueItem


class RemsFilingDialog(RemsNoteDialog):
    def __init__(self, session: Session, item: RemsQueueItem,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, item, parent)
        self.setWindowTitle(f"REMS form filed: {item.number}")
        today = session.services.clock.now().astimezone().date()
        # lines broken by hand: a wrapped label leaves a dialog too short for its text
        intro = QLabel(f"{item.patient_name} ({item.mrn}), session {item.session_date}, "
                       f"form due {item.due_on}.\nFiling the form stays the clinic's act "
                       "(REMS website or fax);\nrecord here what it confirmed.")
        form = Form()  # each field with its message right under it
        self.submitted_on = form.add("rems_submitted_on", "Filed on:",
                                     QLineEdit(today.isoformat()))
        self.submitted_on.setPlaceholderText("YYYY-MM-DD")
        self.confirmation = form.add("rems_confirmation", "Confirmation number:", QLineEdit())
        self.reason = set_handle(QLineEdit(), "reason", "Reason for the correction")
        if item.submitted_on is not None:
            note = QLabel(f"Recorded already: filed {item.submitted_on}, #{item.confirmation}."
                          "\nA correction keeps that note and says why.")
            form.addRow(note)
            form.add("reason", "Reason:", self.reason)
        else:
            self.reason.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        set_handle(buttons.button(QDialogButtonBox.StandardButton.Save), "rems_save", "Save")
        self.lay_out(intro, form, buttons)
        self.errors.setdefault("reason", FieldError("reason"))
        self.confirmation.setFocus()

    def record(self, staff_id: int) -> RemsQueueItem:
        day = parse_day(self.submitted_on.text(), "rems_submitted_on")
        if day is None:
            raise ValidationError("rems_submitted_on", "type the date it was filed")
        return self.session.services.rems_queue.mark_submitted(
            staff_id, self.item.episode_id, day, self.confirmation.text(), self.reason.text())
