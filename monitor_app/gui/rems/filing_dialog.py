"""Record that the clinic filed a REMS Patient Monitoring Form: the date and the
confirmation number the REMS gave. Over an earlier note it is a correction, with a
reason. ``ask()`` returns the queue item as it now stands, or None."""

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
from monitor_app.gui.history.history_window import parse_day
from monitor_app.services.errors import StorageError
from monitor_app.services.rems_queue import RemsQueueItem


class RemsFilingDialog(QDialog):
    def __init__(self, session: Session, item: RemsQueueItem,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.item = item
        self.result_item: RemsQueueItem | None = None
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
        self.errors = {**form.errors, "staff": FieldError("staff")}
        self.errors.setdefault("reason", FieldError("reason"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        set_handle(buttons.button(QDialogButtonBox.StandardButton.Save), "rems_save", "Save")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        # grows to show the wrapped text and a message in full, never squeezes them
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.errors["staff"])
        column.addWidget(buttons)
        self.confirmation.setFocus()

    def save(self) -> None:
        for label in self.errors.values():
            label.clear()
        staff = self.session.staff
        if staff is None:
            return
        try:
            day = parse_day(self.submitted_on.text(), "rems_submitted_on")
            if day is None:
                raise ValidationError("rems_submitted_on", "type the date it was filed")
            self.result_item = self.session.services.rems_queue.mark_submitted(
                staff.id, self.item.episode_id, day, self.confirmation.text(),
                self.reason.text())
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
