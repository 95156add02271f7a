"""The SPRAVATO REMS Patient Monitoring Form as a document of its own.

The questions in the protocol's order and wording (``[[rems_form]]``), grouped in the
form's sections, with boxes ticked for yes/no questions and for the dose (56 mg, 84 mg
or other). An answer the record does not hold prints as an empty line to fill in.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path

from reportlab.platypus import Flowable, Paragraph, Spacer

from .discharge_pdf import SheetCanvas, make_document
from .pdf_text import Styles, markup, register_fonts, value
from .sheet_data import SheetData, SheetRemsField
from .sheet_sections import header
from .sheet_signoff import _grid

TICKED, EMPTY_BOX = "☒", "☐"
BLANK = "_" * 28


def _boxes(options: list[str], chosen: str) -> str:
    return "&nbsp;&nbsp;&nbsp;".join(
        f"{TICKED if option.lower() == chosen.lower() else EMPTY_BOX} {markup(option)}"
        for option in options)


def answer_markup(field: SheetRemsField) -> str:
    """Boxes for a yes/no question or a question with choices, else the answer."""
    answer = field.answer.strip()
    if field.kind == "yes_no":
        return _boxes(["Yes", "No"], answer)
    if field.choices:
        options = list(field.choices)
        other = next((c for c in options if c.lower() == "other"), None)
        chosen = answer if answer in options else (other or "")
        text = _boxes(options, chosen)
        if other and chosen == other and answer:
            text += f": <b>{markup(answer.split(':', 1)[-1].strip())}</b>"
        return text
    return value(answer) if answer else BLANK


def rems_story(data: SheetData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [*header(data, st, width, "REMS monitoring form"),
                           Paragraph("SPRAVATO® REMS Patient Monitoring Form", st.h2),
                           Paragraph("Completed from the monitoring record of this session. "
                                     "Submit to the REMS within 7 days of the treatment "
                                     "session.", st.small), Spacer(1, 6)]
    rows: list[list] = []
    sections: list[tuple[str, list[list]]] = []
    for number, field in enumerate(data.rems_form, start=1):
        if field.section or not sections:
            rows = []
            sections.append((field.section or "Form", rows))
        rows.append([Paragraph(f"{number}.", st.cell), Paragraph(markup(field.label), st.cell),
                     Paragraph(answer_markup(field), st.cell)])
    for title, section_rows in sections:
        out += [Paragraph(markup(title), st.h2),
                _grid(section_rows, [22, width * 0.52, width * 0.48 - 22], header=False,
                      zebra=True)]
    if not data.rems_form:
        out.append(Paragraph("This protocol has no REMS form.", st.body))
    return out


def render_rems_form(data: SheetData, font_dir: Path) -> bytes:
    register_fonts(font_dir)
    styles = Styles()
    out = io.BytesIO()
    doc = make_document(data, out, title="REMS Patient Monitoring Form",
                        subject="SPRAVATO REMS Patient Monitoring Form")
    doc.build(rems_story(data, styles, doc.width),
              canvasmaker=partial(SheetCanvas, data=data, styles=styles,
                                  title="REMS Patient Monitoring Form"))
    return out.getvalue()
