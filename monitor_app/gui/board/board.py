"""The board: every active episode, one row each, in chair order (2 before 10).

Rows never move when a patient turns due: urgency is the row's colour, the words in the
Status column and a count in the summary line. A patient with unacknowledged alerts shows
"⚑ FLAGGED: SBP 182" (the worst flag, by the domain's severity order) in Status; when the
schedule state is more pressing (overdue, due) it keeps the first line and the flag takes
the second. Every row is two lines high, so twelve chairs fit a 1280x800 screen.

``BoardModel`` is a table model over ``services.board.BoardRow``. ``set_rows`` takes a
full reload (``services.board()``); ``tick`` takes the cheap per-second recomputation
(``services.board_tick()``) and repaints only what a tick changes. Colour always comes
with text ("⚠ OVERDUE", "DUE SOON"), never alone.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPaintEvent,
    QResizeEvent,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from monitor_app.clock import Clock
from monitor_app.gui.board.board_text import (
    MONITOR_GLYPHS,
    MONITOR_TIPS,
    PHASE_TEXT,
    alerting,
    countdown_text,
    dosing_text,
    status_text,
    vitals_parts,
    vitals_text,
)
from monitor_app.gui.monitor.marks import no_signal_text
from monitor_app.services.board import BoardRow

(COL_CHAIR, COL_PATIENT, COL_STATUS, COL_NEXT, COL_PHASE, COL_PROTOCOL, COL_VITALS,
 COL_NEWS2) = range(8)
HEADERS = ("Chair", "Patient", "Status", "Next check", "Phase", "Protocol", "Last vitals",
           "NEWS2")
TICK_COLUMNS = (COL_STATUS, COL_NEXT, COL_PHASE)  # what a tick can change (phase: minutes)
MAX_WIDTH = {COL_PATIENT: 260, COL_PROTOCOL: 170, COL_VITALS: 250}  # wider text is elided
# When the board is narrow these give way, in this order, down to these widths.
SHRINK = ((COL_PROTOCOL, 90), (COL_VITALS, 190), (COL_PHASE, 150), (COL_PATIENT, 150),
          (COL_STATUS, 200))
BIG_POINTS = 15  # chair and countdown; the rest uses the board's font
LINES = 2  # every row is this many lines high, whatever it says
UNBOUNDED = 1e6  # a text line's width when measuring it: no wrapping

AMBER = QColor("#ffd666")
RED = QColor("#f4a3a3")
INK = QColor("#111111")
FLAG = QColor("#e6c8f5")  # flagged and otherwise on schedule (with "⚑ FLAGGED" text)
BACKGROUNDS = {"red": RED, "amber": AMBER, "flag": FLAG}
CENTRED = frozenset({COL_CHAIR, COL_NEXT, COL_NEWS2})
_Index = QModelIndex | QPersistentModelIndex
# The roles the board answers. A view asks ~8 roles of each cell for every paint and
# size hint; any other (decoration, check state, size hint) is answered at once.
_Role = Qt.ItemDataRole
TEXT_ROLES = frozenset({_Role.DisplayRole, _Role.AccessibleTextRole})
STYLE_ROLES = frozenset({_Role.BackgroundRole, _Role.ForegroundRole, _Role.FontRole,
                         _Role.ToolTipRole, _Role.TextAlignmentRole, _Role.UserRole})


class BoardModel(QAbstractTableModel):
    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.rows: list[BoardRow] = []
        self.monitor_marks: dict[str, str] = {}  # chair -> "monitor" / "no signal"
        self.now = clock.now()
        self._big = QFont()  # what must read across the room: chair, status, countdown
        self._big.setPointSize(BIG_POINTS)
        self._big_bold = QFont(self._big)
        self._big_bold.setBold(True)
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------ updates
    def set_rows(self, rows: list[BoardRow]) -> None:
        """A full reload: every cell may have changed."""
        self._update(rows, full=True)

    def tick(self, rows: list[BoardRow]) -> None:
        """A countdown tick: same episodes, new schedule states; repaint only those."""
        self._update(rows, full=False)

    def _update(self, rows: list[BoardRow], full: bool) -> None:
        self.now = self.clock.now()
        old_ids = [r.episode_id for r in self.rows]
        new_ids = [r.episode_id for r in rows]
        if old_ids == new_ids:
            changed = [i for i, (a, b) in enumerate(zip(self.rows, rows, strict=True))
                       if full or a.status.state != b.status.state]
            self.rows = list(rows)
            if not rows:
                return
            last = len(rows) - 1
            if full:
                self._changed(0, last, 0, len(HEADERS) - 1)
                return
            self._changed(0, last, min(TICK_COLUMNS), max(TICK_COLUMNS))
            for i in changed:  # a new colour: the whole row
                self._changed(i, i, 0, len(HEADERS) - 1)
        elif sorted(old_ids) == sorted(new_ids):
            self._reorder(rows)
        else:
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()

    def _changed(self, top: int, bottom: int, left: int, right: int) -> None:
        self.dataChanged.emit(self.index(top, left), self.index(bottom, right))

    def _reorder(self, rows: list[BoardRow]) -> None:
        """Same episodes in a new order (one turned overdue): keep the selection."""
        self.layoutAboutToBeChanged.emit()
        position = {r.episode_id: i for i, r in enumerate(rows)}
        old = self.persistentIndexList()
        moved = [self.index(position[self.rows[i.row()].episode_id], i.column())
                 for i in old]
        self.rows = list(rows)
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()

    # ------------------------------------------------------------------ queries
    def row_of(self, episode_id: int) -> int:
        for i, row in enumerate(self.rows):
            if row.episode_id == episode_id:
                return i
        return -1

    def episode_id(self, index: _Index) -> int | None:
        return self.rows[index.row()].episode_id if index.isValid() else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def text(self, row: BoardRow, column: int) -> str:
        if column == COL_CHAIR:
            mark = MONITOR_GLYPHS.get(self.monitor_marks.get(row.chair, ""), "")
            return f"{row.chair} {mark}" if mark else row.chair
        if column == COL_PATIENT:
            return f"{row.patient_name}\n{row.mrn}"
        if column == COL_STATUS:
            return no_signal_text(status_text(row), self.monitor_marks.get(row.chair, ""))
        if column == COL_NEXT:
            return countdown_text(row)
        if column == COL_PHASE:
            return f"{PHASE_TEXT.get(row.phase, str(row.phase))}\n{dosing_text(row, self.now)}"
        if column == COL_PROTOCOL:
            return row.protocol_name
        if column == COL_VITALS:
            return vitals_text(row.last_vitals)
        if column == COL_NEWS2:
            return "—" if row.news2 is None else str(row.news2)
        return ""

    def font(self, row: BoardRow, column: int) -> QFont | None:
        """The cell's font, over the board's (None: the board's own)."""
        if column == COL_NEXT and row.status.next_kind == "recheck":
            return self._bold  # two lines: the board's size, so both fit the row
        if column in (COL_CHAIR, COL_NEXT):
            return self._big_bold if column == COL_CHAIR or alerting(row) else self._big
        return self._bold if column == COL_STATUS and alerting(row) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role in TEXT_ROLES:
            return self.text(row, column)
        if role not in STYLE_ROLES:
            return None
        if role == _Role.BackgroundRole:
            return BACKGROUNDS.get(alerting(row))
        if role == _Role.ForegroundRole:
            return INK if alerting(row) else None
        if role == _Role.FontRole:
            return self.font(row, column)
        if role == _Role.ToolTipRole:
            mark = self.monitor_marks.get(row.chair, "") if column == COL_CHAIR else ""
            return MONITOR_TIPS[mark] if mark else self._tooltip(row)
        if role == _Role.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter) if column in CENTRED else None
        return row.episode_id  # UserRole

    def _tooltip(self, row: BoardRow) -> str:
        phase = PHASE_TEXT.get(row.phase, str(row.phase))
        lines = [f"{row.number}: {row.patient_name} ({row.mrn})", row.protocol_name,
                 f"{phase}: {dosing_text(row, self.now)}"]
        if row.status.next_label:
            lines.append(f"Next: {row.status.next_label}")
        if row.status.next_due is not None:
            lines.append(f"Due at {row.status.next_due.astimezone():%H:%M}")
        if row.last_taken_at is not None:
            lines.append(f"Last vitals at {row.last_taken_at.astimezone():%H:%M}: "
                         f"{'  '.join(vitals_parts(row.last_vitals))}")
        if row.flags:
            lines.append("Alerts to acknowledge:")
            lines += [f"⚑ {flag}" for flag in row.flags]
        return "\n".join(lines)


