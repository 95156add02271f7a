"""Parts of the episode window that only present: the alert banner and the table view.

Both are built to fit a 1280x800 screen: the banner is one line however many alerts
wait (the full list is its tooltip), and the table keeps room for at least
``MIN_TABLE_ROWS`` rows before the chart beside it in the splitter gets any.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from monitor_app.gui.common.fitting import ElidedLabel
from monitor_app.gui.common.formatting import local_time
from monitor_app.gui.episode.table_models import COL_NOTE, COL_SIDE
from monitor_app.services.views import EpisodeView

BANNER_STYLE = ("QFrame#alert_banner { background: #fde7e4; border: 2px solid #b3261e;"
                " border-radius: 4px; } QLabel { color: #7d1a14; font-weight: bold; }")
MIN_TABLE_ROWS = 8


class AlertBanner(QFrame):
    """Unacknowledged alerts, newest first, on one line; ``acknowledge`` is the button."""

    def __init__(self, acknowledge: QPushButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alert_banner")
        self.setStyleSheet(BANNER_STYLE)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 4, 2)
        self.alert_list = ElidedLabel()
        self.alert_list.setObjectName("alert_list")
        self.alert_list.setAccessibleName("Alerts to acknowledge")
        self.acknowledge = acknowledge
        row.addWidget(self.alert_list, 1)
        row.addWidget(acknowledge, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_view(self, view: EpisodeView) -> None:
        pending = [r for r in view.current_rows if r.unacknowledged]
        lines = [f"{local_time(r.observation.taken_at)}  "
                 + "; ".join(a.message for a in r.unacknowledged) for r in reversed(pending)]
        count = len(pending)
        head = (f"⚠ Alerts to acknowledge ({count} observation{'s' if count > 1 else ''}): "
                if count else "")
        self.alert_list.setText(head + "\n".join(lines))
        self.alert_list.setToolTip("⚠ Alerts to acknowledge:\n" + "\n".join(lines))
        self.setVisible(bool(lines))
        self.acknowledge.setEnabled(bool(lines) and not view.signed)


class ObservationTableView(QTableView):
    """The observations (handle ``observations``): one line a row, whole rows selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("observations")
        self.setAccessibleName("Observations")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SIDE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_NOTE, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(COL_SIDE, 140)

    def rows_height(self, rows: int = MIN_TABLE_ROWS) -> int:
        """The height that shows ``rows`` rows of the usual height, header included."""
        header = self.horizontalHeader().sizeHint().height()
        frame = 2 * self.frameWidth()
        scroll = self.horizontalScrollBar().sizeHint().height()
        return header + rows * self.verticalHeader().defaultSectionSize() + frame + scroll


def table_and_chart(table: ObservationTableView, chart: QWidget) -> QSplitter:
    """The table above the chart; drag the bar between them, or the chart away."""
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.setObjectName("table_chart_splitter")
    splitter.addWidget(table)
    splitter.addWidget(chart)
    splitter.setCollapsible(0, False)  # the chart may be dragged away, not the table
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([table.rows_height(10), 300])
    return splitter


def entry_box(form: QWidget) -> QGroupBox:
    """The entry form under a bold title that says how to use it."""
    box = QGroupBox("New observation: Tab between fields, Enter saves")
    title = QFont()
    title.setBold(True)
    box.setFont(title)
    QVBoxLayout(box).addWidget(form)
    form.setFont(QFont())
    return box
