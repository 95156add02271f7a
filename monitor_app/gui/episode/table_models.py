"""Table models over the services' plain rows: a list of rows, ``COL_*``, ``set_rows()``.

The model only presents: which values are abnormal comes from ``row.alerts`` (the core's
verdict), never from a limit repeated here. Abnormal values are bold, coloured and carry a
glyph (▲ high, ▼ low, ! other) so colour is never the only cue; voided rows are struck
through, greyed and say why.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from monitor_app.domain.models import Alert, Observation, ObservationSource
from monitor_app.gui.common.formatting import alert_glyph, format_temp, local_time
from monitor_app.gui.common.widgets import ERROR_COLOUR
from monitor_app.services.views import ObservationRow

COL_TIME, COL_POINT, COL_HR, COL_BP, COL_SPO2, COL_RR, COL_TEMP, COL_MOAAS = range(8)
COL_DISS, COL_SIDE, COL_NEWS2, COL_BY, COL_NOTE = range(8, 13)
HEADERS = ("Time", "Timepoint", "HR", "BP", "SpO2", "RR", "Temp", "MOAA/S", "Dissoc.",
           "Side effects", "NEWS2", "By", "Note")
HEADER_TIPS = ("Time the observation was taken (local time)",
               "Where it falls in the protocol's schedule: baseline, minutes after dosing "
               "started, end of dosing, recovery minutes after dosing ended",
               "Heart rate, beats/min",
               "Blood pressure, mmHg", "Oxygen saturation, % (O2 = on supplemental oxygen)",
               "Respiratory rate, breaths/min", "Temperature", "Sedation, MOAA/S 0-5",
               "Dissociation severity 0-3", "Side effects", "NEWS2 total (escalation aid)",
               "Recorded by (initials)", "Note, reason for missing values, void reason")
# Alert field (form key) -> column it marks.
FIELD_COLUMN = {"hr": COL_HR, "bp": COL_BP, "spo2": COL_SPO2, "rr": COL_RR, "temp": COL_TEMP,
                "temp_c": COL_TEMP, "moaas": COL_MOAAS, "dissociation": COL_DISS}
ALERT_COLOUR = QColor(ERROR_COLOUR)
VOID_COLOUR = QColor("#8a8a8a")
LATE_COLOUR = QColor("#8a5a00")


class ObservationModel(QAbstractTableModel):
    """Every observation of one episode, voided ones included, by time taken."""

    def __init__(self, temp_unit: str = "C", parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ObservationRow] = []
        self._by_id: dict[int, ObservationRow] = {}
        self._successor: dict[int, Observation] = {}  # voided id -> the correction
        self.temp_unit = temp_unit

    # ---------------------------------------------------------------- data in
    def set_rows(self, rows: Sequence[ObservationRow]) -> None:
        """Show ``rows`` (by time taken, then id). Rows are never deleted from a record,
        so this inserts the new ones (``rowsInserted``) and repaints the changed ones
        (``dataChanged``, a void say); only rows that went away or moved reset it."""
        rows = list(rows)
        new_ids = {r.observation.id for r in rows}
        kept = [r.observation.id for r in self._rows if r.observation.id in new_ids]
        if len(kept) != len(self._rows) or kept != [r.observation.id for r in rows
                                                    if r.observation.id in set(kept)]:
            self.beginResetModel()
            self._index(rows)
            self.endResetModel()
            return
        for position, row in enumerate(rows):
            if row.observation.id not in self._by_id:
                self._insert(position, row)
        changed = [i for i, (old, new) in enumerate(zip(self._rows, rows, strict=True))
                   if old != new]
        self._index(rows)
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0),
                                  self.index(changed[-1], len(HEADERS) - 1))

    def add_row(self, row: ObservationRow) -> int:
        """One new row (a save) at its place by time taken; returns its index."""
        key = (row.observation.taken_at, row.observation.id)
        position = bisect_right([(r.observation.taken_at, r.observation.id)
                                 for r in self._rows], key)
        self._insert(position, row)
        if row.observation.supersedes is not None:  # the voided one now names it
            self._index(self._rows)
        return position

    def _insert(self, position: int, row: ObservationRow) -> None:
        self.beginInsertRows(QModelIndex(), position, position)
        self._index([*self._rows[:position], row, *self._rows[position:]])
        self.endInsertRows()

    def _index(self, rows: list[ObservationRow]) -> None:
        self._rows = rows
        self._by_id = {r.observation.id: r for r in rows}
        self._successor = {r.observation.supersedes: r.observation for r in rows
                           if r.observation.supersedes is not None}

    def set_temp_unit(self, unit: str) -> None:
        self.beginResetModel()
        self.temp_unit = unit
        self.endResetModel()

    def row_at(self, row: int) -> ObservationRow:
        return self._rows[row]

    def row_of(self, observation_id: int) -> int:
        """The table row showing an observation, or -1."""
        for index, row in enumerate(self._rows):
            if row.observation.id == observation_id:
                return index
        return -1

    @property
    def rows(self) -> list[ObservationRow]:
        return list(self._rows)

    # ---------------------------------------------------------------- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == COL_TEMP:
                return f"Temp °{self.temp_unit}"
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, col = self._rows[index.row()], index.column()
        voided = row.observation.voided
        alerts = self._alerts(row, col)
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._text(row, col)
            if alerts and not voided and text:
                text = f"{text} {alert_glyph(alerts[0])}"
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col, alerts)
        if role == Qt.ItemDataRole.FontRole:
            if voided or alerts:
                font = QFont()
                font.setStrikeOut(voided)
                font.setBold(bool(alerts) and not voided)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if voided:
                return QBrush(VOID_COLOUR)
            if alerts:
                return QBrush(ALERT_COLOUR)
            if col == COL_TIME and row.late:
                return QBrush(LATE_COLOUR)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (COL_SIDE, COL_NOTE):
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.observation.id
        return None

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _alerts(row: ObservationRow, col: int) -> list[Alert]:
        return [a for a in row.alerts if FIELD_COLUMN.get(a.field) == col]

    def _text(self, row: ObservationRow, col: int) -> str:
        obs, v = row.observation, row.observation.vitals
        if col == COL_TIME:
            return local_time(obs.taken_at) + (" late" if row.late else "")
        if col == COL_POINT:
            return row.timepoint
        if col == COL_HR:
            return _num(v.hr)
        if col == COL_BP:
            return v.bp_text
        if col == COL_SPO2:
            return _num(v.spo2) + (" O2" if v.on_oxygen and v.spo2 is not None else "")
        if col == COL_RR:
            return _num(v.rr)
        if col == COL_TEMP:
            return format_temp(v.temp_c, self.temp_unit)
        if col == COL_MOAAS:
            return _num(v.moaas)
        if col == COL_DISS:
            return _num(v.dissociation)
        if col == COL_SIDE:
            return ", ".join(v.side_effects)
        if col == COL_NEWS2:
            return "" if row.news2 is None else str(row.news2.total)
        if col == COL_BY:
            monitor = obs.source == ObservationSource.MONITOR
            return row.recorded_by + (" (monitor)" if monitor else "")
        if col == COL_NOTE:
            parts = []
            if obs.voided:
                parts.append(f"VOIDED: {obs.void_reason}")
            if v.missing_reason:
                parts.append(f"Missing: {v.missing_reason}")
            if v.note:
                parts.append(v.note)
            if row.responses:
                parts.append(f"Alerts: {row.responses_text}")
            return " · ".join(parts)
        return ""

    def _tooltip(self, row: ObservationRow, col: int, alerts: list[Alert]) -> str | None:
        obs = row.observation
        lines = [f"{alert_glyph(a)} {a.message}"
                 + ("" if a.code in row.acknowledged else " (not acknowledged)")
                 for a in alerts]
        if alerts and row.responses:
            lines += [f"Done ({local_time(r.recorded_at)}): {r.text}" for r in row.responses]
        if col == COL_TIME:
            lines.append(f"Taken {local_time(obs.taken_at, True)}, "
                         f"entered {local_time(obs.entered_at, True)}")
            if row.late:
                lines.insert(0, "Late entry: typed after the time it was taken")
        if col == COL_NEWS2:
            if row.news2 is None:
                lines.append("No NEWS2: not a full observation")
            else:
                parts = ", ".join(f"{k} {s}" for k, s in row.news2.parts.items() if s)
                lines.append(f"NEWS2 {row.news2.total}: {row.news2.response}"
                             + (f" ({parts})" if parts else ""))
        if obs.voided:
            lines.append(f"VOIDED: {obs.void_reason}")
            successor = self._successor.get(obs.id)
            if successor is not None:
                lines.append(f"Replaced by the correction entered "
                             f"{local_time(successor.entered_at, True)}")
        if obs.supersedes is not None:
            old = self._by_id.get(obs.supersedes)
            when = f" taken {local_time(old.observation.taken_at)}" if old else ""
            lines.append(f"Corrects the voided observation{when}")
        if col == COL_NOTE and self._text(row, col):
            lines.append(self._text(row, col))
        return "\n".join(lines) or None


def _num(value: int | None) -> str:
    return "" if value is None else str(value)
