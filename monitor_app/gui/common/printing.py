"""Preview, print and save a PDF held in memory (the discharge sheet).

Qt's PDF module shows and rasterises the bytes the core rendered; nothing here knows
what is in the sheet. ``_choose_printer`` and ``_choose_save_path`` are the seams tests
replace, so no modal system dialog ever runs under test.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
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


def _choose_printer(parent: QWidget | None, printer: QPrinter) -> bool:
    """The system print dialog; True when the user chose to print."""
    dialog = QPrintDialog(printer, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


def render_to_printer(pdf_bytes: bytes, printer: QPrinter) -> int:
    """Draw every page, scaled to fit the printable area; returns the pages printed."""
    document = load_pdf(pdf_bytes)
    try:
        count = document.pageCount()
        if count == 0:
            raise OSError("the sheet could not be read for printing")
        dpi = printer.resolution()
        area = printer.pageLayout().paintRectPixels(dpi)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be opened")
        try:
            for page in range(count):
                if page:
                    printer.newPage()
                points = document.pagePointSize(page)
                scale = min(area.width() / max(points.width(), 1),
                            area.height() / max(points.height(), 1))
                size = QSize(int(points.width() * scale), int(points.height() * scale))
                image = document.render(page, size)
                painter.drawImage(QRect(0, 0, size.width(), size.height()), image)
        finally:
            painter.end()
        return count
    finally:
        document.close()


def print_pdf(parent: QWidget | None, pdf_bytes: bytes) -> bool:
    """Ask for a printer, then print; a failure is said in a message, never raised."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if not _choose_printer(parent, printer):
        return False
    try:
        render_to_printer(pdf_bytes, printer)
    except OSError as exc:
        QMessageBox.warning(parent, "Printing failed", f"The sheet was not printed: {exc}")
        return False
    return True


def _choose_save_path(parent: QWidget | None, suggested_name: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, "Save the discharge sheet",
                                                suggested_name, "PDF files (*.pdf)")
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (mode 0600). The person
    confirmed replacing an existing file in the file dialog, but never a link, a
    device, a pipe or the database (``ValidationError`` says which)."""
    output_file.write_new_file(path, data, force=True)


def save_pdf(parent: QWidget | None, pdf_bytes: bytes, suggested_name: str) -> Path | None:
    """Ask where, write the PDF (mode 0600); returns the path, or None if not saved."""
    chosen = _choose_save_path(parent, suggested_name)
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
    return path
