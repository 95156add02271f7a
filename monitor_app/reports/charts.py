"""A vector trend chart of heart rate, blood pressure and SpO2 for the printed sheet.

Drawn with ``reportlab.graphics`` so it stays sharp at any printer resolution. The
series differ by dash and marker as well as by colour, so the chart still reads on a
black-and-white printer: HR solid with dots, SBP solid with up-triangles, DBP dashed
with down-triangles, SpO2 (in a strip of its own, in %) with diamonds.

Axes fit the data, never the other way round: each axis starts from a usual range
(60-140 for HR and BP, 90-100 % for SpO2) and widens to hold every value recorded, so
a spike (SBP 220, HR 160, SpO2 82) is drawn inside the plot, not clipped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Polygon,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from .pdf_text import FONT
from .sheet_data import TrendGuide

HR_COLOUR = colors.Color(0.72, 0.10, 0.10)
BP_COLOUR = colors.Color(0.05, 0.22, 0.60)
SPO2_COLOUR = colors.Color(0.05, 0.45, 0.30)
GRID = colors.Color(0.85, 0.85, 0.85)
AXIS = colors.Color(0.3, 0.3, 0.3)
DOSING_FILL = colors.Color(0.88, 0.88, 0.88)
TICK_STEPS_MIN = (5, 10, 15, 20, 30, 60, 120, 240)
SPO2_STRIP = 46.0  # points of height the SpO2 strip adds below the HR and BP plot
SPO2_GAP = 8.0

# (time, HR, SBP, DBP) or (time, HR, SBP, DBP, SpO2)
Point = tuple[datetime, float | None, float | None, float | None] | tuple[
    datetime, float | None, float | None, float | None, float | None]
Scale = Callable[[datetime], float]
ValueScale = Callable[[float], float]


@dataclass(frozen=True)
class _Series:
    label: str
    index: int  # position in the point tuple
    colour: colors.Color
    width: float
    dash: tuple[float, ...] | None
    marker: str  # "dot", "up", "down"


SERIES = (
    _Series("HR (/min)", 1, HR_COLOUR, 1.0, None, "dot"),
    _Series("SBP (mmHg)", 2, BP_COLOUR, 1.5, None, "up"),
    _Series("DBP (mmHg)", 3, BP_COLOUR, 1.2, (3, 2), "down"),
)
SPO2 = _Series("SpO2 (%)", 4, SPO2_COLOUR, 1.0, None, "diamond")


def chart_height(points: Sequence[Point], height: float) -> float:
    """The chart's height: ``height`` for HR and BP, plus the SpO2 strip when any SpO2."""
    return height + (SPO2_STRIP + SPO2_GAP if _has_spo2(points) else 0.0)


def _has_spo2(points: Sequence[Point]) -> bool:
    return any(len(p) > 4 and p[4] is not None for p in points)


