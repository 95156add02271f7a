"""The discharge dialog: live criteria, answers, overrides, REMS, signing and the sheet."""

from __future__ import annotations

import io
import os
import sqlite3
import stat

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox

from monitor_app.gui.common import printing
from monitor_app.gui.discharge.addendum_dialog import AddendumDialog
from monitor_app.gui.discharge.discharge_dialog import (
    COL_STATUS,
    COL_VALUE,
    OverrideDialog,
)
from monitor_app.services.errors import DischargeRefused
from monitor_app.storage import audit
from monitor_app.storage.repository import list_signatures
from tests.helpers.gui import MD_PIN, NURSE_PIN
from tests.helpers.gui_discharge import (
    GOOD,
    answer_everything,
    open_dialog,
    pin_answers,
    rems_dosed,
    row_of,
    to_discharge,
)

# the offscreen platform says it cannot propagate size hints when a window is shown
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]











def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)




# --------------------------------------------------------------------------- tests

def test_criteria_live_and_sign_waits_for_answers(qtbot, services, clock, staff, session,
                                                  episode_id):
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)
    protocol = services.episode_view(episode_id).protocol
    table = dialog.criteria
    assert table.rowCount() == len(protocol.criteria)
    texts = {table.item(r, 1).text(): (table.item(r, COL_STATUS).text(),
                                       table.item(r, COL_VALUE).text(),
                                       table.item(r, 3).text())
             for r in range(table.rowCount())}
    assert texts["Blood pressure"] == ("✓ Met", "BP 124/78", "within 20% of baseline 124/78, "
                                       "or a rise below 160/100; SBP at least 90")
    assert texts["Minimum observation time"][1] == "33 min since end of infusion"
    assert texts["Modified Aldrete score"][0] == "? Not yet known"
    assert not dialog.sign.isEnabled()
    assert "Oriented to person, place and time: not confirmed" in dialog.blocking.text()
    # the escort recorded at check-in is offered
    assert dialog.manual_details["escort_present"]["escort_name"].text() == "Sam"

    dialog.activity.setCurrentIndex(dialog.activity.findData(2))
    dialog.respiration.setCurrentIndex(dialog.respiration.findData(1))
    assert dialog.state.aldrete.total == 9  # re-read from the services
    assert dialog.aldrete_total.text() == "Total 9 / 10"
    assert "percent" in dialog.aldrete_basis["circulation"].text()
    r = row_of(dialog, "aldrete")
    assert table.item(r, COL_STATUS).text() == "✓ Met"
    assert not dialog.sign.isEnabled()

    answer_everything(dialog)
    assert dialog.sign.isEnabled()
    assert services.discharge_view(episode_id).manual["escort_present"].details == {
        "escort_name": "Sam", "escort_phone": "555-0100"}
    # N/A where the protocol allows it
    dialog.manual_boxes["next_appointment"].setChecked(False)
    assert not dialog.sign.isEnabled()
    dialog.manual_na["next_appointment"].setChecked(True)
    assert dialog.sign.isEnabled()


def test_sign_locks_the_record_and_the_sheet_holds_it(qtbot, monkeypatch, services, clock,
                                                      staff, session, episode_id, tmp_path):
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)
    answer_everything(dialog)
    pin_answers(monkeypatch, NURSE_PIN)
    with qtbot.waitSignal(session.data_changed) as changed:
        qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
    assert changed.args == [episode_id]
    view = services.episode_view(episode_id)
    assert view.signed
    signature = view.signatures[0]
    assert dialog.sign_result.signature == signature
    shown = dialog.signature.text()
    assert "Discharged by Nora Nurse, RN" in shown
    assert signature.content_hash[:8] in shown
    assert dialog.archive_problem.text().startswith("Sheet archived to")
    assert not dialog.sign.isVisible() or not dialog.sign.isEnabled()
    assert not dialog.activity.isEnabled()

    # the database itself refuses a change, whoever asks
    with pytest.raises((sqlite3.IntegrityError, sqlite3.OperationalError), match="signed"):
        shell = sqlite3.connect(tmp_path / "clinic.db")
        try:
            shell.execute("UPDATE observations SET hr=1")
        finally:
            shell.close()
    assert services.verify() == []

    [stored] = list_signatures(services.db, episode_id)
    assert signature.content_hash == audit.signature_content_hash(stored.content)

    text = pdf_text(services.sheet_pdf(episode_id))
    flat = "".join(text.split())
    assert "Jo O'Hara" in text
    for row in view.current_rows:
        assert row.observation.taken_at.astimezone().strftime("%H:%M") in text
    for c in services.discharge_view(episode_id).evaluation.criteria:
        assert "".join(c.label.split()) in flat
    assert "Nora Nurse" in text
    assert "Discharged by" in text
    assert signature.content_hash in flat
    assert "DRAFT" not in text


