"""The history window (Ctrl+H): today's discharged and cancelled episodes, and a search
of all past ones by name, MRN or episode number, dates and protocol.

A chosen episode opens read-only in the episode window (a signed record is locked);
its documents (patient copy, chart copy, REMS form) can be previewed, printed or
saved, and a signed one takes an addendum.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.documents import DocumentCopy
from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.documents_panel import DocumentsPanel
from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import (
    FieldError,
    clear_field_errors,
    set_handle,
    show_field_error,
)
from monitor_app.gui.history.history_model import history_model, rows_table
from monitor_app.services.errors import StorageError
from monitor_app.services.history import SEARCH_LIMIT, HistoryQuery, HistoryRow

USER_ERRORS = (ValidationError, StorageError, OSError)


def parse_day(text: str, key: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(key, f"{text!r} is not a date: type YYYY-MM-DD") from None


class HistoryWindow(QWidget):
    def __init__(self, session: Session, open_episode: Callable[[int], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.services = session.services
        self.open_episode = open_episode
        self.setWindowTitle("History")
        set_handle(self, "history", "History")

        self.search = set_handle(QLineEdit(), "history_search", "Name, MRN or episode")
        self.search.setPlaceholderText("name, MRN or episode number")
        self.date_from = set_handle(QLineEdit(), "history_from", "From")
        self.date_to = set_handle(QLineEdit(), "history_to", "To")
        for edit in (self.date_from, self.date_to):
            edit.setPlaceholderText("YYYY-MM-DD")
            edit.setMaximumWidth(120)
        self.protocol = set_handle(QComboBox(), "history_protocol", "Protocol")
        self.protocol.addItem("All protocols", "")
        for pid, protocol in sorted(self.services.protocols.items()):
            self.protocol.addItem(protocol.name, pid)
        self.run = set_handle(QPushButton("Search"), "history_run", "Search")
        self.today_button = set_handle(QPushButton("Today"), "history_today", "Today")
        self.errors = {key: FieldError(key) for key in
                       ("history_search", "history_from", "history_to", "history_protocol")}
        row = QHBoxLayout()
        for label, widget in (("Find:", self.search), ("From:", self.date_from),
                              ("To:", self.date_to), ("Protocol:", self.protocol)):
            row.addWidget(QLabel(label))
            row.addWidget(widget, 2 if widget is self.search else 0)
        row.addWidget(self.run)
        row.addWidget(self.today_button)
        errors = QHBoxLayout()
        for error in self.errors.values():
            errors.addWidget(error)

        self.model = history_model(self)
        self.table = rows_table(self.model, "history_results", "Episodes found")
        self.status = set_handle(QLabel(), "history_status", "History status")
        self.status.setWordWrap(True)

        self.open_button = set_handle(QPushButton("Open (read-only)"), "history_open", "Open")
        self.documents = DocumentsPanel(session, "history", self._report,
                                        default=DocumentCopy.CHART, parent=self)
        self.preview = self.documents.preview
        self.print_button = self.documents.print_button
        self.save = self.documents.save
        self.addendum = set_handle(QPushButton("Add addendum…"), "history_addendum",
                                   "Add addendum")
        self.close_button = set_handle(QPushButton("Close"), "history_close", "Close")
        actions = QHBoxLayout()  # the documents on a row of their own: one row is too wide
        actions.addWidget(self.open_button)
        actions.addWidget(self.addendum)
        actions.addStretch(1)
        actions.addWidget(self.close_button)

        column = QVBoxLayout(self)
        column.addLayout(row)
        column.addLayout(errors)
        column.addWidget(self.table, 1)
        column.addWidget(self.status)
        column.addWidget(self.documents)
        column.addLayout(actions)

        self.search.returnPressed.connect(self._on_run_clicked)
        self.date_from.returnPressed.connect(self._on_run_clicked)
        self.date_to.returnPressed.connect(self._on_run_clicked)
        self.run.clicked.connect(self._on_run_clicked)
        self.today_button.clicked.connect(self.show_today)
        self.table.doubleClicked.connect(self._on_open_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.addendum.clicked.connect(self._on_addendum_clicked)
        self.close_button.clicked.connect(self.close)
        fit_to_screen(self, 1180, 640)
        self.show_today()

    # ------------------------------------------------------------------ finding
    def _set_rows(self, rows: list[HistoryRow], what: str) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        more = f" (the newest {SEARCH_LIMIT}: narrow the search)" if len(rows) >= SEARCH_LIMIT \
            else ""
        self.status.setText(f"{len(rows)} episode{'s' if len(rows) != 1 else ''} "
                            f"{what}{more}")
        if rows:
            self.table.selectRow(0)
        self._on_selection_changed()

    def show_today(self) -> None:
        clear_field_errors(self.errors)
        try:
            rows = self.services.history.today()
        except USER_ERRORS as exc:
            self.status.setText(f"History could not be read: {exc}")
            return
        self._set_rows(rows, "discharged or cancelled today")

    def query(self) -> HistoryQuery:
        return HistoryQuery(text=self.search.text(),
                            date_from=parse_day(self.date_from.text(), "history_from"),
                            date_to=parse_day(self.date_to.text(), "history_to"),
                            protocol_id=self.protocol.currentData() or "")

    def _on_run_clicked(self) -> None:
        clear_field_errors(self.errors)
        try:
            rows = self.services.history.search(self.query())
        except ValidationError as exc:
            show_field_error(self.errors, exc, self.errors["history_search"])
            return
        except (StorageError, OSError) as exc:
            self.status.setText(f"History could not be read: {exc}")
            return
        self._set_rows(rows, "found")

    # ------------------------------------------------------------------ the chosen one
    def selected(self) -> HistoryRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _on_selection_changed(self, *_args: object) -> None:
        row = self.selected()
        self.open_button.setEnabled(row is not None)
        self.addendum.setEnabled(row is not None and row.signed)
        if row is None:
            self.documents.set_episode(None)
        else:  # a closed episode: its language can no longer change
            self.documents.set_episode(row.episode_id, signed=row.signed,
                                       name_stem=f"{row.mrn}_{row.number}")

    def _report(self, text: str, warning: bool) -> None:
        self.status.setText(("⚠ " if warning else "") + text)

    def _on_open_clicked(self, *_args: object) -> None:
        row = self.selected()
        if row is not None:
            self.open_episode(row.episode_id)

    def _on_addendum_clicked(self) -> None:
        from monitor_app.gui.discharge.addendum_dialog import AddendumDialog

        row = self.selected()
        if row is None or not row.signed:
            return
        dialog = AddendumDialog(self.session, row.episode_id, self)
        result = dialog.ask()
        dialog.deleteLater()
        if result is not None:
            problems = [p for p in (result.archive_problem, result.export_problem) if p]
            self.status.setText("\n".join("⚠ " + p for p in problems) if problems else
                                f"Addendum signed on {row.number}")
            self.session.notify(row.episode_id)
