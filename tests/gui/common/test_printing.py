"""Print and Save PDF from the discharge dialog: the default printer at the clinic's paper
and 300 dpi, a clear word (and Save PDF offered) when there is no printer, and a
sensible folder and file name for Save PDF. No system dialog runs: the printer lookup
and the file dialog are replaced; the "printer" here writes a PDF file to read back."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox

from monitor_app.gui.common import printing
from tests.helpers.gui_discharge import open_dialog, to_discharge

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

LETTER_PT = (612, 792)
A4_PT = (595, 842)


@pytest.fixture(autouse=True)
def _fresh_folder_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "_last_folder", None)


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What message boxes said; a shown box is answered by clicking the button whose
    text is ``said["answer"]["button"]``."""
    said: dict[str, list[str]] = {"question": [], "warning": []}
    answer = {"button": "Save PDF…"}

    def shown(box: QMessageBox) -> int:
        said["question"].append(box.text())
        said.setdefault("buttons", []).extend(b.text() for b in box.buttons())
        next(b for b in box.buttons() if b.text() == answer["button"]).click()
        return 0
    monkeypatch.setattr(QMessageBox, "exec", shown)
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text: said["warning"].append(text))
    said["answer"] = answer  # type: ignore[assignment]
    return said


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The paths the save dialog opened with; the nurse accepts each as suggested."""
    suggested: list[str] = []

    def choose(parent: object, name: str) -> str:
        suggested.append(name)
        return name
    monkeypatch.setattr(printing, "_choose_save_path", choose)
    return suggested


def use_settings(services, staff, **changes) -> None:
    services.save_settings(staff["admin"], replace(services.settings(), **changes))


def file_printer(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[QPrinter]:
    """A default printer that writes a PDF file (Qt's own default: A4, 1200 dpi)."""
    made: list[QPrinter] = []

    def find() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        made.append(printer)
        return printer
    monkeypatch.setattr(printing, "_find_printer", find)
    return made


def page_sizes(path: Path) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in pypdf.PdfReader(path).pages]


def image_dpi(path: Path) -> float:
    """The finest resolution of any image on the printed pages, in dots per inch."""
    finest = 0.0
    for page in pypdf.PdfReader(path).pages:
        inches = float(page.mediabox.width) / 72
        for image in page.images:
            finest = max(finest, image.image.width / inches)
    return finest


def test_no_printer_says_so_and_offers_to_save_the_sheet(
        qtbot, monkeypatch, services, clock, staff, session, episode_id, tmp_path, messages,
        asked):
    documents = tmp_path / "documents"
    documents.mkdir()
    use_settings(services, staff, documents_dir=str(documents))
    to_discharge(services, clock, staff["nurse"], episode_id)
    monkeypatch.setattr(printing, "_find_printer", lambda: None)
    dialog = open_dialog(qtbot, session, episode_id)

    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert "No printer is set up" in messages["question"][0]
    assert "Save it as a PDF" in messages["question"][0]
    assert "Save PDF…" in messages["buttons"]
    saved = documents / "MRN-1_2026-11-27_chart_DRAFT.pdf"
    assert asked == [str(saved)]
    assert "DRAFT" in "".join(p.extract_text() for p in pypdf.PdfReader(saved).pages)

    saved.unlink()
    messages["answer"]["button"] = "Cancel"  # type: ignore[index]
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert len(messages["question"]) == 2 and len(asked) == 1  # not asked where to save
    assert list(documents.iterdir()) == []  # and nothing written the nurse did not ask for


@pytest.mark.parametrize(("paper", "points"), [("Letter", LETTER_PT), ("A4", A4_PT)])
def test_print_goes_to_the_default_printer_on_the_clinics_paper_at_300_dpi(
        qtbot, monkeypatch, services, clock, staff, session, episode_id, tmp_path, messages,
        paper, points):
    use_settings(services, staff, paper=paper)
    to_discharge(services, clock, staff["nurse"], episode_id)
    printed = tmp_path / "printed.pdf"
    printers = file_printer(monkeypatch, printed)
    dialog = open_dialog(qtbot, session, episode_id)

    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert (messages["question"], messages["warning"]) == ([], [])
    sheet = pypdf.PdfReader(printed)
    assert len(sheet.pages) == len(pypdf.PdfReader(io.BytesIO(services.sheet_pdf(episode_id)))
                                   .pages)
    assert set(page_sizes(printed)) == {points}  # the printer's paper is the sheet's
    assert printers[0].resolution() <= 300
    assert 250 <= image_dpi(printed) <= 300  # not 1200: a few MB, not tens
    assert f"({paper})" in dialog.archive_problem.text()  # "Sheet sent to ... (Letter)"


