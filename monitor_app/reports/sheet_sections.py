"""The record sections of the discharge sheet: header, patient, episode, observations.

Each builder takes the plain ``SheetData`` and the frame width and returns flowables.
The checklist, instructions and signature sections are in ``sheet_signoff``.
"""

from __future__ import annotations

from datetime import date

from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer, Table, TableStyle

from .charts import trend_chart
from .pdf_text import (
    EMPTY,
    INK,
    RULE,
    SHADE,
    ZEBRA,
    Styles,
    chunks,
    fmt_datetime,
    fmt_time,
    heading,
    local,
    markup,
    value,
)
from .sheet_data import SheetData, SheetObservation

# (key in SheetObservation.abnormal, header, relative width); None = flexible column
OBS_COLUMNS: tuple[tuple[str, str, float | None], ...] = (
    ("time", "Time", 52),
    ("hr", "HR<br/>/min", 30),
    ("bp", "BP<br/>mmHg", 48),
    ("spo2", "SpO₂<br/>%", 38),
    ("rr", "RR<br/>/min", 28),
    ("temp", "Temp<br/>°C", 32),
    ("moaas", "MOAA/S<br/>0–5", 40),
    ("dissociation", "Dissoc.<br/>0–3", 38),
    ("side_effects", "Side effects", None),
    ("news2", "NEWS2", 36),
    ("initials", "By", 40),
)
ABNORMAL_MARK = "*"
SOURCE_SIZE = 7  # "(monitor)" under the initials: the 40-point column holds it on one line


def header(data: SheetData, st: Styles, width: float,
           title_text: str = "Discharge checklist") -> list[Flowable]:
    # Cut, not refused: the header cell cannot break across pages, and a file may hold
    # settings saved before they were bounded.
    clinic = [Paragraph(markup(_cut(data.clinic.name, 120)), st.clinic)]
    clinic += [Paragraph(markup(_cut(line, 300)), st.clinic_line)
               for line in (data.clinic.address, data.clinic.phone and
                            f"Tel. {data.clinic.phone}") if line]
    title = [Paragraph(markup(title_text), st.title),
             Paragraph(f"Episode {markup(data.episode.number)} · {markup(data.episode.date)}",
                       st.subtitle)]
    table = Table([[clinic, title]], colWidths=[width * 0.58, width * 0.42])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, Spacer(1, 4), HRFlowable(width="100%", thickness=1.6, color=INK,
                                            spaceAfter=8)]


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def _pairs(rows: list[tuple[str, str]], st: Styles, width: float) -> Table:
    cells = []
    for index, (label, text) in enumerate(rows):
        style = st.field_big if index == 0 else st.field
        cells.append([Paragraph(markup(label), st.label), Paragraph(text or EMPTY, style)])
    table = Table(cells, colWidths=[62, width - 62])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BASELINE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2)]))
    return table


