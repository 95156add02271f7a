"""Fonts, paragraph styles and text helpers shared by the printed reports.

DejaVu Sans (shipped in ``resources/fonts``) covers Latin with accents, Greek, Cyrillic
and the check-mark glyphs. It has no Chinese, Japanese or Korean characters, so
:func:`markup` hands runs of those to the standard Adobe CJK fonts that every PDF
reader knows (not embedded), which keeps the text correct in the PDF's text layer.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak, Flowable, Paragraph

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_MONO = "Courier"  # built into every PDF reader; used for hex fingerprints only
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
CJK_FONTS = {"zh": "STSong-Light", "ja": "HeiseiMin-W3", "ko": "HYSMyeongJo-Medium"}

INK = colors.black
MUTED = colors.Color(0.35, 0.35, 0.35)
RULE = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.93, 0.93, 0.93)
ZEBRA = colors.Color(0.965, 0.965, 0.965)
VOID_INK = colors.Color(0.5, 0.5, 0.5)

EMPTY = "–"  # printed for a value that was not recorded


def register_fonts(font_dir: Path) -> None:
    """Register DejaVu Sans (regular and bold) and the CJK fallbacks, once."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in FONT_FILES.items():
        if name in registered:
            continue
        path = Path(font_dir) / filename
        if not path.is_file():
            raise FileNotFoundError(f"font file {path} is missing (expected in {font_dir})")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                  boldItalic=FONT_BOLD)
    for cid in CJK_FONTS.values():
        if cid not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(cid))


@cache
def _has_glyph(code: int) -> bool:
    font = pdfmetrics.getFont(FONT)
    return code in font.face.charToGlyph


def _script(ch: str) -> str | None:
    """The CJK family a character needs, or None when DejaVu can print it."""
    code = ord(ch)
    if code < 0x2E80 or _has_glyph(code):
        return None
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "ko"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "ja"
    if (0x2E80 <= code <= 0x2FDF or 0x3000 <= code <= 0x303F or 0x3400 <= code <= 0x9FFF
            or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF or code >= 0x20000):
        return "han"
    return None


def markup(text: str) -> str:
    """Escape ``text`` for a Paragraph and route CJK runs to a font that has them."""
    if not text:
        return ""
    scripts = [_script(ch) for ch in text]
    if not any(scripts):
        return escape(text)
    han = "ja" if "ja" in scripts else "zh"
    out: list[str] = []
    run: list[str] = []
    current: str | None = None
    for ch, script in zip(text, scripts, strict=True):
        script = han if script == "han" else script
        if script != current and run:
            out.append(_run(run, current))
            run = []
        current = script
        run.append(ch)
    out.append(_run(run, current))
    return "".join(out)


def _run(chars: list[str], script: str | None) -> str:
    text = escape("".join(chars))
    return f'<font name="{CJK_FONTS[script]}">{text}</font>' if script else text


def value(text: str) -> str:
    """Markup for a recorded value: a dash when it is empty."""
    return markup(text) if text.strip() else EMPTY


def chunks(text: str, size: int = 1500) -> list[str]:
    """``text`` cut at spaces into pieces of at most about ``size`` characters.

    A table row cannot continue on the next page, so free text that might outgrow a
    page (a very long note) goes into several rows; nothing is left out.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        cut = rest.rfind(" ", 0, size)
        cut = cut if cut > size // 2 else size
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest]


def local(dt: datetime, tz: tzinfo) -> datetime:
    return dt.astimezone(tz)


def fmt_time(dt: datetime, tz: tzinfo) -> str:
    return local(dt, tz).strftime("%H:%M")


def fmt_datetime(dt: datetime, tz: tzinfo, zone: bool = True) -> str:
    text = local(dt, tz).strftime("%d %b %Y %H:%M")
    if zone:
        name = local(dt, tz).tzname()
        text = f"{text} {name}" if name else text
    return text


def group_hex(fingerprint: str, size: int = 8) -> str:
    """``'ab12cd34...'`` as ``'ab12cd34 ef56...'`` so a reader can compare it by eye."""
    clean = "".join(fingerprint.split())
    return " ".join(clean[i:i + size] for i in range(0, len(clean), size))


def heading(text: str, st: Styles, room: float = 90) -> list[Flowable]:
    """A section heading over a table that may split: start a new page only when less
    than ``room`` points are left, so the heading never ends a page alone."""
    return [CondPageBreak(room), Paragraph(text, st.h2_split)]


def _style(name: str, size: float, leading: float | None = None, bold: bool = False,
           **extra: object) -> ParagraphStyle:
    extra.setdefault("textColor", INK)
    return ParagraphStyle(name, fontName=FONT_BOLD if bold else FONT, fontSize=size,
                          leading=leading or size * 1.25, **extra)


class Styles:
    """The paragraph styles of the discharge sheet."""

    def __init__(self) -> None:
        self.clinic = _style("clinic", 15, 18, bold=True)
        self.clinic_line = _style("clinic_line", 8.5, 11, textColor=MUTED)
        self.title = _style("title", 17, 20, bold=True, alignment=TA_RIGHT)
        self.subtitle = _style("subtitle", 9, 12, alignment=TA_RIGHT, textColor=MUTED)
        self.h2 = _style("h2", 11.5, 14, bold=True, spaceBefore=8, spaceAfter=3,
                         keepWithNext=1)
        # for a heading over a long table: the table may split, the heading not strand
        self.h2_split = self.h2.clone("h2_split", keepWithNext=0)
        self.body = _style("body", 9, 11.5)
        self.small = _style("small", 7.5, 9.5, textColor=MUTED)
        self.label = _style("label", 7.5, 9.5, textColor=MUTED)
        self.field = _style("field", 9.5, 12)
        self.addendum = _style("addendum", 9.5, 12, spaceBefore=2)
        self.field_big = _style("field_big", 12, 14.5, bold=True)
        self.cell = _style("cell", 8, 10)
        self.cell_c = _style("cell_c", 8, 10, alignment=TA_CENTER)
        self.cell_void = _style("cell_void", 8, 10, textColor=VOID_INK)
        self.cell_c_void = _style("cell_c_void", 8, 10, alignment=TA_CENTER, textColor=VOID_INK)
        self.cell_head = _style("cell_head", 7.5, 9, bold=True)
        self.cell_head_c = _style("cell_head_c", 7.5, 9, bold=True, alignment=TA_CENTER)
        self.cell_note = _style("cell_note", 7.5, 9.5, textColor=MUTED)
        self.instr_title = _style("instr_title", 15, 19, bold=True, spaceAfter=5)
        self.instr = _style("instr", 13.5, 17.5, leftIndent=16, bulletIndent=2,
                            spaceAfter=3)
        self.mono = ParagraphStyle("mono", fontName=FONT_MONO, fontSize=9, leading=12)
        self.footer = _style("footer", 7.5, 9, textColor=MUTED)
        self.footer_c = _style("footer_c", 7.5, 9, textColor=MUTED, alignment=TA_CENTER)
        self.footer_r = _style("footer_r", 7.5, 9, textColor=MUTED, alignment=TA_RIGHT)
