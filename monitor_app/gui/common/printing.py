"""Preview, print and save a PDF held in memory (the discharge sheet and its copies).

Qt's PDF module shows and rasterises the bytes the core rendered; nothing here knows
what is in the sheet. Printing goes to the system's default printer, never to a file:
with no printer the nurse is told so and offered Save PDF. Where CUPS's ``lp`` is
installed the PDF itself goes to the printer's queue (vector, a few tens of kB);
otherwise Qt draws each page at ``PRINT_DPI``. Either way on the clinic's paper (the
size the PDF was made on), 1:1, so nothing is scaled.

``_find_printer``, ``_find_spooler``, ``_choose_save_path`` and ``QMessageBox`` are the
seams tests replace, so no modal system dialog and no real printer ever runs under test.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, QStandardPaths, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.services import output_file
from monitor_app.services.errors import ValidationError
from monitor_app.services.views import ClinicSettings

PRINT_DPI = 300  # sharp on paper; a 2-page Letter job stays a few MB, not tens
SPOOL_TIMEOUT_S = 30  # lp only queues the job; it answers in well under a second
PAPER_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
NO_PRINTER = ("No printer is set up on this computer, so the sheet was not printed.\n\n"
              "Save it as a PDF instead (to print it from another computer)? Ask whoever "
              "looks after the clinic's computers to set up a default printer.")


def load_pdf(pdf_bytes: bytes, parent: QWidget | None = None) -> QPdfDocument:
    """A QPdfDocument over the bytes; the buffer lives as long as the document."""
    # Qt takes no parent (nullptr) here; the PySide6 stub asks for a QObject.
    document = QPdfDocument(parent)  # type: ignore[arg-type]
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    document._buffer = buffer  # type: ignore[attr-defined]  # keep it alive
    return document


class PdfPreview(QDialog):
    """The sheet as it will print, page after page."""

    def __init__(self, pdf_bytes: bytes, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("pdf_preview")
        self.document = load_pdf(pdf_bytes, self)
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setAccessibleName(title)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        fit_to_screen(self, 820, 1000)

    @property
    def page_count(self) -> int:
        return self.document.pageCount()


def preview_pdf(parent: QWidget | None, pdf_bytes: bytes, title: str) -> PdfPreview:
    """Show the PDF in a window of its own (not modal: the nurse can keep working)."""
    dialog = PdfPreview(pdf_bytes, title, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


# ---------------------------------------------------------------------- printing
def default_printer() -> QPrinter | None:
    """The system's default printer, or None when this computer has none."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)  # the spooler, not a file
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        return None  # Qt fell back to writing a PDF file: that is not a printer
    return printer


def cups_lp() -> str | None:
    """CUPS's ``lp`` command when installed (Linux, macOS), else None."""
    return shutil.which("lp")


_find_printer = default_printer  # the seams tests replace with their own
_find_spooler = cups_lp


