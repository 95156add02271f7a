"""Table models for the history and the REMS queue: a list of core rows, ``set_rows``;
``rows_table`` the read-only table both windows show them in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from monitor_app.gui.common.widgets import set_handle
from monitor_app.services.history import HistoryRow
from monitor_app.services.rems_queue import RemsFormState, RemsQueueItem

R = TypeVar("R")
_Index = QModelIndex | QPersistentModelIndex
RED = QColor("#f4a3a3")
AMBER = QColor("#ffd666")


def _when(moment: Any) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}" if moment is not None else ""


class RowsModel(QAbstractTableModel, Generic[R]):
    """Columns are (header, text of a row) pairs; ``colour`` gives a row's background."""

    def __init__(self, columns: Sequence[tuple[str, Callable[[R], str]]],
                 colour: Callable[[R], QColor | None] = lambda _r: None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.colour = colour
        self.rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()][1](row)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.colour(row)
        if role == Qt.ItemDataRole.ForegroundRole and self.colour(row) is not None:
            return QColor("#111111")
        return None


def history_model(parent: QWidget | None = None) -> RowsModel[HistoryRow]:
    return RowsModel[HistoryRow]((
        ("Started", lambda r: _when(r.started_at)),
        ("Episode", lambda r: r.number),
        ("Patient", lambda r: r.patient_name),
        ("MRN", lambda r: r.mrn),
        ("Protocol", lambda r: r.protocol_name),
        ("Outcome", lambda r: r.outcome),
        ("Signed", lambda r: _when(r.signed_at)),
    ), parent=parent)


def _rems_colour(item: RemsQueueItem) -> QColor | None:
    if item.state == RemsFormState.OVERDUE:
        return RED
    if item.state == RemsFormState.DUE_SOON:
        return AMBER
    return None


def rems_model(parent: QWidget | None = None) -> RowsModel[RemsQueueItem]:
    return RowsModel[RemsQueueItem]((
        ("Days left", lambda i: ("⚠ " if i.state == RemsFormState.OVERDUE else "")
         + i.days_text),
        ("Due", lambda i: i.due_on.isoformat()),
        ("Session", lambda i: i.session_date.isoformat()),
        ("Episode", lambda i: i.number),
        ("Patient", lambda i: i.patient_name),
        ("MRN", lambda i: i.mrn),
        ("Confirmation", lambda i: i.confirmation),
    ), colour=_rems_colour, parent=parent)


def rows_table(model: RowsModel[Any], key: str, label: str) -> QTableView:
    """A read-only table of ``model``: one whole row selected at a time, columns the
    user can widen, the last one filling the width, no row numbers."""
    table = set_handle(QTableView(), key, label)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().hide()
    return table