class BoardView(QTableView):
    """The table on the main window (handle ``board``). Enter or double-click opens."""

    episode_activated = Signal(int)
    first_painted = Signal()  # the board is on screen: deferred start-up work may run

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.setAccessibleName("Board of active episodes")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)  # each cell's lines are set by the model; longer ones elide
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSortingEnabled(False)  # chair order, from the services
        self.setShowGrid(True)
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)  # fit_columns shares out the width
        header.setHighlightSections(False)
        font = self.font()
        font.setPointSize(14)  # the style sheet may set it too; large even without it
        self.setFont(font)
        self._content_widths: list[int] = []  # set by fit_columns
        self._painted = False
        self.activated.connect(self._on_row_activated)

    def row_height(self) -> int:
        """Two lines of the board's font, a little air: the same for every row."""
        return LINES * QFontMetrics(self.font()).lineSpacing() + 4

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.verticalHeader().setDefaultSectionSize(self.row_height())

    def fit_columns(self) -> None:
        """Size columns to their contents once per reload (not per tick: no jitter);
        the countdown and status columns keep room for their widest text, and the
        columns that elide best give way so the whole row fits the board's width."""
        self.verticalHeader().setDefaultSectionSize(self.row_height())
        widths = self.contents_widths()
        for column, widest in MAX_WIDTH.items():
            widths[column] = min(widths[column], widest)
        big = QFont(self.font())
        big.setPointSize(BIG_POINTS)
        big.setBold(True)
        bold = QFont(self.font())
        bold.setBold(True)
        for column, font, sample in ((COL_NEXT, big, "overdue 88:88"),
                                     (COL_STATUS, bold, "⚠ OVERDUE")):
            room = QFontMetrics(font).horizontalAdvance(sample) + 16
            widths[column] = max(widths[column], room)
        self._content_widths = widths
        self._share_width()

    def contents_widths(self) -> list[int]:
        """Each column's width for its header and its cells' widest line, as
        ``resizeColumnsToContents`` makes it; measured from the model's text and fonts,
        not by asking the model for every role of every cell (~10 ms a reload)."""
        self.ensurePolished()  # the style sheet's fonts
        header = self.horizontalHeader()
        widths = [header.sectionSizeHint(c) for c in range(len(HEADERS))]
        model = self.model()
        if not isinstance(model, BoardModel) or not model.rows:
            return widths
        fonts: dict[int, QFont] = {}  # over the board's, by the model's (few) fonts
        texts = [0] * len(HEADERS)
        for row in model.rows:
            for column in range(len(HEADERS)):
                texts[column] = max(texts[column],
                                    self._text_width(model, row, column, fonts))
        # The style's margins around a cell's text, measured on one cell; the grid line.
        padding = (self.sizeHintForIndex(model.index(0, COL_NEWS2)).width()
                   - self._text_width(model, model.rows[0], COL_NEWS2, fonts)
                   + (1 if self.showGrid() else 0))
        return [max(w, text + padding) for w, text in zip(widths, texts, strict=True)]

    def _text_width(self, model: BoardModel, row: BoardRow, column: int,
                    fonts: dict[int, QFont]) -> int:
        """The widest line of the cell's text in the cell's font, laid out as the cell's
        delegate lays it out (a font's advances alone can be a pixel short)."""
        font = model.font(row, column)
        resolved = fonts.get(id(font))
        if resolved is None:
            resolved = fonts[id(font)] = self.font() if font is None else font.resolve(
                self.font())
        layout = QTextLayout(model.text(row, column).replace("\n", "\u2028"), resolved)
        widest = 0.0
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(UNBOUNDED)
            widest = max(widest, line.naturalTextWidth())
        layout.endLayout()
        return math.ceil(widest)

    def _share_width(self) -> None:
        """From the contents' widths (``fit_columns``) to the board's width: a resize
        shares the width out again without measuring every cell again."""
        widths = list(self._content_widths)
        # The viewport's width, worked out without asking for the viewport: the first
        # plain QWidget handed to Python makes PySide load every QtWidgets class (~10 ms).
        room = self.maximumViewportSize().width()
        bar = self.verticalScrollBar()
        if bar.isVisibleTo(self):
            room -= bar.sizeHint().width()
        excess = sum(widths) - room
        if excess < 0:  # room to spare: the patient's name gets it
            widths[COL_PATIENT] -= excess
        for column, narrowest in SHRINK:
            if excess <= 0:
                break
            give = min(excess, max(0, widths[column] - narrowest))
            widths[column] -= give
            excess -= give
        for column, width in enumerate(widths):
            if self.columnWidth(column) != width:
                self.setColumnWidth(column, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._content_widths:
            self._share_width()
        elif self.model() is not None:
            self.fit_columns()

    def select_episode(self, episode_id: int | None) -> None:
        """Select the row of ``episode_id`` (after a reload), wherever it now is."""
        model = self.model()
        if episode_id is None or not isinstance(model, BoardModel):
            return
        row = model.row_of(episode_id)
        if row >= 0 and self.selected_episode() != episode_id:
            self.setCurrentIndex(model.index(row, COL_CHAIR))
            self.selectRow(row)

    def _on_row_activated(self, index: QModelIndex) -> None:
        episode_id = index.data(Qt.ItemDataRole.UserRole)
        if episode_id is not None:
            self.episode_activated.emit(int(episode_id))

    def selected_episode(self) -> int | None:
        index = self.currentIndex()
        value = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        return None if value is None else int(value)