def spool_pdf(lp: str, printer_name: str, pdf_bytes: bytes, paper: str, title: str) -> None:
    """Queue the PDF as it is (vector) on ``printer_name``, on ``paper``, unscaled;
    ``OSError`` with lp's own words when it refuses."""
    command = [lp, "-d", printer_name, "-t", title, "-o", f"media={paper}",
               "-o", "print-scaling=none", "-"]  # "-": the job is read from stdin
    try:
        done = subprocess.run(command, input=pdf_bytes, capture_output=True,
                              timeout=SPOOL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise OSError(f"the print queue did not answer within {SPOOL_TIMEOUT_S} s") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        raise OSError(said or f"lp stopped with code {done.returncode}")


def prepare_printer(printer: QPrinter, paper: str) -> None:
    """The clinic's paper, portrait, the page printed 1:1 (the sheet has its own
    margins), at ``PRINT_DPI``. ``OSError`` when the printer has no such paper: a
    Letter sheet is never shrunk onto A4 without anyone noticing."""
    size = QPageSize(PAPER_SIZES[paper])
    if not printer.setPageSize(size):
        raise OSError(f"the printer {printer.printerName()} has no {paper} paper. Load "
                      f"{paper} paper, or change the paper size in Settings")
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setResolution(PRINT_DPI)


def render_to_printer(pdf_bytes: bytes, printer: QPrinter) -> int:
    """Draw every page at the printer's resolution, full size (shrunk only if the page
    is larger than the paper); returns the pages printed."""
    document = load_pdf(pdf_bytes)
    try:
        count = document.pageCount()
        if count == 0:
            raise OSError("the sheet could not be read for printing")
        dpi = printer.resolution()
        paper = printer.pageLayout().fullRectPixels(dpi)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be opened")
        try:
            for page in range(count):
                if page:
                    printer.newPage()
                points = document.pagePointSize(page)
                scale = min(dpi / 72, paper.width() / max(points.width(), 1),
                            paper.height() / max(points.height(), 1))
                size = QSize(round(points.width() * scale), round(points.height() * scale))
                painter.drawImage(QRect(0, 0, size.width(), size.height()),
                                  _on_white(document.render(page, size)))
        finally:
            painter.end()
        return count
    finally:
        document.close()


def _on_white(page: QImage) -> QImage:
    """The page (transparent where nothing is drawn) on white, without an alpha channel
    that would add a mask to every printed page."""
    image = QImage(page.size(), QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.drawImage(0, 0, page)
    painter.end()
    return image


def offer_to_save(parent: QWidget | None) -> bool:
    """Say there is no printer; True when the nurse chose Save PDF instead."""
    box = QMessageBox(QMessageBox.Icon.Warning, "No printer", NO_PRINTER,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("no_printer")
    save = box.addButton("Save PDF…", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(save)
    box.exec()
    return box.clickedButton() is save


def print_pdf(parent: QWidget | None, pdf_bytes: bytes, save_name: str,
              settings: ClinicSettings) -> str | None:
    """Print on the default printer on the clinic's paper; the printer's name when the
    pages went to it, else None. No printer: say so and offer Save PDF (``save_name``
    suggested). A failure is said in a message, never raised."""
    printer = _find_printer()
    if printer is None:
        if offer_to_save(parent):
            save_pdf(parent, pdf_bytes, save_name, settings)
        return None
    lp = _find_spooler()
    try:
        if lp is not None and printer.outputFormat() == QPrinter.OutputFormat.NativeFormat:
            spool_pdf(lp, printer.printerName(), pdf_bytes, settings.paper, save_name)
        else:
            prepare_printer(printer, settings.paper)
            render_to_printer(pdf_bytes, printer)
    except OSError as exc:
        QMessageBox.warning(parent, "Printing failed", f"The sheet was not printed: {exc}.")
        return None
    return f"{printer.printerName() or 'the printer'} ({settings.paper})"


# ---------------------------------------------------------------------- saving
_last_folder: Path | None = None  # where the nurse saved last, while the app runs


def save_folder(documents_dir: str = "") -> Path:
    """Where Save PDF opens: the folder saved to last, else the clinic's documents
    folder (Settings), else the user's Documents, else home."""
    candidates = [_last_folder, Path(documents_dir) if documents_dir else None,
                  Path(QStandardPaths.writableLocation(
                      QStandardPaths.StandardLocation.DocumentsLocation)), Path.home()]
    return next((c for c in candidates if c is not None and c.is_dir()), Path.home())


def _choose_save_path(parent: QWidget | None, suggested: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, "Save the sheet as a PDF",
                                                suggested, "PDF files (*.pdf)")
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (mode 0600). The person
    confirmed replacing an existing file in the file dialog, but never a link, a
    device, a pipe or the database (``ValidationError`` says which)."""
    output_file.write_new_file(path, data, force=True)


def save_pdf(parent: QWidget | None, pdf_bytes: bytes, suggested_name: str,
             settings: ClinicSettings | None = None) -> Path | None:
    """Ask where (opening in ``save_folder``), write the PDF (mode 0600); returns the
    path, or None if not saved."""
    global _last_folder
    suggested = save_folder(settings.documents_dir if settings else "") / suggested_name
    chosen = _choose_save_path(parent, str(suggested))
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    try:
        write_private(path, pdf_bytes)
    except (OSError, ValidationError) as exc:
        reason = (exc.message if isinstance(exc, ValidationError) else exc.strerror) or str(exc)
        QMessageBox.warning(parent, "Sheet not saved",
                            f"The sheet could not be saved to {path}:\n{reason}.\n"
                            "Choose another folder.")
        return None
    _last_folder = path.parent
    return path
