"""The REMS filing queue window: every signed esketamine session's Patient Monitoring
Form with its days left (overdue in red, with the words), and those filed lately. An
administrator records a filing; others see the queue."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import Role
from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import set_handle
from monitor_app.gui.history.history_model import rems_model, rows_table
from monitor_app.gui.rems.filing_dialog import RemsFilingDialog
from monitor_app.gui.rems.note_dialog import RemsNoteDialog
from monitor_app.gui.rems.withdraw_dialog import RemsWithdrawDialog
from monitor_app.services.errors import StorageError
from monitor_app.services.rems_queue import RemsQueueItem


class RemsQueueWindow(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.setWindowTitle("REMS forms to file")
        set_handle(self, "rems_queue", "REMS forms to file")
        self.summary = set_handle(QLabel(), "rems_summary", "REMS summary")
        self.summary.setWordWrap(True)
        self.model = rems_model(self)
        self.table = rows_table(self.model, "rems_forms", "REMS forms")
        self.mark = set_handle(QPushButton("Record filing…"), "rems_mark_submitted",
                               "Record filing")
        self.withdraw = set_handle(QPushButton("Withdraw filing…"), "rems_withdraw",
                                   "Withdraw a filing recorded in error")
        self.note = set_handle(QLabel(), "rems_note", "REMS note")
        self.refresh_button = set_handle(QPushButton("Refresh"), "rems_refresh", "Refresh")
        self.close_button = set_handle(QPushButton("Close"), "rems_close", "Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.mark)
        buttons.addWidget(self.withdraw)
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        self.mark.clicked.connect(self._on_mark_clicked)
        self.withdraw.clicked.connect(self._on_withdraw_clicked)
        self.table.doubleClicked.connect(self._on_mark_clicked)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.close)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        fit_to_screen(self, 1100, 560)
        self.refresh()

    @property
    def is_admin(self) -> bool:
        staff = self.session.staff
        return staff is not None and staff.role == Role.ADMIN

    def refresh(self) -> None:
        try:
            queue = self.session.services.rems_queue
            items = queue.queue()
        except StorageError as exc:
            self.summary.setText(f"The queue could not be read: {exc}")
            return
        self.model.set_rows(items)
        self.table.resizeColumnsToContents()
        outstanding = [i for i in items if i.outstanding]
        rule = next((p.rems_filing for p in self.session.services.protocols.values()
                     if p.rems_filing is not None), None)
        due_days = f" within {rule.form_due_days} days of the session" if rule else ""
        counts = queue.counts()
        self.summary.setText(
            f"{len(outstanding)} form{'s' if len(outstanding) != 1 else ''} to file"
            f"{due_days}" + (f" · {counts.text}" if counts.text else "")
            + f" · {len(items) - len(outstanding)} filed lately")
        self._on_selection_changed()

    def selected(self) -> RemsQueueItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _on_selection_changed(self, *_args: object) -> None:
        item = self.selected()
        self.mark.setEnabled(self.is_admin and item is not None)
        self.withdraw.setEnabled(self.is_admin and item is not None
                                 and item.submitted_on is not None)
        self.note.setText("" if self.is_admin else "Only an administrator records a filing.")

    def _on_mark_clicked(self, *_args: object) -> None:
        item = self.selected()
        if item is None or not self.is_admin:
            return
        saved = self._ask(RemsFilingDialog(self.session, item, self))
        if saved is not None:
            self.note.setText(f"Recorded: {saved.number} filed {saved.submitted_on}, "
                              f"#{saved.confirmation}")

    def _on_withdraw_clicked(self) -> None:
        item = self.selected()
        if item is None or item.submitted_on is None or not self.is_admin:
            return
        withdrawn = self._ask(RemsWithdrawDialog(self.session, item, self))
        if withdrawn is not None:
            self.note.setText(f"Withdrawn: {withdrawn.number} is back in the queue "
                              f"({withdrawn.days_text})")

    def _ask(self, dialog: RemsNoteDialog) -> RemsQueueItem | None:
        """The queue item as the note dialog left it (the queue redrawn), or None."""
        item = dialog.ask()
        dialog.deleteLater()
        if item is not None:
            self.refresh()
        return item
