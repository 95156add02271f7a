"""The report's four bar charts (pyqtgraph): sessions per week, flagged observations
per week, overrides by criterion, minutes from end of dosing to discharge."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

BAR = QColor(64, 107, 166)
FLAG = QColor(184, 89, 158)


class BarChart(pg.PlotWidget):
    """Bars over text categories; the title says what is counted."""

    def __init__(self, key: str, title: str, colour: QColor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName(key)
        self.setAccessibleName(title)
        self.setTitle(title, color="#222", size="10pt")
        self.colour = colour
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().setMenuEnabled(False)
        for side in ("left", "bottom"):
            axis = self.getAxis(side)
            axis.setTextPen("#333")
            axis.setPen("#888")
            axis.setStyle(tickFont=QFont("DejaVu Sans", 7))
        self.labels: list[str] = []
        self.values: list[float] = []

    def set_bars(self, labels: Sequence[str], values: Sequence[float]) -> None:
        self.clear()
        self.labels, self.values = list(labels), list(values)
        plot = self.getPlotItem()
        for side in ("left", "bottom"):
            plot.showAxis(side, bool(labels))
        if not labels:
            note = pg.TextItem("nothing in this period", color="#555", anchor=(0.5, 0.5))
            self.addItem(note)
            note.setPos(0.5, 0.5)
            self.setXRange(0, 1, padding=0)
            self.setYRange(0, 1, padding=0)
            return
        xs = list(range(len(labels)))
        self.addItem(pg.BarGraphItem(x=xs, height=list(values), width=0.7,
                                     brush=self.colour, pen=pg.mkPen(None)))
        step = max(1, len(labels) // 8)
        self.getAxis("bottom").setTicks([[(i, labels[i]) for i in xs[::step]]])
        self.setXRange(-0.6, len(labels) - 0.4, padding=0)
        top = max(4.0, max(values) * 1.15)
        self.setYRange(0, top, padding=0)
        step = max(1, math.ceil(top / 5))  # counts: whole-number ticks
        self.getAxis("left").setTickSpacing(step, step)
