"""The chart copy's trend chart: the axes fit the data, so a spike is drawn inside the
plot (read from the drawing's shapes), and SpO2 has a strip of its own."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Circle, Drawing, Polygon, Rect, String

from monitor_app.domain.documents import DocumentCopy
from monitor_app.reports.charts import AXIS, SPO2_COLOUR, spo2_range, trend_chart
from monitor_app.reports.pdf_text import register_fonts
from monitor_app.reports.sheet_data import TrendGuide, TrendPoint
from monitor_app.services import Services

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
START = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
TZ = ZoneInfo("America/New_York")
# minute, HR, SBP, DBP, SpO2: a spike 10 minutes into dosing, a dip 10 minutes later
SPIKY = [(-10, 72, 128, 82, 98), (0, 76, 132, 84, 97), (10, 160, 220, 130, 82),
         (20, 38, 90, 35, 88), (30, 96, 172, 108, 95), (45, 74, 134, 84, 97)]


def spiky_points() -> list[TrendPoint]:
    return [TrendPoint(START + timedelta(minutes=m), hr, sbp, dbp, spo2)
            for m, hr, sbp, dbp, spo2 in SPIKY]


def chart(points: list[TrendPoint]) -> Drawing:
    register_fonts(FONT_DIR)  # the labels' widths are measured in the sheet's font
    return trend_chart(points, width=500, height=140, tz=TZ, dosing_start=START,
                       dosing_end=START + timedelta(minutes=40),
                       guides=[TrendGuide("SBP alert 180", 180, "alert")])


def frames(drawing: Drawing) -> list[Rect]:
    """The plot areas: the unfilled rectangles drawn around each plot."""
    return [s for s in drawing.contents
            if isinstance(s, Rect) and s.fillColor is None and s.strokeColor == AXIS]


def markers(drawing: Drawing) -> list[tuple[float, float, object]]:
    """(x, y, colour) of each plotted point; the legend is a group of its own."""
    found = []
    for shape in drawing.contents:
        if isinstance(shape, Circle):
            found.append((shape.cx, shape.cy, shape.fillColor))
        elif isinstance(shape, Polygon):
            xs, ys = shape.points[0::2], shape.points[1::2]
            found.append((sum(xs) / len(xs), sum(ys) / len(ys),
                          shape.fillColor if shape.strokeColor is None else shape.strokeColor))
    return found


def inside(x: float, y: float, frame: Rect) -> bool:
    return (frame.x <= x <= frame.x + frame.width
            and frame.y <= y <= frame.y + frame.height)


def test_every_point_of_a_spike_lies_inside_a_plot() -> None:
    drawing = chart(spiky_points())
    plots = frames(drawing)
    points = markers(drawing)
    assert len(points) == 4 * len(SPIKY)  # HR, SBP, DBP and SpO2 at every time
    outside = [(x, y) for x, y, _c in points if not any(inside(x, y, f) for f in plots)]
    assert outside == []


def test_spo2_has_its_own_strip_whose_axis_reaches_the_lowest_value() -> None:
    drawing = chart(spiky_points())
    spo2 = [(x, y) for x, y, colour in markers(drawing) if colour == SPO2_COLOUR]
    assert len(spo2) == len(SPIKY)
    strip = min(frames(drawing), key=lambda f: f.y)  # the lower plot
    assert all(inside(x, y, strip) for x, y in spo2)
    lowest = min(y for _x, y in spo2)  # 82 %, above the strip's floor at 80 %
    assert strip.y < lowest < strip.y + strip.height * 0.2
    labels = {s.text for s in drawing.contents if isinstance(s, String)}
    assert {"80", "100", "SpO2 %"} <= labels


@pytest.mark.parametrize(("values", "axis"), [([98, 97], (85, 100)), ([82, 97], (80, 100)),
                                              ([61], (55, 100)), ([], (85, 100))])
def test_the_spo2_axis_widens_to_the_data(values: list[float], axis: tuple[int, int]) -> None:
    assert spo2_range(values) == axis


def test_without_spo2_the_chart_keeps_its_height_and_has_one_plot() -> None:
    points = [TrendPoint(p.at, p.hr, p.sbp, p.dbp) for p in spiky_points()]
    drawing = chart(points)
    assert drawing.height == 140 and len(frames(drawing)) == 1


def test_the_chart_copy_charts_the_recorded_spo2(demo_db: Path) -> None:
    services = Services.open(demo_db)
    try:
        episode = next(e for e in services.episodes(include_closed=True)
                       if services.episode_view(e.id).current_rows)
        pdf = services.documents.document_pdf(episode.id, DocumentCopy.CHART)
    finally:
        services.close()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "SpO2 (%)" in text and "SpO2 %" in text