def test_a_printer_without_the_clinics_paper_prints_nothing_and_says_why(
        qtbot, monkeypatch, services, clock, staff, session, episode_id, tmp_path, messages):
    use_settings(services, staff, paper="Letter")
    to_discharge(services, clock, staff["nurse"], episode_id)
    printed = tmp_path / "printed.pdf"

    class A4Only(QPrinter):
        def setPageSize(self, size):
            return False
    printer = A4Only(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    monkeypatch.setattr(printing, "_find_printer", lambda: printer)
    dialog = open_dialog(qtbot, session, episode_id)

    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert "has no Letter paper" in messages["warning"][0]
    assert not printed.exists()


def test_save_pdf_opens_in_the_clinics_folder_then_the_last_one_used(
        qtbot, monkeypatch, services, clock, staff, session, episode_id, tmp_path, asked):
    documents = tmp_path / "documents"
    documents.mkdir()
    use_settings(services, staff, documents_dir=str(documents))
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)

    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert asked == [str(documents / "MRN-1_2026-11-27_chart_DRAFT.pdf")]

    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    monkeypatch.setattr(printing, "_choose_save_path",
                        lambda parent, name: asked.append(name) or str(elsewhere / "x.pdf"))
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert asked[2] == str(elsewhere / "MRN-1_2026-11-27_chart_DRAFT.pdf")


def test_save_pdf_without_a_clinic_folder_opens_in_the_users_documents(
        qtbot, monkeypatch, tmp_path, asked):
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert printing.save_folder("") == home / "Documents"
    assert printing.save_folder(str(tmp_path / "gone")) == home / "Documents"


def test_settings_take_the_paper_and_the_save_pdf_folder(qtbot, services, admin_session,
                                                         tmp_path):
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from monitor_app.gui.staff.settings_dialog import SettingsDialog

    dialog = SettingsDialog(admin_session)
    qtbot.addWidget(dialog)
    folder = dialog.findChild(QLineEdit, "documents_dir")
    paper = dialog.findChild(QComboBox, "paper")
    assert folder.accessibleName() == "Save PDF folder"
    folder.setText("relative/folder")
    dialog._on_ok_clicked()
    assert "full folder path" in dialog.form.errors["documents_dir"].message
    folder.setText(str(tmp_path))
    paper.setCurrentIndex(paper.findData("A4"))
    dialog._on_ok_clicked()
    assert (services.settings().documents_dir, services.settings().paper) == (str(tmp_path), "A4")


class QueuePrinter(QPrinter):
    """A CUPS queue as Qt would give it (the test machine has none)."""

    def outputFormat(self):
        return QPrinter.OutputFormat.NativeFormat

    def printerName(self):
        return "Front_desk"


def fake_lp(tmp_path: Path, exit_code: int = 0, says: str = "") -> Path:
    """An ``lp`` that keeps its arguments and the job it was given."""
    lp = tmp_path / "lp"
    lp.write_text("#!/bin/sh\n"
                  f'printf "%s\\n" "$@" > "{tmp_path}/lp.args"\n'
                  f'cat > "{tmp_path}/lp.job"\n'
                  f'echo "{says}" >&2\nexit {exit_code}\n')
    lp.chmod(0o755)
    return lp


def test_with_cups_the_pdf_itself_goes_to_the_queue_unscaled_on_the_clinics_paper(
        qtbot, monkeypatch, services, clock, staff, session, episode_id, tmp_path, messages):
    use_settings(services, staff, paper="Letter")
    to_discharge(services, clock, staff["nurse"], episode_id)
    monkeypatch.setattr(printing, "_find_printer", lambda: QueuePrinter())
    monkeypatch.setattr(printing, "_find_spooler", lambda: str(fake_lp(tmp_path)))
    dialog = open_dialog(qtbot, session, episode_id)

    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    args = (tmp_path / "lp.args").read_text().split("\n")
    assert args[:2] == ["-d", "Front_desk"]
    assert "media=Letter" in args and "print-scaling=none" in args
    job = (tmp_path / "lp.job").read_bytes()
    assert job.startswith(b"%PDF") and "DRAFT" in "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(job)).pages)  # vector: text
    assert len(job) < 500_000
    assert messages["warning"] == [] and "Front_desk (Letter)" in dialog.archive_problem.text()


def test_a_queue_that_refuses_the_job_is_said_in_its_own_words(
        qtbot, monkeypatch, services, clock, staff, session, episode_id, tmp_path, messages):
    to_discharge(services, clock, staff["nurse"], episode_id)
    monkeypatch.setattr(printing, "_find_printer", lambda: QueuePrinter())
    lp = fake_lp(tmp_path, 1, "lp: The printer or class does not exist.")
    monkeypatch.setattr(printing, "_find_spooler", lambda: str(lp))
    dialog = open_dialog(qtbot, session, episode_id)

    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert "not printed" in messages["warning"][0]
    assert "printer or class does not exist" in messages["warning"][0]
    assert "sent to" not in dialog.archive_problem.text()