def identity(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    p, e, pr, esc = data.patient, data.episode, data.protocol, data.escort
    escort = markup(esc.name)
    if esc.relationship:
        escort += f" ({markup(esc.relationship)})"
    escort = "<br/>".join(part for part in (escort.strip(), markup(esc.phone)) if part)
    patient = [("Patient", markup(p.name)), ("MRN", markup(p.mrn)),
               ("Date of birth", markup(p.dob)), ("Sex", markup(p.sex)), ("Escort", escort)]
    dose = f"{markup(data.dose_mg)} mg" if data.dose_mg else ""
    if data.dose_mg_per_kg:
        dose += f" ({markup(data.dose_mg_per_kg)} mg/kg)"
    when = " · ".join(markup(t) for t in (e.date, e.chair) if t)
    episode = [
        ("Episode", markup(e.number)), ("Date · chair", when),
        ("Protocol", f"{markup(pr.name)} <font color='#555555'>v{markup(pr.version)}</font>"),
        ("Drug · route", f"{markup(pr.drug)} · {markup(pr.route)}"), ("Dose", dose),
        ("Lot number", markup(data.lot_number)),
        ((pr.dosing_label or "dosing").capitalize(), _dosing_period(data)),
    ]
    if data.record_notes:
        episode.append(("Entry notes", "<br/>".join(markup(n) for n in data.record_notes)))
    left = (width - 10) * 0.44
    right = width - left
    table = Table([[_pairs(patient, st, left - 16), _pairs(episode, st, right - 16)]],
                  colWidths=[left, right])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                               ("LINEAFTER", (0, 0), (0, 0), 0.5, RULE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 8),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                               ("TOPPADDING", (0, 0), (-1, -1), 5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return [table]


def _dosing_period(data: SheetData) -> str:
    """``14 Mar 2026, 10:00 to 10:40 EDT (40 min)`` in local time."""
    start, end, tz = data.dosing_start, data.dosing_end, data.tz
    if start is None:
        return "not started"
    first = local(start, tz)
    text = f"{first.strftime('%d %b %Y')}, {first.strftime('%H:%M')}"
    if end is None:
        return f"{text} {first.tzname() or ''} to (no end recorded)"
    last = local(end, tz)
    until = last.strftime("%H:%M") if last.date() == first.date() else fmt_datetime(
        end, tz, zone=False)
    minutes = round((end - start).total_seconds() / 60)
    return f"{text} to {until} {last.tzname() or ''} ({minutes} min)"


def _obs_cells(data: SheetData, obs: SheetObservation, st: Styles,
               first_day: date) -> list[Paragraph]:
    texts = {
        "hr": obs.hr, "bp": obs.bp, "spo2": obs.spo2, "rr": obs.rr, "temp": obs.temp,
        "moaas": obs.moaas, "dissociation": obs.dissociation,
        "side_effects": obs.side_effects,
        "news2": "" if obs.news2 is None else str(obs.news2), "initials": obs.initials,
    }
    abnormal = set(obs.abnormal)
    if abnormal & {"sbp", "dbp"}:
        abnormal.add("bp")
    when = local(obs.taken_at, data.tz)
    time = fmt_time(obs.taken_at, data.tz)
    if when.date() != first_day:
        time = f"{when.strftime('%d %b')}<br/>{time}"
    if obs.late:
        time += "<br/><font size='6.5'>(late)</font>"
    if obs.timepoint:
        time += f"<br/><font size='6.5'>{markup(obs.timepoint)}</font>"
    left, centre = (st.cell_void, st.cell_c_void) if obs.voided else (st.cell, st.cell_c)
    cells = [Paragraph(f"<strike>{time}</strike>" if obs.voided else time, left)]
    for key, _head, _w in OBS_COLUMNS[1:]:
        text = value(texts[key])
        if key in abnormal and texts[key].strip() and not obs.voided:
            text = f"<b>{text}{ABNORMAL_MARK}</b>"
        if key == "spo2" and obs.on_oxygen:
            text += "<br/><font size='6.5'>on O₂</font>"
        if key == "initials" and obs.from_monitor:  # the source, beside who confirmed it
            text += f"<br/><font size='{SOURCE_SIZE}'>(monitor)</font>"
        if obs.voided:
            text = f"<strike>{text}</strike>"
        cells.append(Paragraph(text, left if key == "side_effects" else centre))
    return cells


def observations(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = heading("Observations", st)
    if not data.observations:
        return [*out, Paragraph("No observations were recorded.", st.body)]
    fixed = sum(w for _k, _h, w in OBS_COLUMNS if w is not None)
    widths = [w if w is not None else width - fixed for _k, _h, w in OBS_COLUMNS]
    ordered = sorted(data.observations, key=lambda o: o.taken_at)
    zone = local(ordered[0].taken_at, data.tz).tzname() or ""
    heads = {key: head for key, head, _w in OBS_COLUMNS}
    heads["time"] = f"Time<br/>{markup(zone)}"
    rows: list[list] = [[Paragraph(heads[key], st.cell_head if key in ("time", "side_effects")
                                   else st.cell_head_c) for key, _h, _w in OBS_COLUMNS]]
    style: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
    ]
    first_day = local(ordered[0].taken_at, data.tz).date()
    for index, obs in enumerate(ordered):
        start = len(rows)
        rows.append(_obs_cells(data, obs, st, first_day))
        extra: list[str] = []
        if obs.voided:
            reason = chunks(obs.void_reason)
            extra += [f"<b>VOIDED:</b> {value(reason[0])}", *map(markup, reason[1:])]
        if obs.note.strip():
            note = chunks(obs.note)
            extra += [f"Note: {markup(note[0])}", *map(markup, note[1:])]
        for text in extra:
            rows.append([Paragraph(text, st.cell_note)] + [""] * (len(OBS_COLUMNS) - 1))
            style += [("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                      ("TOPPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 0)]
        end = len(rows) - 1
        if index % 2:
            style.append(("BACKGROUND", (0, start), (-1, end), ZEBRA))
        if end > start:  # keep a row with the first line of its void reason or note
            style.append(("NOSPLIT", (0, start), (-1, start + 1)))
        style.append(("LINEBELOW", (0, end), (-1, end), 0.3, RULE))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    legend = (f"<b>Bold with {ABNORMAL_MARK}</b> = flagged: outside the protocol's alert "
              "limits, or a finding that needs attention.  "
              "(late) = entered later than the time shown.  "
              "(monitor) = a bedside monitor's reading, confirmed by who recorded it "
              "(under their initials).  "
              "<strike>Struck-through grey</strike> = voided, with the reason below it.  "
              "MOAA/S 5 = alert; dissociation 0 = none, 3 = severe.  "
              "NEWS2 is an escalation aid, not a discharge score.  "
              "By = initials of who recorded it.")
    return [*out, table, Spacer(1, 3), Paragraph(legend, st.small)]


def trend(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.trend:
        return []
    chart = trend_chart(data.trend, width=width, height=140, tz=data.tz,
                        dosing_start=data.dosing_start, dosing_end=data.dosing_end,
                        dosing_label=data.protocol.dosing_label or "dosing",
                        guides=data.trend_guides)
    return [Paragraph("Trend", st.h2), chart]

