"""The trend chart of one episode: HR, SBP and DBP over clock time (pyqtgraph).

Baseline values are faint solid lines, the protocol's alert limits (and the rise from
baseline that raises an alert) dashed lines in the colour of their curve; the dosing period
is shaded. Every limit is read from ``view.protocol.limits``; voided observations are left
out.
"""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from monitor_app.domain.protocol import FieldLimits
from monitor_app.services.views import EpisodeView

# series -> (label, colour, symbol); SBP ▼ and DBP ▲ point at each other like a BP bar.
SERIES: dict[str, tuple[str, str, str]] = {
    "hr": ("HR", "#1f6f3f", "o"),
    "sbp": ("SBP", "#b3261e", "t"),
    "dbp": ("DBP", "#1f4e9c", "t1"),
}
LIMIT_WORDS = {"flag_at_or_above": "≥", "flag_above": ">", "flag_at_or_below": "≤",
               "flag_below": "<"}
DOSING_BRUSH = QColor(255, 193, 7, 55)
MARGIN_S = 5 * 60
LABEL_FILL = QColor(255, 255, 255, 210)


class TrendPlot(pg.PlotWidget):
    """``curves[name].getData()`` holds what is drawn; ``limit_lines`` the alert lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w",
                         axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.setObjectName("trend_plot")
        self.setAccessibleName("Trend of heart rate and blood pressure")
        self.setMinimumHeight(100)  # the splitter may give it more, or collapse it
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setLabel("left", "mmHg  ·  beats/min")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getViewBox().setMouseEnabled(x=False, y=False)
        for axis in ("left", "bottom"):
            item.getAxis(axis).setTextPen("#333333")
            item.getAxis(axis).setPen("#888888")
        self.curves: dict[str, pg.PlotDataItem] = {}
        for name, (label, colour, symbol) in SERIES.items():
            self.curves[name] = item.plot(
                [], [], name=label, pen=pg.mkPen(colour, width=2), symbol=symbol,
                symbolSize=9, symbolBrush=colour, symbolPen=pg.mkPen("w"))
        self.region = pg.LinearRegionItem((0, 1), movable=False, brush=DOSING_BRUSH,
                                          pen=pg.mkPen(QColor(200, 140, 0, 160)))
        self.region.setZValue(-10)
        self.region.hide()
        item.addItem(self.region)
        self.region_label = pg.TextItem("", color="#7a5200", anchor=(0, 0))
        self.region_label.hide()
        item.addItem(self.region_label)
        # Lines are made once and then moved, relabelled or hidden: removing items from
        # the scene and adding new ones on each refresh upset PySide6's reference counts.
        self._lines: dict[tuple[str, str], pg.InfiniteLine] = {}
        for name, (_label, colour, _symbol) in SERIES.items():
            self._lines[name, "baseline"] = self._line(colour, Qt.PenStyle.SolidLine, 110)
            for attr in LIMIT_WORDS:
                self._lines[name, attr] = self._line(colour, Qt.PenStyle.DashLine)
            self._lines[name, "rise"] = self._line(colour, Qt.PenStyle.DotLine, position=0.8)

    @property
    def baseline_lines(self) -> list[pg.InfiniteLine]:
        return [line for (_n, kind), line in self._lines.items()
                if kind == "baseline" and line.isVisible()]

    @property
    def limit_lines(self) -> list[pg.InfiniteLine]:
        return [line for (_n, kind), line in self._lines.items()
                if kind != "baseline" and line.isVisible()]

    # ---------------------------------------------------------------- data
    def set_view(self, view: EpisodeView, now: datetime) -> None:
        rows = [r.observation for r in view.current_rows]
        values: list[float] = []
        times = [o.taken_at.timestamp() for o in rows]
        for name, curve in self.curves.items():
            pairs = [(t, getattr(o.vitals, name)) for t, o in zip(times, rows, strict=True)
                     if getattr(o.vitals, name) is not None]
            curve.setData([p[0] for p in pairs], [p[1] for p in pairs])
            values += [p[1] for p in pairs]
        self._set_lines(view)
        values += [line.value() for line in self.baseline_lines + self.limit_lines]
        start, end = view.episode.dosing_start, view.episode.dosing_end
        x_points = [*times, now.timestamp()]
        if start is not None:
            right = (end or now).timestamp()
            self.region.setRegion((start.timestamp(), right))
            self.region.show()
            self.region_label.setText(f"{view.protocol.dosing_label}"
                                      + ("" if end else " (running)"))
            self.region_label.show()
            x_points.append(start.timestamp())
        else:
            self.region.hide()
            self.region_label.hide()
        left, right = min(x_points) - MARGIN_S, max(x_points) + MARGIN_S
        low, high = (min(values), max(values)) if values else (40.0, 200.0)
        item = self.getPlotItem()
        item.setXRange(left, right, padding=0)
        item.setYRange(low - 10, high + 15, padding=0)
        if start is not None:
            self.region_label.setPos(start.timestamp(), high + 14)

    def _set_lines(self, view: EpisodeView) -> None:
        base = view.baseline.vitals if view.baseline is not None else None
        for line in self._lines.values():
            line.hide()
        baselines: dict[str, int | None] = {}
        for name, (label, _colour, _symbol) in SERIES.items():
            limits: FieldLimits | None = view.protocol.limits.get(name)
            base_value = getattr(base, name) if base is not None else None
            baselines[name] = base_value
            if base_value is not None:
                self._place(name, "baseline", base_value, "")
            if limits is None:
                continue
            for attr, word in LIMIT_WORDS.items():
                value = getattr(limits, attr)
                if value is not None:
                    self._place(name, attr, value, f"{label} {word} {value:g}")
            rise = limits.flag_rise_from_baseline
            if rise is not None and base_value is not None:
                self._place(name, "rise", base_value + rise, f"{label} +{rise:g} from baseline")
        self._set_title(baselines, view.protocol.dosing_label)

    def _set_title(self, baselines: dict[str, int | None], dosing: str) -> None:
        """The key, above the chart so it never hides a point."""
        keys = []
        for name, (label, colour, _symbol) in SERIES.items():
            glyph = {"o": "●", "t": "▼", "t1": "▲"}[SERIES[name][2]]
            base = baselines.get(name)
            keys.append(f"<span style='color:{colour}; font-weight:bold'>{glyph} {label}</span>"
                        + (f" <span style='color:#555'>(baseline {base})</span>"
                           if base is not None else ""))
        keys.append("<span style='color:#555'>── baseline &nbsp;- - alert limit &nbsp;"
                    f"··· rise from baseline &nbsp;▒ {dosing}</span>")
        self.title_text = "&nbsp;&nbsp;&nbsp;".join(keys)
        self.getPlotItem().setTitle(self.title_text, size="9pt")

    def _place(self, name: str, kind: str, value: float, text: str) -> None:
        line = self._lines[name, kind]
        line.show()  # first: a hidden line's label ignores new text
        line.setValue(value)
        line.label.setFormat(text)
        line.label.setVisible(bool(text))  # an empty label would still draw its fill

    def _line(self, colour: str, style: Qt.PenStyle, alpha: int = 200,
              position: float = 0.98) -> pg.InfiniteLine:
        pen_colour = QColor(colour)
        pen_colour.setAlpha(alpha)
        anchor = (1, 1)
        line = pg.InfiniteLine(
            pos=0, angle=0, movable=False, pen=pg.mkPen(pen_colour, width=1, style=style),
            label="", labelOpts={"position": position, "color": colour, "fill": LABEL_FILL,
                                 "anchors": [anchor, anchor]})
        font = QFont()
        font.setPointSizeF(7.5)
        line.label.setFont(font)
        line.setZValue(-5)
        line.hide()
        self.getPlotItem().addItem(line, ignoreBounds=True)
        return line

    # ---------------------------------------------------------------- for tests
    def series(self, name: str) -> tuple[list[float], list[float]]:
        x, y = self.curves[name].getData()
        return ([] if x is None else [float(v) for v in x],
                [] if y is None else [float(v) for v in y])

    def limit_values(self) -> dict[str, float]:
        """Alert line label -> value."""
        return {line.label.format: line.value() for line in self.limit_lines}
