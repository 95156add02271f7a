"""The printed discharge sheet: a PDF built with reportlab platypus from ``SheetData``.

The layout takes plain data only; the services layer gathers it from the record.
Every page carries a footer with the episode number, "Page N of M" and the time of
printing; pages after the first repeat the patient's identity at the top; an unsigned
sheet says DRAFT across every page.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from . import chart_sections as chart
from . import sheet_sections as sections
from . import sheet_signoff as signoff
from .pdf_text import FONT_BOLD, RULE, Styles, fmt_datetime, markup, register_fonts
from .sheet_data import SheetData

PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "Letter": LETTER}
MARGIN_X = 15 * mm
MARGIN_TOP = 13 * mm
MARGIN_BOTTOM = 17 * mm
RUNNING_HEAD = 11 * mm  # room for the patient line on pages after the first
WATERMARK = "DRAFT"

Section = Callable[[SheetData, Styles, float], list[Flowable]]
SECTIONS: tuple[Section, ...] = (
    sections.header,
    sections.identity,
    chart.precheck,
    sections.observations,
    sections.trend,
    signoff.criteria,
    signoff.aldrete,
    signoff.manual,
    signoff.instructions,
    signoff.signature,
    signoff.addenda,
    chart.key,  # who is who, what was done about each alert, the audit anchor
    signoff.rems,  # a form of its own, on a new page
)


def page_size(paper: str) -> tuple[float, float]:
    try:
        return PAPER_SIZES[paper]
    except KeyError:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}") from None


class SheetCanvas(Canvas):
    """Holds every page until the end, then stamps footer, running head and DRAFT.

    The total page count is only known once the story is laid out, so ``showPage``
    keeps each page's state and ``save`` draws the furniture on all of them.
    """

    def __init__(self, *args: Any, data: SheetData, styles: Styles,
                 title: str = "Discharge checklist", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._title = title
        self._sheet = data
        self._styles = styles
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._furniture(total)
            super().showPage()
        super().save()

    def _furniture(self, total: int) -> None:
        data, st = self._sheet, self._styles
        width, height = self._pagesize
        inner = width - 2 * MARGIN_X
        number = self.getPageNumber()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, MARGIN_BOTTOM - 4 * mm, width - MARGIN_X, MARGIN_BOTTOM - 4 * mm)
        y = MARGIN_BOTTOM - 8 * mm
        left = (f"Episode {markup(data.episode.number)} · "
                f"MRN {markup(data.patient.mrn)}")
        printed = f"Printed {fmt_datetime(data.printed_at, data.tz)}"
        for text, style in ((left, st.footer), (f"Page {number} of {total}", st.footer_c),
                            (printed, st.footer_r)):
            para = Paragraph(text, style)
            para.wrapOn(self, inner, 20)
            para.drawOn(self, MARGIN_X, y)
        if number > 1:
            head = (f"<b>{markup(data.patient.name)}</b> · MRN {markup(data.patient.mrn)} · "
                    f"DOB {markup(data.patient.dob)}")
            top = height - MARGIN_TOP - 3 * mm
            for text, style in ((head, st.footer), (f"{markup(self._title)} (continued)",
                                                    st.footer_r)):
                para = Paragraph(text, style)
                para.wrapOn(self, inner, 20)
                para.drawOn(self, MARGIN_X, top)
            self.line(MARGIN_X, top - 2 * mm, width - MARGIN_X, top - 2 * mm)
        if data.is_draft:
            self._watermark(width, height)

    def _watermark(self, width: float, height: float) -> None:
        self.saveState()
        self.setFillColor(colors.Color(0.55, 0.55, 0.55, alpha=0.22))
        self.setFont(FONT_BOLD, 130)
        self.translate(width / 2, height / 2)
        self.rotate(52 if height > width else 35)
        self.drawCentredString(0, -45, WATERMARK)
        self.restoreState()


def make_document(data: SheetData, out: io.BytesIO, title: str = "Discharge checklist",
                  subject: str = "Post-infusion discharge sheet") -> BaseDocTemplate:
    """A document on the clinic's paper; pages after the first leave room for the
    running head."""
    size = page_size(data.paper)
    doc = BaseDocTemplate(
        out, pagesize=size, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=f"{title} {data.episode.number}", author=data.clinic.name,
        subject=subject, creator="monitor-app",
        keywords=data.chain_head.keyword if data.chain_head else "",
    )
    width = size[0] - 2 * MARGIN_X
    first = Frame(MARGIN_X, MARGIN_BOTTOM, width, size[1] - MARGIN_TOP - MARGIN_BOTTOM,
                  id="first", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(MARGIN_X, MARGIN_BOTTOM, width,
                  size[1] - MARGIN_TOP - MARGIN_BOTTOM - RUNNING_HEAD, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("first", [first], autoNextPageTemplate="later"),
                          PageTemplate("later", [later])])
    return doc


def render_discharge_pdf(data: SheetData, font_dir: Path) -> bytes:
    """The discharge sheet (the chart copy) as PDF bytes. ``font_dir`` holds the DejaVu
    Sans files."""
    register_fonts(font_dir)
    styles = Styles()
    out = io.BytesIO()
    doc = make_document(data, out, subject="Post-infusion discharge sheet: chart copy")
    width = doc.width
    story: list[Flowable] = []
    for section in SECTIONS:
        story += section(data, styles, width)
    doc.build(story, canvasmaker=partial(SheetCanvas, data=data, styles=styles))
    return out.getvalue()


def write_pdf(data: SheetData, font_dir: Path, path: Path) -> Path:
    """Render and write the sheet atomically, readable by the owner only (mode 0600).

    The bytes go to a temporary file in the same folder, are flushed to disk, and then
    replace ``path`` in one step, so a reader never sees half a sheet.
    """
    return write_bytes(render_discharge_pdf(data, font_dir), path)


def write_bytes(pdf: bytes, path: Path) -> Path:
    """Write finished PDF bytes atomically, mode 0600 (see ``write_pdf``)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o600)
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    return path
