"""The month at a glance as a PDF (reportlab platypus, vector charts), from plain data."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .clinic_report import ClinicReportData, minutes_text, percentile
from .pdf_text import FONT, FONT_BOLD, RULE, SHADE, Styles, markup, register_fonts

BAR = colors.Color(0.25, 0.42, 0.65)
FLAG = colors.Color(0.72, 0.35, 0.62)
CHART_HEIGHT = 120


def _table(rows: Sequence[Sequence[str]], widths: Sequence[float], st: Styles) -> Table:
    cells = [[Paragraph(markup(str(c)), st.cell) for c in row] for row in rows]
    table = Table(cells, colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _step(top: float) -> int:
    """Whole-number ticks, about five of them: counts have no halves."""
    return max(1, math.ceil(top / 5))


def _title(text: str, width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, text, fontName=FONT_BOLD, fontSize=9))
    return drawing


def _bars(title: str, labels: Sequence[str], series: Sequence[Sequence[float]],
          fills: Sequence[colors.Color], width: float) -> Drawing:
    drawing = _title(title, width, CHART_HEIGHT + 30)
    if not labels:
        drawing.add(String(0, CHART_HEIGHT / 2, "nothing in this period", fontName=FONT,
                           fontSize=8))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 28, 22, width - 36, CHART_HEIGHT - 20
    chart.data = [list(s) for s in series]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max((max(s) for s in series if s), default=0)
    chart.valueAxis.valueMax = max(4, top * 1.15)
    chart.valueAxis.valueStep = _step(chart.valueAxis.valueMax)
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 5
    for i, fill in enumerate(fills):
        chart.bars[i].fillColor = fill
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    return drawing


def _hbars(title: str, items: Sequence[tuple[str, int]], width: float) -> Drawing:
    height = max(60, 16 * len(items) + 40)
    drawing = _title(title, width, height)
    if not items:
        drawing.add(String(0, height / 2, "no overrides in this period", fontName=FONT,
                           fontSize=8))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 16, width - 130, height - 36
    chart.data = [[n for _, n in items]]
    chart.categoryAxis.categoryNames = [label[:28] for label, _ in items]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(2, max(n for _, n in items) * 1.2)
    chart.valueAxis.valueStep = _step(chart.valueAxis.valueMax)
    chart.bars[0].fillColor = BAR
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def render_clinic_report(data: ClinicReportData, font_dir: Path, paper: str = "Letter"
                         ) -> bytes:
    register_fonts(font_dir)
    st = Styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4 if paper == "A4" else letter,
                            leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"{data.clinic}: month at a glance",
                            author=data.clinic)
    width = doc.width
    half = (width - 6 * mm) / 2
    story: list[Flowable] = [
        Paragraph(markup(f"{data.clinic}: month at a glance"), st.clinic),
        Paragraph(markup(f"{data.date_from} to {data.date_to} · made {data.made_at}"),
                  st.small),
        Spacer(1, 4 * mm),
    ]
    key = [
        ("Sessions", str(data.sessions)),
        ("Flagged observations", f"{data.flagged_observations} of {data.observations}"),
        ("Alerts acknowledged", f"{data.acknowledged_alerts} of "
                                f"{data.acknowledged_alerts + data.unacknowledged_alerts}; "
                                f"median {minutes_text(data.ack_median)} from observation"),
        ("Overrides", str(len(data.overrides))),
        ("REMS forms", f"{data.rems_on_time} on time, {data.rems_late} late, "
                       f"{data.rems_outstanding} outstanding"),
        ("Late entries", f"{data.late_entries} (typed over {data.late_entry_min} min after)"),
        ("Voided entries", str(data.voided_entries)),
        ("End of dosing to discharge", f"median {minutes_text(data.discharge_median)}, "
                                       f"90th percentile {minutes_text(data.discharge_p90)} "
                                       f"({len(data.discharge_minutes)} episodes)"),
    ]
    protocol_rows = [("Protocol", "Sessions", "Signed", "Cancelled", "Open")] + [
        (p.protocol, str(p.sessions), str(p.signed), str(p.cancelled), str(p.open))
        for p in data.by_protocol]
    protocol_widths = [half * w for w in (0.28, 0.18, 0.16, 0.21, 0.17)]
    story += [Table([[_table([("Figure", "Value"), *key], (half * 0.42, half * 0.58), st),
                      _table(protocol_rows, protocol_widths, st)]],
                    colWidths=[half + 6 * mm, half],
                    style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
              Spacer(1, 4 * mm)]
    weeks = [f"{w.week_of:%d %b}" for w in data.weeks]
    sessions = _bars("Sessions per week", weeks, [[w.sessions for w in data.weeks]], [BAR],
                     half)
    flagged = _bars("Flagged observations per week", weeks,
                    [[w.flagged for w in data.weeks]], [FLAG], half)
    overrides = _hbars("Overrides by criterion", data.overrides_by_criterion, half)
    bins = data.discharge_bins
    p90 = percentile(data.discharge_minutes, 90)
    discharge = _bars("End of dosing to discharge (min)"
                      + (f", p90 {p90:.0f}" if p90 is not None else ""),
                      [b for b, _ in bins], [[n for _, n in bins]], [BAR], half)
    story += [Table([[sessions, flagged], [overrides, discharge]], colWidths=[half + 6 * mm,
                                                                              half],
                    style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
              Spacer(1, 3 * mm)]
    if data.overrides:
        story += [Paragraph("Overrides and their reasons", st.h2),
                  _table([("Episode", "Criterion", "Reason", "Authorised by")] + [
                      (o.episode, o.criterion, o.reason, o.prescriber) for o in data.overrides],
                      (width * 0.16, width * 0.2, width * 0.44, width * 0.2), st)]
    doc.build(story)
    return out.getvalue()
