"""The patient copy: one page in large type for the patient's hands.

Who the patient is, what was given today, the protocol's instructions in the language
chosen for the episode, whom to call, the escort and the next appointment, and the
acknowledgement with the patient's and the escort's signature lines on the same page.
No clinical tables, no REMS form. The whole story is shrunk to fit should a long
instruction list outgrow the page: it is always exactly one page.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path

from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from .discharge_pdf import SheetCanvas, make_document
from .pdf_text import INK, Styles, _style, local, markup, register_fonts
from .sheet_data import SheetData

WORDS: dict[str, dict[str, str]] = {
    "en": {"title": "Your treatment today", "patient": "Patient", "date": "Date",
           "given": "Given", "escort": "Going home with", "next": "Next appointment",
           "call": "Questions, or feeling unwell? Call us", "ack": "I have received these "
           "instructions and understand them.", "patient_sig": "Patient signature",
           "escort_sig": "Escort signature", "when": "Date, time", "none": "not booked yet"},
    "es": {"title": "Su tratamiento de hoy", "patient": "Paciente", "date": "Fecha",
           "given": "Recibió", "escort": "Se va a casa con", "next": "Próxima cita",
           "call": "¿Preguntas, o se siente mal? Llámenos", "ack": "He recibido estas "
           "instrucciones y las entiendo.", "patient_sig": "Firma del paciente",
           "escort_sig": "Firma del acompañante", "when": "Fecha, hora",
           "none": "todavía sin cita"},
}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


class _Big:
    def __init__(self) -> None:
        self.clinic = _style("p_clinic", 18, 22, bold=True)
        self.title = _style("p_title", 22, 27, bold=True, spaceBefore=4)
        self.label = _style("p_label", 11, 14)
        self.field = _style("p_field", 15, 19, bold=True)
        self.instr_title = _style("p_instr_title", 17, 21, bold=True, spaceAfter=6)
        self.instr = _style("p_instr", 14.5, 19, leftIndent=18, bulletIndent=2, spaceAfter=4)
        self.call = _style("p_call", 15, 19, bold=True)
        self.body = _style("p_body", 13, 17)
        self.sig = _style("p_sig", 10.5, 13)


def _facts(data: SheetData, big: _Big, w: dict[str, str], width: float) -> Table:
    given = f"{data.protocol.drug} {data.dose_mg} mg" if data.dose_mg else data.protocol.drug
    if data.protocol.route:
        given += f" ({data.protocol.route.lower()})"
    day = local(data.dosing_start, data.tz).strftime("%d %b %Y") if data.dosing_start \
        else data.episode.date
    escort = data.escort.name
    if escort and data.escort.relationship:
        escort += f" ({data.escort.relationship})"
    rows = [(w["patient"], data.patient.name), (w["date"], day), (w["given"], given),
            (w["escort"], escort), (w["next"], data.next_appointment or w["none"])]
    cells = [[Paragraph(markup(label), big.label), Paragraph(markup(text) or "–", big.field)]
             for label, text in rows]
    table = Table(cells, colWidths=[width * 0.3, width * 0.7])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BASELINE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 2),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _instructions(data: SheetData, big: _Big, width: float) -> Table:
    rows: list[list] = [[Paragraph(markup(data.instructions_title), big.instr_title)]]
    rows += [[Paragraph(markup(line), big.instr, bulletText="•")] for line in data.instructions]
    box = Table(rows, colWidths=[width])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2, INK),
                             ("LEFTPADDING", (0, 0), (-1, -1), 14),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 14),
                             ("TOPPADDING", (0, 0), (-1, 0), 10),
                             ("BOTTOMPADDING", (0, -1), (-1, -1), 10)]))
    return box


def _signature_lines(data: SheetData, big: _Big, w: dict[str, str], width: float) -> Table:
    escort = w["escort_sig"] + (f" ({markup(data.escort.name)})" if data.escort.name else "")
    gap, date = 18, 90
    sign = (width - gap - 2 * date - 16) / 2
    rows = [[""] * 5 + ["", ""],
            [Paragraph(w["patient_sig"], big.sig), "", Paragraph(w["when"], big.sig), "",
             Paragraph(escort, big.sig), "", Paragraph(w["when"], big.sig)]]
    table = Table(rows, colWidths=[sign, 8, date, gap, sign, 8, date], rowHeights=[40, 16])
    table.setStyle(TableStyle([*[("LINEBELOW", (c, 0), (c, 0), 1, INK) for c in (0, 2, 4, 6)],
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def patient_story(data: SheetData, width: float) -> list[Flowable]:
    big, w = _Big(), _words(data.language)
    call = f"{w['call']}: {markup(data.clinic.name)}"
    if data.clinic.phone:
        call += f", <font size='18'>{markup(data.clinic.phone)}</font>"
    rule = Table([[""]], colWidths=[width], rowHeights=[4])
    rule.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 1.5, INK)]))
    story: list[Flowable] = [Paragraph(markup(data.clinic.name), big.clinic)]
    if data.clinic.address:
        story.append(Paragraph(markup(data.clinic.address), big.label))
    story += [Paragraph(w["title"], big.title), rule, Spacer(1, 8),
              _facts(data, big, w, width), Spacer(1, 12),
              _instructions(data, big, width), Spacer(1, 12),
              Paragraph(call, big.call), Spacer(1, 16),
              Paragraph(w["ack"], big.body), Spacer(1, 4),
              _signature_lines(data, big, w, width)]
    return story


def render_patient_copy(data: SheetData, font_dir: Path) -> bytes:
    """The patient copy as PDF bytes: always one page."""
    register_fonts(font_dir)
    styles = Styles()
    out = io.BytesIO()
    doc = make_document(data, out, title="Patient copy", subject="Discharge instructions")
    frame_height = doc.pagesize[1] - doc.topMargin - doc.bottomMargin
    fitted = KeepInFrame(doc.width, frame_height, patient_story(data, doc.width),
                         mode="shrink", hAlign="LEFT", vAlign="TOP")
    doc.build([fitted], canvasmaker=partial(SheetCanvas, data=data, styles=styles,
                                            title="Patient copy"))
    return out.getvalue()

