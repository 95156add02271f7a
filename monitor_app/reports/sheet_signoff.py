"""The sign-off sections of the discharge sheet: criteria, Aldrete, manual items, the
REMS form, the patient's instructions, signatures and addenda."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .pdf_text import (
    EMPTY,
    INK,
    RULE,
    SHADE,
    ZEBRA,
    Styles,
    chunks,
    fmt_datetime,
    group_hex,
    heading,
    markup,
    value,
)
from .sheet_data import SheetData, SheetSignature

STATUS = {
    "met": ("✓", "Met"),
    "not_met": ("✗", "Not met"),
    "unknown": ("?", "Unknown"),
}

BASE_STYLE: list[tuple] = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ("BOX", (0, 0), (-1, -1), 0.6, RULE),
]


def _grid(rows: list[list], widths: Sequence[float], extra: Sequence[tuple] = (),
          header: bool = True, zebra: bool = True, joined: Sequence[int] = ()) -> Table:
    """A bordered table; a row listed in ``joined`` has no rule under it."""
    style = list(BASE_STYLE)
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), SHADE),
                  ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK)]
    first = 1 if header else 0
    for row in range(first, len(rows)):
        if row not in joined:
            style.append(("LINEBELOW", (0, row), (-1, row), 0.3, RULE))
        if zebra and (row - first) % 2:
            style.append(("BACKGROUND", (0, row), (-1, row), ZEBRA))
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0)
    table.setStyle(TableStyle(style + list(extra)))
    return table


def _heads(st: Styles, *names: str, centred: Sequence[int] = ()) -> list[Paragraph]:
    return [Paragraph(name, st.cell_head_c if index in centred else st.cell_head)
            for index, name in enumerate(names)]


def criteria(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = heading("Discharge criteria", st)
    if not data.criteria:
        return [*out, Paragraph("No automatic criteria in this protocol.", st.body)]
    rows: list[list] = [_heads(st, "Status", "Criterion", "Value", "Detail")]
    extra: list[tuple] = []
    joined: list[int] = []
    for item in data.criteria:
        glyph, word = STATUS.get(item.status, ("?", markup(str(item.status))))
        status = f"<font size='10'>{glyph}</font> {word}"
        if item.status != "met":
            status = f"<b>{status}</b>"
        rows.append([Paragraph(status, st.cell), Paragraph(markup(item.label), st.cell),
                     Paragraph(value(item.value), st.cell),
                     Paragraph(markup(item.detail), st.cell)])
        if item.override is not None:
            o = item.override
            reason = chunks(o.reason)
            texts = [f"<b>Overridden</b>, authorised by <b>{value(o.prescriber)}</b>. "
                     f"Reason: {value(reason[0])}", *map(markup, reason[1:])]
            for text in texts:
                rows.append(["", Paragraph(text, st.cell), "", ""])
                row = len(rows) - 1
                extra += [("SPAN", (1, row), (-1, row)), ("TOPPADDING", (0, row), (-1, row), 0)]
                joined.append(row - 1)
            first = len(rows) - len(texts)
            extra.append(("NOSPLIT", (0, first - 1), (-1, first)))
    widths = [58, width * 0.38, width * 0.17]
    widths.append(width - sum(widths))
    return [*out, _grid(rows, widths, extra, zebra=False, joined=joined)]


def aldrete(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.aldrete_items:
        return []
    rows: list[list] = [_heads(st, "Item", "Score", "Basis", centred=(1,))]
    for item in data.aldrete_items:
        score = EMPTY if item.score is None else f"{item.score} / 2"
        rows.append([Paragraph(markup(item.name), st.cell), Paragraph(score, st.cell_c),
                     Paragraph(markup(item.reason), st.cell)])
    total = EMPTY if data.aldrete_total is None else f"{data.aldrete_total} / {data.aldrete_max}"
    rows.append([Paragraph("<b>Total</b>", st.cell), Paragraph(f"<b>{total}</b>", st.cell_c),
                 ""])
    last = len(rows) - 1
    table = _grid(rows, [width * 0.22, width * 0.12, width * 0.66],
                  [("LINEABOVE", (0, last), (-1, last), 0.8, INK)])
    note = ("Each item scores 0, 1 or 2. Circulation is percent-based: the latest blood "
            "pressure compared with the patient's baseline.")
    return [KeepTogether([Paragraph("Modified Aldrete score", st.h2), table, Spacer(1, 2),
                          Paragraph(note, st.small)])]


def manual(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.manual_items:
        return []
    rows: list[list] = [_heads(st, "Confirmed by the nurse", "Answer", "Details", centred=(1,))]
    for item in data.manual_items:
        answer = value(item.answered)
        rows.append([Paragraph(markup(item.label), st.cell),
                     Paragraph(f"<b>{answer}</b>", st.cell_c),
                     Paragraph(markup(item.details), st.cell)])
    table = _grid(rows, [width * 0.5, width * 0.12, width * 0.38])
    return [*heading("Nurse checks", st), table]


def rems(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.rems:
        return []
    rows: list[list] = [_heads(st, "Question", "Answer")]
    joined: list[int] = []
    for label, answer in data.rems:
        pieces = chunks(answer, 1000)
        rows.append([Paragraph(markup(label), st.cell), Paragraph(value(pieces[0]), st.cell)])
        for piece in pieces[1:]:  # a long answer continues in rows of its own
            joined.append(len(rows) - 1)
            rows.append(["", Paragraph(markup(piece), st.cell)])
    note = "Answers as recorded for this session, in the order of the form."
    roomy = [("TOPPADDING", (0, 1), (-1, -1), 3), ("BOTTOMPADDING", (0, 1), (-1, -1), 3.5),
             ("RIGHTPADDING", (0, 0), (0, -1), 8)]
    return [PageBreak(), Paragraph("SPRAVATO REMS Patient Monitoring Form", st.h2),
            Paragraph(note, st.small), Spacer(1, 3),
            _grid(rows, [width * 0.62, width * 0.38], extra=roomy, zebra=False, joined=joined)]


def instructions(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.instructions and not data.instructions_title:
        return []
    rows: list[list] = [[Paragraph(markup(data.instructions_title or "Instructions"),
                                   st.instr_title)]]
    rows += [[Paragraph(markup(line), st.instr, bulletText="•")] for line in data.instructions]
    # one row per line, so a long list can continue on the next page inside the box
    box = Table(rows, colWidths=[width])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.6, INK),
                             ("LEFTPADDING", (0, 0), (-1, -1), 12),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                             ("TOPPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                             ("TOPPADDING", (0, 0), (-1, 0), 9),
                             ("BOTTOMPADDING", (0, -1), (-1, -1), 10)]))
    return [Spacer(1, 10), KeepTogether([box])]


def _signature_table(sig: SheetSignature, data: SheetData, st: Styles, width: float) -> Table:
    """Meaning and time, name, fingerprint."""
    who = markup(sig.name)
    if sig.credentials:
        who += f", {markup(sig.credentials)}"
    rows: list[list] = [
        [Paragraph("Meaning", st.label), Paragraph(f"<b>{markup(sig.meaning)}</b>", st.field),
         Paragraph("Date and time", st.label),
         Paragraph(fmt_datetime(sig.signed_at, data.tz), st.field)],
        [Paragraph("Name", st.label), Paragraph(who, st.field), "", ""],
        [Paragraph("SHA-256", st.label), Paragraph(group_hex(sig.fingerprint), st.mono), "", ""],
    ]
    rest = width - 70 - 64
    table = Table(rows, colWidths=[70, rest * 0.52, 64, rest * 0.48])
    spans = [("SPAN", (1, row), (-1, row)) for row in range(len(rows))
             if rows[row][2] == ""]
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BASELINE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), *spans]))
    return table


def _hand_lines(data: SheetData, st: Styles, width: float) -> Table:
    """Blank lines for the patient's and the escort's handwritten signatures."""
    escort = f"Escort signature ({markup(data.escort.name)})" if data.escort.name else (
        "Escort signature")
    gap, date = 16, 74
    sign = (width - 3 * gap - 2 * date) / 2
    rows = [[""] * 7,
            [Paragraph("Patient signature", st.label), "", Paragraph("Date, time", st.label),
             "", Paragraph(escort, st.label), "", Paragraph("Date, time", st.label)]]
    table = Table(rows, colWidths=[sign, 8, date, gap * 3 - 16, sign, 8, date],
                  rowHeights=[30, 12])
    table.setStyle(TableStyle([*[("LINEBELOW", (c, 0), (c, 0), 0.8, INK) for c in (0, 2, 4, 6)],
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def signature(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    parts: list[Flowable] = [Paragraph("Signatures", st.h2)]
    if data.signature is None:
        parts.append(Paragraph(
            "<b>DRAFT: not signed.</b> This sheet is not the discharge record until a nurse "
            "signs the episode in the monitor; print it again after signing.", st.body))
    else:
        parts += [Paragraph("Signed electronically in the monitor; the SHA-256 fingerprint "
                            "identifies the exact record that was signed.", st.small),
                  Spacer(1, 3), _signature_table(data.signature, data, st, width)]
    if data.chain_head is not None:
        parts += [Spacer(1, 3), Paragraph(
            f"Audit chain head when printed: event {data.chain_head.event_id}, SHA-256 "
            f"<font name='{st.mono.fontName}'>{group_hex(data.chain_head.hash)}</font> "
            "(monitor-app verify checks the record against it).", st.small)]
    parts.append(Spacer(1, 8))
    if data.instructions:
        parts.append(Paragraph("I have received these instructions and understand them.",
                               st.body))
    parts.append(_hand_lines(data, st, width))
    return [KeepTogether(parts)]


def addenda(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    if not data.addenda:
        return []
    out: list[Flowable] = []
    for number, addendum in enumerate(data.addenda, start=1):
        # paragraphs rather than a boxed table, so a long addendum can run on
        parts: list[Flowable] = [Paragraph("Addenda", st.h2)] if number == 1 else []
        parts += [HRFlowable(width="100%", thickness=0.6, color=RULE, spaceAfter=3),
                  Paragraph(f"<b>Addendum {number}</b>", st.body),
                  Paragraph(markup(addendum.text), st.addendum), Spacer(1, 3),
                  _signature_table(addendum.signature, data, st, width)]
        out += [KeepTogether(parts), Spacer(1, 6)]
    return out