def test_wrong_pin_says_so_and_nothing_is_signed(qtbot, monkeypatch, services, clock, staff,
                                                 session, episode_id):
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)
    answer_everything(dialog)
    seen: list[str] = []
    pin_answers(monkeypatch, "9999", None, seen=seen)
    assert dialog.sign_discharge() is None
    assert seen[0] == ""
    assert "PIN" in seen[1] or "pin" in seen[1].lower()  # shown on the PIN field on retry
    assert dialog.message.isVisibleTo(dialog) and "Not signed" in dialog.message.text()
    assert not services.episode_view(episode_id).signed
    # and the retry with the right PIN signs
    pin_answers(monkeypatch, "9999", NURSE_PIN)
    assert dialog.sign_discharge() is not None
    assert services.episode_view(episode_id).signed


def test_unmet_criterion_blocks_until_overridden(qtbot, monkeypatch, services, clock, staff,
                                                 session, episode_id):
    fast = dict(GOOD, hr="118")
    to_discharge(services, clock, staff["nurse"], episode_id, latest=fast)
    dialog = open_dialog(qtbot, session, episode_id)
    answer_everything(dialog)
    r = row_of(dialog, "heart_rate")
    assert dialog.criteria.item(r, COL_STATUS).text() == "✗ Not met"
    assert dialog.criteria.item(r, COL_VALUE).text() == "HR 118"
    assert not dialog.sign.isEnabled()
    assert "Heart rate" in dialog.blocking.text()
    with pytest.raises(DischargeRefused) as refused:
        services.sign_discharge(staff["nurse"], NURSE_PIN, episode_id)
    assert any("Heart rate" in reason for reason in refused.value.reasons)

    # an override without a reason is refused and said, in the override dialog
    dialog.criteria.selectRow(r)
    assert dialog.override.isEnabled()
    prescribers, shown = [], []

    def ask(self, reason, pin):
        prescribers.extend(self.prescriber.itemText(i) for i in range(self.prescriber.count()))
        self.reason.setPlainText(reason)
        self.choose(staff["prescriber"])
        self.pin.setText(pin)
        done = self.submit()
        shown.append(self.errors["reason"].text() if self.errors["reason"].isVisibleTo(self)
                     else "")
        return done

    monkeypatch.setattr(OverrideDialog, "ask", lambda self: ask(self, "  ", MD_PIN))
    qtbot.mouseClick(dialog.override, Qt.MouseButton.LeftButton)
    assert "reason" in shown[-1]
    assert not dialog.sign.isEnabled()

    monkeypatch.setattr(OverrideDialog, "ask", lambda self: ask(
        self, "Usual resting HR 115, seen by Dr Prescriber", MD_PIN))
    dialog.criteria.selectRow(r)
    qtbot.mouseClick(dialog.override, Qt.MouseButton.LeftButton)
    assert "Max Prescriber, MD" in prescribers
    assert dialog.criteria.item(r, COL_STATUS).text().startswith("✓ Overridden")
    assert "Max Prescriber" in dialog.criteria.item(r, 4).text()
    assert dialog.sign.isEnabled()
    pin_answers(monkeypatch, NURSE_PIN)
    assert dialog.sign_discharge() is not None
    flat = "".join(pdf_text(services.sheet_pdf(episode_id)).split())
    assert "UsualrestingHR115" in flat
    assert "MaxPrescriber" in flat


def test_rems_episode_needs_its_required_fields(qtbot, monkeypatch, services, clock, staff,
                                                session):
    nurse = staff["nurse"]
    episode = rems_dosed(services, clock, nurse)
    for _ in range(5):
        clock.advance(minutes=25)
        services.record_observation(nurse, episode, GOOD)
    dialog = open_dialog(qtbot, session, episode)
    answer_everything(dialog)
    assert dialog.rems_box is not None
    assert dialog.findChild(type(dialog.rems_widgets["patient_name"]),
                            "rems_patient_name").text() == "Ana Ruiz"  # from the record
    assert dialog.rems_widgets["lot_number"].text() == "LOT-7"
    for item in dialog.state.rems:
        if item.from_record or item.field.key == "maois":
            continue
        widget = dialog.rems_widgets[item.field.key]
        if item.field.type == "yes_no":
            widget.setCurrentIndex(widget.findData("no"))
        else:
            widget.setText("95" if item.field.type == "integer" else "none")
            widget.editingFinished.emit()
    assert dialog.state.missing_rems == ("Concomitant MAOIs",)
    assert "Concomitant MAOIs" in dialog.rems_missing.text()
    assert "REMS form: Concomitant MAOIs is required" in dialog.blocking.text()
    assert not dialog.sign.isEnabled()
    with pytest.raises(DischargeRefused) as refused:
        services.sign_discharge(nurse, NURSE_PIN, episode)
    assert refused.value.reasons == ["REMS form: Concomitant MAOIs is required"]

    maois = dialog.rems_widgets["maois"]
    maois.setCurrentIndex(maois.findData("no"))
    assert dialog.sign.isEnabled(), dialog.blocking.text()
    pin_answers(monkeypatch, NURSE_PIN)
    assert dialog.sign_discharge() is not None
    assert "SPRAVATO REMS Patient Monitoring Form" in pdf_text(services.sheet_pdf(episode))