def trend_chart(points: Sequence[Point], *, width: float, height: float, tz: tzinfo,
                dosing_start: datetime | None = None, dosing_end: datetime | None = None,
                dosing_label: str = "dosing", guides: Sequence[TrendGuide] = ()) -> Drawing:
    """HR, SBP and DBP over local clock time, the dosing period shaded; below them SpO2
    in a strip of its own when any was recorded (``chart_height`` tall in all)."""
    with_spo2 = _has_spo2(points)
    height = chart_height(points, height)
    drawing = Drawing(width, height)
    pts = sorted(((p[0], p[1], p[2], p[3], p[4] if len(p) > 4 else None)
                  for p in points), key=lambda p: p[0])
    margin = max((stringWidth(g.label, FONT, 6.5) for g in guides), default=0.0)
    left, right, bottom, top = 34.0, width - 10.0 - margin, 24.0, height - 18.0
    strip_bottom = bottom
    if with_spo2:
        bottom += SPO2_STRIP + SPO2_GAP
    _legend(drawing, left, height - 10, dosing_label, with_spo2)
    times = [p[0] for p in pts] + [t for t in (dosing_start, dosing_end) if t is not None]
    if not pts:
        drawing.add(Rect(left, bottom, right - left, top - bottom, fillColor=None,
                         strokeColor=AXIS, strokeWidth=0.6))
        drawing.add(String((left + right) / 2, (bottom + top) / 2,
                           "No observations to chart", fontName=FONT, fontSize=9,
                           fillColor=AXIS, textAnchor="middle"))
        return drawing
    t0, t1 = min(times), max(times)
    if (t1 - t0) < timedelta(minutes=10):
        t0, t1 = t0 - timedelta(minutes=5), t1 + timedelta(minutes=5)
    values = [v for p in pts for v in p[1:4] if v is not None]
    values += [g.value for g in guides]
    y0, y1 = _y_range(values)

    def x(t: datetime) -> float:
        return left + (t - t0).total_seconds() / (t1 - t0).total_seconds() * (right - left)

    def y(v: float) -> float:
        return bottom + (v - y0) / (y1 - y0) * (top - bottom)

    if dosing_start is not None:
        end = dosing_end or pts[-1][0]
        xs, xe = max(left, x(dosing_start)), min(right, x(end))
        drawing.add(Rect(xs, bottom, max(xe - xs, 0.8), top - bottom, fillColor=DOSING_FILL,
                         strokeColor=None))
        if with_spo2:
            drawing.add(Rect(xs, strip_bottom, max(xe - xs, 0.8), SPO2_STRIP,
                             fillColor=DOSING_FILL, strokeColor=None))
        drawing.add(String(xs + 3, top - 9, f"{dosing_label.capitalize()}"
                           f"{'' if dosing_end else ' (no end recorded)'}",
                           fontName=FONT, fontSize=7, fillColor=AXIS))
    step = 20 if y1 - y0 <= 160 else 40
    for v in range(int(y0), int(y1) + 1, step):
        drawing.add(Line(left, y(v), right, y(v), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(String(left - 4, y(v) - 2.5, str(v), fontName=FONT, fontSize=7,
                           fillColor=AXIS, textAnchor="end"))
    _x_ticks(drawing, t0, t1, tz, x, strip_bottom, top)
    _guides(drawing, guides, left, right, y, y0, y1)
    size = 2.4 if len(pts) <= 16 else 1.7
    for series in SERIES:
        _plot(drawing, series, pts, x, y, size)
    drawing.add(_frame(left, bottom, right, top))
    if with_spo2:
        _spo2_strip(drawing, pts, x, left, right, strip_bottom, size)
    return drawing


def _frame(left: float, bottom: float, right: float, top: float) -> Rect:
    return Rect(left, bottom, right - left, top - bottom, fillColor=None, strokeColor=AXIS,
                strokeWidth=0.6)


def _spo2_strip(drawing: Drawing, pts: list[tuple], x: Scale, left: float, right: float,
                bottom: float, size: float) -> None:
    top = bottom + SPO2_STRIP
    s0, s1 = spo2_range([p[4] for p in pts if p[4] is not None])

    def y(v: float) -> float:
        return bottom + (v - s0) / (s1 - s0) * (top - bottom)

    step = 5 if s1 - s0 <= 20 else 10
    for v in range(s1, s0 - 1, -step):
        drawing.add(Line(left, y(v), right, y(v), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(String(left - 4, y(v) - 2.5, str(v), fontName=FONT, fontSize=7,
                           fillColor=AXIS, textAnchor="end"))
    drawing.add(String(right + 4, top - 7, "SpO2 %", fontName=FONT, fontSize=6.5,
                       fillColor=SPO2_COLOUR))
    _plot(drawing, SPO2, pts, x, y, size)
    drawing.add(_frame(left, bottom, right, top))


def spo2_range(values: Sequence[float]) -> tuple[int, int]:
    """90-100 %, widened in steps of 5 to the lowest value recorded (82 -> 80-100)."""
    low = min([*values, 90.0]) - 2
    return int(math.floor(low / 5) * 5), 100


def _y_range(values: list[float]) -> tuple[int, int]:
    low = min([*values, 60.0]) - 10
    high = max([*values, 140.0]) + 10
    return int(math.floor(low / 20) * 20), int(math.ceil(high / 20) * 20)


def _x_ticks(drawing: Drawing, t0: datetime, t1: datetime, tz: tzinfo, x: Scale,
             bottom: float, top: float) -> None:
    span_min = (t1 - t0).total_seconds() / 60
    step = next((s for s in TICK_STEPS_MIN if span_min / s <= 9), TICK_STEPS_MIN[-1])
    start = t0.astimezone(tz).replace(second=0, microsecond=0)
    minute = start.hour * 60 + start.minute
    tick = start + timedelta(minutes=(-minute) % step)
    while tick <= t1:
        px = x(tick)
        drawing.add(Line(px, bottom, px, top, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(Line(px, bottom - 3, px, bottom, strokeColor=AXIS, strokeWidth=0.6))
        drawing.add(String(px, bottom - 11, tick.strftime("%H:%M"), fontName=FONT,
                           fontSize=7, fillColor=AXIS, textAnchor="middle"))
        tick += timedelta(minutes=step)
    name = t0.astimezone(tz).tzname() or ""
    drawing.add(String((x(t0) + x(t1)) / 2, bottom - 21, f"local time {name}".strip(),
                       fontName=FONT, fontSize=6.5, fillColor=AXIS, textAnchor="middle"))


def _guides(drawing: Drawing, guides: Sequence[TrendGuide], left: float, right: float,
            y: ValueScale, y0: float, y1: float) -> None:
    """Reference lines across the plot, labelled in the margin right of it."""
    last_label = -1e9
    for guide in sorted(guides, key=lambda g: g.value):
        if not y0 <= guide.value <= y1:
            continue
        py = y(guide.value)
        dash = [4, 2] if guide.kind == "baseline" else [1, 1.5]
        width = 0.7 if guide.kind == "baseline" else 0.9
        drawing.add(Line(left, py, right, py, strokeColor=AXIS, strokeWidth=width,
                         strokeDashArray=dash))
        label_y = max(py - 2.3, last_label + 7.5)
        drawing.add(String(right + 4, label_y, guide.label, fontName=FONT, fontSize=6.5,
                           fillColor=AXIS))
        last_label = label_y


def _plot(drawing: Drawing, series: _Series, pts: list[tuple], x: Scale, y: ValueScale,
          size: float) -> None:
    segment: list[float] = []
    for point in pts:
        v = point[series.index]
        if v is None:
            _polyline(drawing, series, segment)
            segment = []
            continue
        segment += [x(point[0]), y(v)]
    _polyline(drawing, series, segment)
    for point in pts:
        v = point[series.index]
        if v is not None:
            drawing.add(_marker(series, x(point[0]), y(v), size))


def _polyline(drawing: Drawing, series: _Series, coords: list[float]) -> None:
    if len(coords) >= 4:
        drawing.add(PolyLine(coords, strokeColor=series.colour, strokeWidth=series.width,
                             strokeDashArray=list(series.dash) if series.dash else None,
                             strokeLineJoin=1))


def _marker(series: _Series, px: float, py: float, r: float) -> Circle | Polygon:
    if series.marker == "diamond":
        return Polygon([px - r, py, px, py + r, px + r, py, px, py - r],
                       fillColor=series.colour, strokeColor=None)
    if series.marker == "dot":
        return Circle(px, py, r * 0.8, fillColor=series.colour, strokeColor=None)
    if series.marker == "up":
        return Polygon([px - r, py - r * 0.8, px + r, py - r * 0.8, px, py + r * 1.1],
                       fillColor=series.colour, strokeColor=None)
    return Polygon([px - r, py + r * 0.8, px + r, py + r * 0.8, px, py - r * 1.1],
                   fillColor=colors.white, strokeColor=series.colour, strokeWidth=0.9)


def _legend(drawing: Drawing, left: float, py: float, dosing_label: str,
            with_spo2: bool) -> None:
    """One line above the plot; a group of its own, apart from the plotted points."""
    legend = Group()
    px = left
    for series in (*SERIES, SPO2) if with_spo2 else SERIES:
        legend.add(Line(px, py + 2.5, px + 18, py + 2.5, strokeColor=series.colour,
                        strokeWidth=series.width,
                        strokeDashArray=list(series.dash) if series.dash else None))
        legend.add(_marker(series, px + 9, py + 2.5, 2.4))
        legend.add(String(px + 22, py, series.label, fontName=FONT, fontSize=7.5,
                          fillColor=colors.black))
        px += 34 + stringWidth(series.label, FONT, 7.5)
    legend.add(Rect(px, py - 1, 14, 7, fillColor=DOSING_FILL, strokeColor=None))
    legend.add(String(px + 18, py, f"{dosing_label} period", fontName=FONT, fontSize=7.5,
                      fillColor=colors.black))
    drawing.add(legend)
