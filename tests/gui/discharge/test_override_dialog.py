"""The override dialog asks for the prescriber's PIN, keeps what was typed when
something is missing, and the discharge dialog says when a criterion cannot be
overridden (the esketamine 2-hour minimum: the REMS requires it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor_app.gui.discharge.override_dialog import OverrideDialog
from tests.helpers.gui import MD_PIN
from tests.helpers.gui_discharge import GOOD, open_dialog, rems_dosed, row_of, to_discharge

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def fast_hr(services, clock, staff, episode_id) -> int:
    to_discharge(services, clock, staff["nurse"], episode_id, latest=dict(GOOD, hr="118"))
    return episode_id


def override_dialog(qtbot, session, episode_id) -> OverrideDialog:
    dialog = OverrideDialog(session, episode_id, "heart_rate", "Heart rate")
    qtbot.addWidget(dialog)
    return dialog


def test_ok_without_a_prescriber_keeps_the_reason_and_says_what_is_missing(
        qtbot, services, session, fast_hr):
    dialog = override_dialog(qtbot, session, fast_hr)
    dialog.reason.setPlainText("Usual resting rate for this patient")
    dialog.pin.setText(MD_PIN)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() != dialog.DialogCode.Accepted
    error = dialog.errors["prescriber"]
    assert error.isVisibleTo(dialog)
    assert "choose the authorising prescriber" in error.text()
    assert "no staff member" not in error.text()
    assert dialog.reason.toPlainText() == "Usual resting rate for this patient"
    assert not services.discharge_view(fast_hr).overrides


def test_a_wrong_pin_counts_once_and_the_right_one_records_the_override(
        qtbot, services, staff, session, fast_hr):
    dialog = override_dialog(qtbot, session, fast_hr)
    assert dialog.findChild(type(dialog.pin), "override_pin") is dialog.pin
    dialog.reason.setPlainText("Usual resting rate")
    dialog.choose(staff["prescriber"])
    dialog.pin.setText("9999")
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)  # Enter submits once, not twice
    assert "wrong PIN" in dialog.errors["pin"].text()
    assert services.staff_member(staff["prescriber"]).failed_attempts == 1
    assert dialog.pin.text() == "" and dialog.reason.toPlainText() == "Usual resting rate"
    dialog.pin.setText(MD_PIN)
    assert dialog.submit()
    assert services.discharge_view(fast_hr).overrides["heart_rate"].prescriber_id == \
        staff["prescriber"]


def test_the_rems_minimum_cannot_be_overridden_and_the_dialog_says_why(
        qtbot, services, clock, staff, session):
    nurse = staff["nurse"]
    episode = rems_dosed(services, clock, nurse)
    clock.advance(minutes=45)
    services.record_observation(nurse, episode, GOOD)
    dialog = open_dialog(qtbot, session, episode)
    r = row_of(dialog, "minimum_observation")
    assert "cannot be overridden: required by the REMS" in dialog.criteria.item(r, 4).text()
    dialog.criteria.selectRow(r)
    assert not dialog.override.isEnabled()
    note = dialog.criteria_section.override_note
    assert note.isVisibleTo(dialog)
    assert "Minimum observation time cannot be overridden: required by the REMS" in note.text()
    assert "cannot be overridden: required by the REMS" in dialog.override.toolTip()
    dialog.criteria.selectRow(row_of(dialog, "aldrete"))  # another unmet criterion
    assert dialog.override.isEnabled()
    assert not note.isVisibleTo(dialog)


def test_a_missing_reason_is_said_before_any_pin_is_counted(qtbot, services, staff, session,
                                                            fast_hr):
    dialog = override_dialog(qtbot, session, fast_hr)
    dialog.choose(staff["prescriber"])
    dialog.pin.setText("9999")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "reason" in dialog.errors["reason"].text()
    assert services.staff_member(staff["prescriber"]).failed_attempts == 0
    dialog.reason.setPlainText("Usual resting rate")
    dialog.pin.clear()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "type your PIN" in dialog.errors["pin"].text()
    assert services.staff_member(staff["prescriber"]).failed_attempts == 0