def test_signed_episode_opens_read_only_with_addendum(qtbot, monkeypatch, services, clock,
                                                      staff, session, episode_id):
    to_discharge(services, clock, staff["nurse"], episode_id)
    first = open_dialog(qtbot, session, episode_id)
    answer_everything(first)
    pin_answers(monkeypatch, NURSE_PIN)
    first.sign_discharge()

    dialog = open_dialog(qtbot, session, episode_id)
    assert dialog.signed
    assert dialog.sign.isHidden() and not dialog.add_addendum.isHidden()
    assert not dialog.respiration.isEnabled()
    assert all(not box.isEnabled() for box in dialog.manual_boxes.values())
    assert "Discharged by Nora Nurse" in dialog.signature.text()

    addendum = AddendumDialog(session, episode_id)
    qtbot.addWidget(addendum)
    addendum.text.setPlainText("Phoned next day: patient well.")
    addendum.pin.setText("0000")
    qtbot.mouseClick(addendum.sign_button, Qt.MouseButton.LeftButton)
    assert addendum.result_value is None and addendum.pin_error.text()
    addendum.pin.setText(NURSE_PIN)
    qtbot.mouseClick(addendum.sign_button, Qt.MouseButton.LeftButton)
    assert addendum.result_value is not None
    assert addendum.result_value.signature.meaning == "Addendum by"
    dialog.refresh()
    assert "Phoned next day" in dialog.signature.text()
    assert "Phonednextday:patientwell." in "".join(
        pdf_text(services.sheet_pdf(episode_id)).split())
    assert services.verify() == []


def test_draft_sheet_preview_print_and_save(qtbot, monkeypatch, services, clock, staff,
                                            session, episode_id, tmp_path):
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)
    assert "draft" in dialog.preview.text()

    qtbot.mouseClick(dialog.preview, Qt.MouseButton.LeftButton)
    preview = dialog.preview_window
    assert preview.page_count >= 1
    preview.close()

    printed = tmp_path / "printed.pdf"

    def file_printer() -> QPrinter:
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return printer

    monkeypatch.setattr(printing, "_find_printer", file_printer)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert len(pypdf.PdfReader(printed).pages) == preview.page_count

    target = tmp_path / "sheet"
    monkeypatch.setattr(printing, "_choose_save_path", lambda parent, name: str(target))
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    saved = tmp_path / "sheet.pdf"
    assert "DRAFT" in pdf_text(saved.read_bytes())
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    assert str(saved) in dialog.archive_problem.text()

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text: warnings.append(text))
    monkeypatch.setattr(printing, "_choose_save_path",
                        lambda parent, name: str(tmp_path / "missing" / "x.pdf"))
    assert printing.save_pdf(dialog, b"%PDF", "x.pdf") is None
    assert "could not be saved" in warnings[0] and "does not exist" in warnings[0]
    monkeypatch.setattr(printing, "_choose_save_path", lambda parent, name: "")
    assert printing.save_pdf(dialog, b"%PDF", "x.pdf") is None  # cancelled: nothing said
    assert len(warnings) == 1
    precious = tmp_path / "precious.txt"  # a link is never followed, even when confirmed
    precious.write_text("keep me")
    (tmp_path / "link.pdf").symlink_to(precious)
    monkeypatch.setattr(printing, "_choose_save_path",
                        lambda parent, name: str(tmp_path / "link.pdf"))
    assert printing.save_pdf(dialog, b"%PDF", "x.pdf") is None
    assert "symbolic link" in warnings[1] and precious.read_text() == "keep me"


def test_prescriber_pin_is_not_the_nurses(qtbot, monkeypatch, services, clock, staff, session,
                                          episode_id):
    """The signer is the signed-in nurse: another person's PIN does not sign for her."""
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)
    answer_everything(dialog)
    pin_answers(monkeypatch, MD_PIN, None)
    assert dialog.sign_discharge() is None
    assert not services.episode_view(episode_id).signed
