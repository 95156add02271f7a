"""The three documents offered in the discharge dialog and the history window: Patient
copy / Chart copy / REMS form (REMS only under esketamine), the patient copy's language,
Preview, Print and Save PDF, driven as a nurse would."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from monitor_app.gui.common import printing
from monitor_app.gui.history.history_window import HistoryWindow
from monitor_app.services.history import HistoryQuery
from monitor_app.storage import audit
from tests.helpers.gui import NURSE_PIN
from tests.helpers.gui_discharge import answer_everything, open_dialog, pin_answers, to_discharge
from tests.helpers.history import NOAH, OLIVER, History

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]
SPANISH = "Después de su tratamiento con SPRAVATO"


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def items(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def choose(combo: QComboBox, text: str) -> None:
    combo.setCurrentIndex(items(combo).index(text))


@pytest.fixture
def history_window(qtbot, history: History) -> HistoryWindow:
    from monitor_app.gui.common.session import Session

    session = Session(history.s)
    session.sign_in(history.s.staff_member(history.staff("2222")))
    w = HistoryWindow(session, lambda _id: None)
    qtbot.addWidget(w)
    return w


def select(w: HistoryWindow, number: str) -> None:
    w.search.setText(number)
    w._on_run_clicked()
    w.table.selectRow(0)


def test_history_offers_the_three_documents_of_an_esketamine_session_and_two_otherwise(
        history_window: HistoryWindow, history: History) -> None:
    w = history_window
    select(w, history.number_of(NOAH))  # esketamine, signed today
    copy = w.findChild(QComboBox, "history_copy")
    assert items(copy) == ["Patient copy", "Chart copy", "REMS form"]
    assert copy.currentText() == "Chart copy"  # the record, for a reprint
    assert "draft" not in w.preview.text().lower()
    iv = next(r for r in history.s.history.search(HistoryQuery("oliver"))
              if r.protocol_id == "ketamine-iv")
    select(w, iv.number)
    assert items(copy) == ["Patient copy", "Chart copy"]  # no REMS form for IV ketamine


def test_history_prints_the_patient_copy_in_another_language_without_changing_the_record(
        qtbot, history_window: HistoryWindow, history: History,
        monkeypatch: pytest.MonkeyPatch) -> None:
    w = history_window
    select(w, history.number_of(OLIVER))
    episode_id = w.selected().episode_id
    printed: list[bytes] = []
    monkeypatch.setattr(printing, "print_pdf",
                        lambda _parent, pdf, _name, _settings: printed.append(pdf) or "P1")
    copy = w.findChild(QComboBox, "history_copy")
    language = w.findChild(QComboBox, "history_language")
    assert not language.isEnabled()  # the chart copy has no language to choose
    choose(copy, "Patient copy")
    assert language.isEnabled() and items(language) == ["English", "Español"]
    assert language.currentText() == "English"  # the episode's language
    events = len(audit.events(history.s.db))
    choose(language, "Español")
    qtbot.mouseClick(w.findChild(QPushButton, "history_print"), Qt.MouseButton.LeftButton)
    assert SPANISH in text_of(printed[0])
    assert len(pypdf.PdfReader(io.BytesIO(printed[0])).pages) == 1
    assert history.s.documents.instructions_language(episode_id) == "en"  # record unchanged
    assert len(audit.events(history.s.db)) == events


def test_history_saves_the_rems_form_under_its_own_name(
        qtbot, history_window: HistoryWindow, history: History,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    w = history_window
    select(w, history.number_of(NOAH))
    offered: list[str] = []

    def choose_path(_parent, suggested: str) -> str:
        offered.append(Path(suggested).name)
        return str(tmp_path / Path(suggested).name)

    monkeypatch.setattr(printing, "_choose_save_path", choose_path)
    choose(w.findChild(QComboBox, "history_copy"), "REMS form")
    qtbot.mouseClick(w.findChild(QPushButton, "history_save"), Qt.MouseButton.LeftButton)
    assert offered[0] == "MRN-100238_2026-11-20_rems.pdf"  # MRN_DATE_COPY
    saved = (tmp_path / offered[0]).read_bytes()
    assert "REMS monitoring form" in text_of(saved)
    assert "REMS Patient Monitoring Form saved to" in w.status.text()


def test_discharge_dialog_saves_the_language_before_signing_and_offers_the_copies_after(
        qtbot, monkeypatch, services, clock, staff, session, episode_id) -> None:
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)
    copy = dialog.findChild(QComboBox, "discharge_copy")
    language = dialog.findChild(QComboBox, "discharge_language")
    assert items(copy) == ["Patient copy", "Chart copy"]  # IV ketamine: no REMS form
    assert copy.currentText() == "Chart copy"
    assert "draft" in dialog.preview.text()
    choose(copy, "Patient copy")
    choose(language, "Español")  # an open episode: the choice is the episode's
    assert services.documents.instructions_language(episode_id) == "es"

    answer_everything(dialog)
    pin_answers(monkeypatch, NURSE_PIN)
    assert dialog.sign_discharge() is not None
    assert "draft" not in dialog.preview.text()
    assert language.currentText() == "Español"
    printed: list[bytes] = []
    monkeypatch.setattr(printing, "print_pdf",
                        lambda _parent, pdf, _name, _settings: printed.append(pdf) or "P1")
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    text = text_of(printed[0])
    assert "DRAFT" not in text and "Después de su tratamiento" in text
    choose(copy, "Chart copy")
    assert not language.isEnabled()
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert len(pypdf.PdfReader(io.BytesIO(printed[1])).pages) > 1  # the full record


def test_discharge_dialog_of_a_signed_esketamine_session_offers_the_rems_form(
        qtbot, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor_app.gui.common.session import Session
    from monitor_app.gui.discharge.discharge_dialog import DischargeDialog

    session = Session(history.s)
    session.sign_in(history.s.staff_member(history.staff("2222")))
    noah = history.s.history.search(HistoryQuery(history.number_of(NOAH)))[0]
    dialog = DischargeDialog(session, noah.episode_id)
    qtbot.addWidget(dialog)
    copy = dialog.findChild(QComboBox, "discharge_copy")
    assert items(copy) == ["Patient copy", "Chart copy", "REMS form"]
    choose(copy, "REMS form")
    qtbot.mouseClick(dialog.preview, Qt.MouseButton.LeftButton)
    assert dialog.preview_window is not None and dialog.preview_window.page_count >= 1
    assert dialog.preview_window.windowTitle().startswith("REMS Patient Monitoring Form")
    dialog.preview_window.close()


def test_a_language_chosen_while_nobody_is_signed_in_is_refused_in_words(
        qtbot, services, staff, session, episode_id) -> None:
    dialog = open_dialog(qtbot, session, episode_id)
    choose(dialog.findChild(QComboBox, "discharge_copy"), "Patient copy")
    session.lock()
    choose(dialog.findChild(QComboBox, "discharge_language"), "Español")
    assert "The language was not saved" in dialog.message.text()
    assert dialog.findChild(QComboBox, "discharge_language").currentText() == "English"
    assert services.documents.instructions_language(episode_id) == "en"
