"""The size of a print job: the demo's longest chart copy printed to a PDF file the way
main printed before issue 11 (Qt's HighResolution default: 1200 dpi, A4, page shrunk to
the printable area) and the way it prints now without CUPS's ``lp`` (the clinic's paper,
1:1, ``PRINT_DPI``). With ``lp`` the job is the sheet's own vector PDF.

Only this bench prints to a file; the app prints to the default printer.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/print_job.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRect, QSize  # noqa: E402
from PySide6.QtGui import QPainter  # noqa: E402
from PySide6.QtPrintSupport import QPrinter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from monitor_app.demo import build_demo  # noqa: E402
from monitor_app.gui.common import printing  # noqa: E402
from monitor_app.services import Services  # noqa: E402


def old_render(pdf: bytes, printer: QPrinter) -> None:
    """main before issue 11: every page scaled into the printable area at 1200 dpi."""
    document = printing.load_pdf(pdf)
    dpi = printer.resolution()
    area = printer.pageLayout().paintRectPixels(dpi)
    painter = QPainter(printer)
    for page in range(document.pageCount()):
        if page:
            printer.newPage()
        points = document.pagePointSize(page)
        scale = min(area.width() / points.width(), area.height() / points.height())
        size = QSize(int(points.width() * scale), int(points.height() * scale))
        painter.drawImage(QRect(0, 0, size.width(), size.height()), document.render(page, size))
    painter.end()


def to_file(printer: QPrinter, path: Path) -> QPrinter:
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def main() -> None:
    _app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        build_demo(db)
        services = Services.open(db)
        paper = services.settings().paper
        pdfs = [services.sheet_pdf(e.id) for e in services.episodes(include_closed=True)]
        pdf = max(pdfs, key=lambda b: printing.load_pdf(b).pageCount())
        pages = printing.load_pdf(pdf).pageCount()
        print(f"sheet: {pages} pages, paper {paper}; with lp the job is this vector PDF: "
              f"{len(pdf) / 1e6:.2f} MB")

        before = to_file(QPrinter(QPrinter.PrinterMode.HighResolution), Path(tmp) / "b.pdf")
        began = time.perf_counter()
        old_render(pdf, before)
        old_s = time.perf_counter() - began
        print(f"before: {(Path(tmp) / 'b.pdf').stat().st_size / 1e6:.1f} MB, "
              f"{before.resolution()} dpi, {before.pageLayout().pageSize().name()}, "
              f"{old_s:.1f} s")

        after = to_file(QPrinter(QPrinter.PrinterMode.HighResolution), Path(tmp) / "a.pdf")
        began = time.perf_counter()
        printing.prepare_printer(after, paper)
        printing.render_to_printer(pdf, after)
        new_s = time.perf_counter() - began
        print(f"after:  {(Path(tmp) / 'a.pdf').stat().st_size / 1e6:.1f} MB, "
              f"{after.resolution()} dpi, {after.pageLayout().pageSize().name()}, "
              f"{new_s:.1f} s")
        services.close()
        if keep := os.environ.get("PRINT_JOB_OUT"):  # to look at the printed pages
            for name in ("b.pdf", "a.pdf"):
                (Path(keep) / name).write_bytes((Path(tmp) / name).read_bytes())


if __name__ == "__main__":
    main()
