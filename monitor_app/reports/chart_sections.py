"""What the chart copy adds for an auditor: pre-check answers, who is who, each alert
with its acknowledgement and action, who gave the dose, and the audit chain's anchor."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from .pdf_text import Styles, fmt_datetime, fmt_time, group_hex, heading, markup, value
from .sheet_data import SheetData
from .sheet_signoff import _grid, _heads


def precheck(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.precheck:
        return []
    rows: list[list] = [_heads(st, "Before dosing (pre-check)", "Answer", centred=(1,))]
    for label, answer in data.precheck:
        rows.append([Paragraph(markup(label), st.cell),
                     Paragraph(f"<b>{value(answer)}</b>", st.cell_c)])
    return [Spacer(1, 6), _grid(rows, [width * 0.85, width * 0.15])]


def key(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    out += _alerts(data, st, width)
    parts: list[Flowable] = [Paragraph("Who is who", st.h2)]
    rows: list[list] = [_heads(st, "Initials", "Name and credentials")]
    rows += [[Paragraph(f"<b>{markup(initials)}</b>", st.cell), Paragraph(markup(name), st.cell)]
             for initials, name in data.staff_key]
    if data.dosing_by:
        parts.append(Paragraph(f"Dose started in the monitor by <b>{markup(data.dosing_by)}"
                               "</b>.", st.body))
    if len(rows) > 1:
        parts += [Spacer(1, 3), _grid(rows, [width * 0.15, width * 0.85])]
    out.append(KeepTogether(parts))
    out += _anchor(data, st)
    return out


def _alerts(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = heading("Alerts and what was done", st)
    if not data.alert_log:
        return [*out, Paragraph("No observation raised an alert.", st.body)]
    rows: list[list] = [_heads(st, "Time", "Alert", "Acknowledged by", "Action")]
    for entry in data.alert_log:
        if entry.acknowledged_by:
            when = fmt_time(entry.acknowledged_at, data.tz) if entry.acknowledged_at else ""
            ack = f"{markup(entry.acknowledged_by)}<br/><font size='6.5'>{when}</font>"
        else:
            ack = "<b>Not acknowledged</b>"
        rows.append([Paragraph(fmt_time(entry.taken_at, data.tz), st.cell),
                     Paragraph(markup(entry.alert), st.cell), Paragraph(ack, st.cell),
                     Paragraph(value(entry.action), st.cell)])
    widths = [40, width * 0.3, width * 0.28]
    widths.append(width - sum(widths))
    return [*out, _grid(rows, widths)]


def _anchor(data: SheetData, st: Styles) -> list[Flowable]:
    if data.anchor is None:
        return []
    text = (f"Audit chain anchor at signing: event <b>{data.anchor.event}</b>, hash "
            f"<font name='Courier'>{group_hex(data.anchor.hash)}</font>. "
            "<font color='#555555'>Anyone can check the record against it with "
            "<i>monitor-app verify</i>.</font>")
    parts: list[Flowable] = [Paragraph("Record anchor", st.h2), Paragraph(text, st.body)]
    if data.signature is not None:
        parts.append(Paragraph(
            f"Discharge signature fingerprint (SHA-256): <font name='Courier'>"
            f"{group_hex(data.signature.fingerprint)}</font>, signed "
            f"{fmt_datetime(data.signature.signed_at, data.tz)}.", st.body))
    return [KeepTogether(parts)]
