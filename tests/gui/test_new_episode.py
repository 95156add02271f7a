"""New episode: find or add the patient, the treatment, the escort, the pre-check."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QLineEdit, QWidget

from monitor_app.gui.new_episode import NewEpisodeDialog
from monitor_app.gui.widgets import FieldError

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


def test_a_new_patient_is_added_once_even_after_a_refusal(qtbot, dialog, services):
    type_into(qtbot, dialog, patient_search="Noor Haddad")
    dialog.new_patient.setChecked(True)
    assert dialog.findChild(QLineEdit, "patient_name").text() == "Noor Haddad"  # carried
    type_into(qtbot, dialog, mrn="MRN-500", dob="1990-02-28")
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


def test_bad_date_of_birth_is_shown_next_to_it(qtbot, dialog):
    dialog.new_patient.setChecked(True)
    type_into(qtbot, dialog, mrn="MRN-9", patient_name="Al Roe", dob="31/12/1980")
    dialog.ok.click()
    assert "YYYY-MM-DD" in error_next_to(dialog, "dob")
    assert dialog.findChild(QLineEdit, "mrn").text() == "MRN-9"


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
