"""What the REMS queue's two note dialogs share (filing a form, withdrawing a filing
note): the queue item, an intro over a ``Form``, an error line for what belongs to no
field, and ``save()``: the subclass's ``record()`` call, a refusal shown beside its field
with the dialog kept open, the board told on success. ``ask()`` returns the queue item
as it now stands, or None."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLayout, QVBoxLayout, QWidget

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import FieldError, Form, clear_field_errors, show_field_error
from monitor_app.services.errors import StorageError
from monitor_app.services.rems_queue import RemsQueueItem


class RemsNoteDialog(QDialog):
    def __init__(self, session: Session, item: RemsQueueItem,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.item = item
        self.result_item: RemsQueueItem | None = None
        self.errors: dict[str, FieldError] = {}

    def lay_out(self, intro: QLabel, form: Form, buttons: QDialogButtonBox) -> None:
        """The intro, the form, the staff error line and the buttons, one under another."""
        self.errors = {**form.errors, "staff": FieldError("staff")}
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        # grows to show the wrapped text and a message in full, never squeezes them
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.errors["staff"])
        column.addWidget(buttons)

    def record(self, staff_id: int) -> RemsQueueItem:
        """The service call that records the note; raises ValidationError to refuse."""
        raise NotImplementedError

    def save(self) -> None:
        clear_field_errors(self.errors)
        staff = self.session.staff
        if staff is None:
            return
        try:
            self.result_item = self.record(staff.id)
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
