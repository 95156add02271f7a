"""New episode: find or add the patient, the treatment, the escort, the pre-check."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from monitor_app.gui.common.widgets import FieldError
from monitor_app.gui.episode.new_episode import NewEpisodeDialog

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

KEYS = {
    "patient_search": "Find patient", "patient": "Patient", "mrn": "MRN",
    "patient_name": "Name", "dob": "Date of birth", "sex": "Sex", "protocol": "Protocol",
    "chair": "Chair or bay", "weight": "Weight (kg)", "dose": "Dose (mg)",
    "lot_number": "Lot number", "escort_name": "Escort's name",
    "escort_relationship": "Relationship", "escort_phone": "Escort's phone",
    "precheck": "Pre-check",
}


@pytest.fixture
def dialog(qtbot, session) -> NewEpisodeDialog:
    d = NewEpisodeDialog(session)
    qtbot.addWidget(d)
    return d


@pytest.fixture
def known_patient(services, staff):
    return services.add_patient(staff["nurse"], "MRN-77", "Pat Quinn", "1970-07-07", "F")


def type_into(qtbot, dialog: NewEpisodeDialog, **values: str) -> None:
    for key, text in values.items():
        widget = dialog.findChild(QLineEdit, key)
        widget.clear()
        qtbot.keyClicks(widget, text)


def choose_protocol(dialog: NewEpisodeDialog, protocol_id: str) -> None:
    dialog.protocol.setCurrentIndex(dialog.protocol.findData(protocol_id))


def tick_precheck(dialog: NewEpisodeDialog) -> None:
    for box in dialog.findChild(QWidget, "precheck").findChildren(QCheckBox):
        box.setChecked(True)


def error_next_to(dialog: NewEpisodeDialog, key: str) -> str:
    label = dialog.findChild(FieldError, f"{key}_error")
    return "" if label.isHidden() else label.text()


def test_every_input_has_its_handle(dialog):
    for key, label in KEYS.items():
        widget = dialog.findChild(QWidget, key)
        assert widget is not None, key
        assert widget.accessibleName() == label


def test_missing_escort_phone_is_shown_next_to_it_and_the_rest_is_kept(
        qtbot, dialog, services, known_patient):
    type_into(qtbot, dialog, patient_search="MRN-77")
    assert dialog.selected_patient_id() == known_patient.id  # one match: chosen
    choose_protocol(dialog, "ketamine-iv")
    type_into(qtbot, dialog, chair="3", weight="72", dose="36", escort_name="Sam Quinn",
              escort_relationship="brother", lot_number="L-55")
    tick_precheck(dialog)
    dialog.ok.click()

    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "escort's phone" in error_next_to(dialog, "escort_phone")
    assert all(not error_next_to(dialog, k) for k in ("chair", "weight", "escort_name"))
    assert dialog.findChild(QLineEdit, "chair").text() == "3"
    assert dialog.findChild(QLineEdit, "weight").text() == "72"
    assert dialog.findChild(QLineEdit, "escort_name").text() == "Sam Quinn"
    assert all(box.isChecked() for box in dialog.precheck_boxes.values())
    assert dialog.selected_patient_id() == known_patient.id
    assert dialog.findChild(QLineEdit, "escort_phone").hasFocus() or not dialog.isVisible()
    assert services.board() == []

    type_into(qtbot, dialog, escort_phone="555-0142")
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [row.patient_name for row in services.board()] == ["Pat Quinn"]
    assert dialog.episode.escort.phone == "555-0142"


def type_date(qtbot, dialog: NewEpisodeDialog, digits: str) -> None:
    qtbot.keyClicks(dialog.findChild(QDateEdit, "dob"), digits)


def test_a_new_patient_is_added_once_even_after_a_refusal(qtbot, dialog, services):
    type_into(qtbot, dialog, patient_search="Noor Haddad")
    dialog.new_patient.setChecked(True)
    assert dialog.findChild(QLineEdit, "patient_name").text() == "Noor Haddad"  # carried
    type_into(qtbot, dialog, mrn="MRN-500")
    type_date(qtbot, dialog, "19900228")
    choose_protocol(dialog, "ketamine-iv")
    type_into(qtbot, dialog, chair="5", weight="60", dose="30", escort_name="Ola",
              escort_phone="555-0101")
    dialog.ok.click()  # pre-check not confirmed
    assert "confirm every pre-check item" in error_next_to(dialog, "precheck")
    tick_precheck(dialog)
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(services.find_patients("MRN-500")) == 1
    assert services.episode(dialog.episode.id).chair == "5"


def test_a_date_of_birth_never_chosen_is_asked_for_not_taken_as_today(qtbot, dialog):
    dialog.new_patient.setChecked(True)
    type_into(qtbot, dialog, mrn="MRN-9", patient_name="Al Roe")
    dob = dialog.findChild(QDateEdit, "dob")
    assert dob.text() == "choose…"
    dialog.ok.click()
    assert "choose the date of birth" in error_next_to(dialog, "dob")
    assert dialog.findChild(QLineEdit, "mrn").text() == "MRN-9"
    type_date(qtbot, dialog, "19801231")
    assert dialog.date_of_birth() == date(1980, 12, 31)
    assert not error_next_to(dialog, "dob")  # cleared as soon as it was fixed


def test_the_date_of_birth_follows_the_clinics_date_format(qtbot, session, services, staff):
    services.save_settings(staff["admin"], replace(services.settings(), date_format="DMY"))
    services.add_patient(staff["nurse"], "MRN-31", "Di Eze", "1975-03-04")
    dialog = NewEpisodeDialog(session)
    qtbot.addWidget(dialog)
    dialog.new_patient.setChecked(True)
    type_date(qtbot, dialog, "04031975")
    assert dialog.date_of_birth() == date(1975, 3, 4)
    assert dialog.findChild(QDateEdit, "dob").text() == "04/03/1975"
    assert dialog.findChild(QDateEdit, "dob").calendarPopup()
    type_into(qtbot, dialog, patient_search="Di Eze")
    assert "born 04/03/1975" in dialog.results.item(0).text()  # search shows the DOB


def test_no_patient_chosen_is_shown_next_to_the_patient_list(dialog):
    dialog.ok.click()
    assert "find the patient" in error_next_to(dialog, "patient")


def test_pre_check_questions_come_from_the_chosen_protocol(dialog, services):
    choose_protocol(dialog, "esketamine-rems")
    keys = {item.key for item in services.protocols["esketamine-rems"].precheck}
    assert set(dialog.precheck_boxes) == keys
    assert dialog.findChild(QCheckBox, "rems_enrolled") is not None
    assert "56 mg" in dialog.findChild(QWidget, "dose_hint").text()
    choose_protocol(dialog, "ketamine-iv")
    assert dialog.findChild(QCheckBox, "fasting") is not None
    assert set(dialog.precheck_boxes) == {i.key for i in services.protocols["ketamine-iv"]
                                          .precheck}


def test_weight_typed_in_pounds_is_stored_in_kg(qtbot, session, services, staff,
                                                known_patient):
    services.save_settings(staff["admin"], replace(services.settings(), weight_unit="lb"))
    dialog = NewEpisodeDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLineEdit, "weight").accessibleName() == "Weight (lb)"
    type_into(qtbot, dialog, patient_search="Pat Q")
    choose_protocol(dialog, "ketamine-iv")
    type_into(qtbot, dialog, chair="2", weight="154", dose="35", escort_name="Sam",
              escort_phone="555-0100")
    tick_precheck(dialog)
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.episode.weight_kg == pytest.approx(69.85, abs=0.01)


def test_enter_in_the_form_does_not_lose_it(qtbot, dialog):
    type_into(qtbot, dialog, chair="3")
    qtbot.keyClick(dialog.findChild(QLineEdit, "chair"), Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.findChild(QLineEdit, "chair").text() == "3"


def shown_errors(dialog: NewEpisodeDialog) -> set[str]:
    return {label.key for label in dialog.findChildren(FieldError) if not label.isHidden()}


def test_every_refused_field_is_shown_at_once_and_clears_when_fixed(qtbot, dialog, services):
    choose_protocol(dialog, "ketamine-iv")
    dialog.ok.click()
    assert shown_errors(dialog) == {"patient", "chair", "weight", "dose", "escort_name",
                                    "escort_phone", "precheck"}
    type_into(qtbot, dialog, chair="4", weight="70")
    assert shown_errors(dialog) == {"patient", "dose", "escort_name", "escort_phone",
                                    "precheck"}
    tick_precheck(dialog)
    assert "precheck" not in shown_errors(dialog)
    assert services.board() == []


def test_the_dialog_grows_to_show_every_message_and_no_field_collapses(qtbot, dialog):
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.new_patient.setChecked(True)
    choose_protocol(dialog, "ketamine-iv")
    type_into(qtbot, dialog, weight="heavy", dose="lots")
    before = dialog.height()
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.height() > before)
    assert {"mrn", "patient_name", "dob", "chair", "weight", "dose"} <= shown_errors(dialog)
    qtbot.waitUntil(lambda: collapsed(dialog) == [])
    assert dialog.height() >= dialog.minimumSizeHint().height()


def collapsed(dialog: NewEpisodeDialog) -> list[tuple[str, int, int]]:
    """Inputs and messages shown shorter than they need: (name, height, needed)."""
    found = []
    for widget in dialog.findChildren(QWidget):
        if widget.objectName().startswith("qt_"):
            continue  # Qt's own parts (the date's inner line edit)
        if widget.isVisible() and isinstance(widget, (QLineEdit, QComboBox, QDateEdit,
                                                      FieldError)):
            need = widget.minimumSizeHint().height()
            if isinstance(widget, FieldError):
                need = widget.heightForWidth(widget.width())
            if widget.height() < need:
                found.append((widget.objectName(), widget.height(), need))
    return found


def test_a_refused_opening_adds_no_patient(qtbot, dialog, services):
    dialog.new_patient.setChecked(True)
    type_into(qtbot, dialog, mrn="MRN-600", patient_name="Ina Lund")
    type_date(qtbot, dialog, "19851111")
    choose_protocol(dialog, "ketamine-iv")
    type_into(qtbot, dialog, chair="6", weight="64", dose="32", escort_name="Bo")
    tick_precheck(dialog)
    dialog.ok.click()
    assert shown_errors(dialog) == {"escort_phone"}
    assert services.find_patients("MRN-600") == []  # nothing saved by a refused opening
    type_into(qtbot, dialog, escort_phone="555-0123")
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    [patient] = services.find_patients("MRN-600")
    assert services.episode(dialog.episode.id).patient_id == patient.id


def test_weight_and_escort_are_offered_from_the_last_session_each_to_confirm(
        qtbot, session, services, staff, known_patient):
    from monitor_app.domain.models import Escort

    protocol = services.protocols["ketamine-iv"]
    old = services.open_episode(staff["nurse"], known_patient.id, "ketamine-iv", "1", 71.5,
                                35, Escort("Sam Quinn", "brother", "555-0142"),
                                {i.key: True for i in protocol.precheck})
    services.cancel_episode(staff["nurse"], old.id, "rebooked")
    day = old.created_at.astimezone().date()
    when = f"{day.day} {day:%b %Y}"
    dialog = NewEpisodeDialog(session)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog, patient_search="MRN-77")
    weight_offer = dialog.findChild(QPushButton, "weight_offer")
    escort_offer = dialog.findChild(QPushButton, "escort_offer")
    assert weight_offer.text() == f"From last session ({when}): 71.5 kg — confirm"
    assert escort_offer.text() == (f"From last session ({when}):\nSam Quinn (brother), "
                                   "555-0142 — confirm")  # long: broken after the colon
    assert not weight_offer.isHidden() and not escort_offer.isHidden()
    # offered, not filled in: nothing would be saved without the nurse's confirmation
    assert dialog.findChild(QLineEdit, "weight").text() == ""
    assert dialog.findChild(QLineEdit, "escort_name").text() == ""
    qtbot.mouseClick(weight_offer, Qt.MouseButton.LeftButton)
    assert dialog.findChild(QLineEdit, "weight").text() == "71.5" and weight_offer.isHidden()
    assert dialog.findChild(QLineEdit, "escort_name").text() == ""  # each on its own
    type_into(qtbot, dialog, escort_phone="555-9999")  # typed: the escort offer goes
    assert escort_offer.isHidden()
    dialog.new_patient.setChecked(True)  # another patient: what was confirmed goes
    assert dialog.findChild(QLineEdit, "weight").text() == ""
    assert dialog.findChild(QLineEdit, "escort_phone").text() == "555-9999"  # typed: kept
    assert weight_offer.isHidden() and escort_offer.isHidden()


def test_an_unconfirmed_offer_is_not_saved(qtbot, session, services, staff, known_patient):
    from monitor_app.domain.models import Escort

    protocol = services.protocols["ketamine-iv"]
    old = services.open_episode(staff["nurse"], known_patient.id, "ketamine-iv", "1", 71.5,
                                35, Escort("Sam Quinn", "brother", "555-0142"),
                                {i.key: True for i in protocol.precheck})
    services.cancel_episode(staff["nurse"], old.id, "rebooked")
    dialog = NewEpisodeDialog(session)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog, patient_search="MRN-77")
    choose_protocol(dialog, "ketamine-iv")
    type_into(qtbot, dialog, chair="6", dose="32")
    tick_precheck(dialog)
    dialog.ok.click()  # the offers were not confirmed: weight and escort are missing
    assert {"weight", "escort_name", "escort_phone"} <= shown_errors(dialog)
    assert dialog.episode is None
    qtbot.mouseClick(dialog.findChild(QPushButton, "weight_offer"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.findChild(QPushButton, "escort_offer"), Qt.MouseButton.LeftButton)
    dialog.ok.click()
    assert dialog.episode is not None
    opened = services.episode(dialog.episode.id)
    assert (opened.weight_kg, opened.escort.name) == (71.5, "Sam Quinn")


def test_a_fixed_dose_protocol_offers_its_doses_and_asks_the_lot_number(
        qtbot, dialog, services, known_patient):
    type_into(qtbot, dialog, patient_search="MRN-77")
    choose_protocol(dialog, "esketamine-rems")
    choice = dialog.findChild(QComboBox, "dose_choice")
    assert choice.isVisibleTo(dialog)
    assert [choice.itemText(i) for i in range(choice.count())] == [
        "— choose —", "56 mg", "84 mg", "other dose…"]
    assert "optional" in dialog.findChild(QLabel, "weight_hint").text()
    assert not dialog.findChild(QLineEdit, "dose_reason").isVisibleTo(dialog)
    choice.setCurrentIndex(choice.findText("84 mg"))
    type_into(qtbot, dialog, chair="2", escort_name="Sam", escort_phone="555-0100")
    tick_precheck(dialog)
    dialog.ok.click()
    assert shown_errors(dialog) == {"lot_number"}  # no weight needed; the REMS needs a lot
    choice.setCurrentIndex(choice.findText("other dose…"))
    assert dialog.findChild(QLineEdit, "dose_reason").isVisibleTo(dialog)
    type_into(qtbot, dialog, dose="28", lot_number="LOT-1")
    dialog.ok.click()
    assert shown_errors(dialog) == {"dose_reason"}
    type_into(qtbot, dialog, dose_reason="prescriber's titration order")
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    episode = services.episode(dialog.episode.id)
    assert (episode.dose_mg, episode.weight_kg, episode.dose_reason) == (
        28, 0, "prescriber's titration order")


def test_enter_in_find_patient_goes_to_what_was_found_and_opens_nothing(
        qtbot, dialog, known_patient):
    dialog.show()  # a hidden dialog's default button ignores Enter: show it, as a nurse sees it
    qtbot.waitExposed(dialog)
    search = dialog.findChild(QLineEdit, "patient_search")
    qtbot.keyClicks(search, "Quinn")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert shown_errors(dialog) == set()  # no "enter the chair", "escort's name"...
    assert dialog.selected_patient_id() == known_patient.id
    assert dialog.isVisible() and dialog.focusWidget() is dialog.results
