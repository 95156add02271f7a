"""Every PIN entry: one wrong PIN and Enter is one failed attempt, never two.

The dialogs are shown (a hidden dialog's default button ignores Enter, which hid the
double count from the older tests) and the PIN is typed with real key presses.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from monitor_app.gui.board.main_window import MainWindow
from monitor_app.gui.discharge import sign_dialog as sign_module
from monitor_app.gui.discharge.discharge_dialog import DischargeDialog
from monitor_app.gui.episode.ack_dialog import PrescriberAckDialog
from monitor_app.gui.staff.staff import SignInDialog
from monitor_app.gui.staff.staff_admin import ResetPinDialog
from monitor_app.storage import audit
from tests.helpers.gui import NURSE_PIN, shown, shown_board, type_and_enter
from tests.helpers.gui_discharge import (
    addendum_after_signing,
    answer_everything,
    to_discharge,
)

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

WRONG = "9999"


def failures(services, staff_id: int) -> int:
    return services.staff_member(staff_id).failed_attempts


def fully_visible(label: QLabel) -> bool:
    """Wrapped, and given at least the height its text needs at its width, inside its window."""
    window = label.window()
    top_left = label.mapTo(window, label.rect().topLeft())
    inside = window.rect().contains(top_left) and window.rect().contains(
        label.mapTo(window, label.rect().bottomRight()))
    return (label.isVisible() and label.wordWrap() and inside
            and label.height() >= label.heightForWidth(label.width()))


def sign_in(qtbot, services, staff_id: int) -> SignInDialog:
    dialog = shown(qtbot, SignInDialog(services))
    box = dialog.panel.staff_box
    box.setCurrentIndex(box.findData(staff_id))
    return dialog


@pytest.fixture
def station(qtbot, session) -> MainWindow:
    return shown_board(qtbot, session)


def test_sign_in_one_wrong_pin_and_enter_counts_once(qtbot, services, staff):
    dialog = sign_in(qtbot, services, staff["nurse"])
    type_and_enter(qtbot, dialog.pin, WRONG)
    assert failures(services, staff["nurse"]) == 1
    assert dialog.panel.error_message == "wrong PIN (4 tries left)"
    assert dialog.isVisible() and dialog.staff is None


def test_sign_in_a_second_enter_or_click_on_the_emptied_field_counts_nothing(
        qtbot, services, staff):
    dialog = sign_in(qtbot, services, staff["nurse"])
    type_and_enter(qtbot, dialog.pin, WRONG)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.mouseClick(dialog.panel.button, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(dialog.panel.button, Qt.MouseButton.LeftButton)
    assert failures(services, staff["nurse"]) == 1
    assert dialog.panel.error_message == "wrong PIN (4 tries left)"  # not replaced


def test_sign_in_enter_pressed_while_the_check_runs_is_ignored(
        qtbot, services, staff, monkeypatch):
    dialog = sign_in(qtbot, services, staff["nurse"])
    real = services.authenticate
    calls = []

    def slow_check(staff_id, pin):
        calls.append(pin)
        if len(calls) == 1:  # typed again and Enter and the button pressed mid-check
            dialog.pin.setText(WRONG)
            qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
            qtbot.mouseClick(dialog.panel.button, Qt.MouseButton.LeftButton)
        return real(staff_id, pin)

    monkeypatch.setattr(services, "authenticate", slow_check)
    type_and_enter(qtbot, dialog.pin, WRONG)
    assert calls == [WRONG]
    assert failures(services, staff["nurse"]) == 1


def test_three_typos_leave_two_tries_and_the_lock_message_is_whole(qtbot, services, staff):
    dialog = sign_in(qtbot, services, staff["nurse"])
    for _ in range(3):
        type_and_enter(qtbot, dialog.pin, WRONG)
    assert not services.staff_member(staff["nurse"]).locked
    assert dialog.panel.error_message == "wrong PIN (2 tries left)"
    for _ in range(2):
        type_and_enter(qtbot, dialog.pin, WRONG)
    label = dialog.panel.form.errors["pin"]
    assert services.staff_member(staff["nurse"]).locked
    assert label.text() == ("⚠ wrong PIN; the account is now locked: "
                            "ask an administrator to unlock it")
    assert fully_visible(label)


def test_lock_screen_one_wrong_pin_counts_once(qtbot, station, services, staff):
    station.lock()
    type_and_enter(qtbot, station.lock_page.pin, WRONG)
    assert failures(services, staff["nurse"]) == 1
    assert station.session.locked
    assert station.lock_page.panel.error_message == "wrong PIN (4 tries left)"
    assert fully_visible(station.lock_page.panel.form.errors["pin"])
    for _ in range(5):
        type_and_enter(qtbot, station.lock_page.pin, WRONG)
    assert "locked after too many wrong PINs" in station.lock_page.panel.error_message
    assert fully_visible(station.lock_page.panel.form.errors["pin"])


def test_switch_nurse_one_wrong_pin_counts_once(qtbot, station, services, staff):
    station.actions_by_key["switch_nurse"].trigger()
    page = station.lock_page
    page.staff_box.setCurrentIndex(page.staff_box.findData(staff["admin"]))
    type_and_enter(qtbot, page.pin, WRONG)
    assert failures(services, staff["admin"]) == 1
    assert failures(services, staff["nurse"]) == 0


def test_lock_cover_over_a_modal_dialog_counts_once_and_leaves_the_dialog_alone(
        qtbot, station, services, staff):
    pressed = []
    dialog = QDialog(station)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
    buttons.accepted.connect(lambda: pressed.append("ok"))
    dialog.resize(300, 100)
    dialog.open()
    station.lock()
    cover = station.curtain.covers[0]
    type_and_enter(qtbot, cover.pin, WRONG)
    assert failures(services, staff["nurse"]) == 1
    assert pressed == []  # the covered form's default button was not pressed
    dialog.reject()


def test_discharge_signing_one_wrong_pin_counts_once(
        qtbot, services, clock, staff, session, episode_id, monkeypatch):
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = shown(qtbot, DischargeDialog(session, episode_id))
    answer_everything(dialog)
    tries = [WRONG]

    def exec_typing(sign: QDialog) -> int:
        sign.show()  # the discharge dialog deletes it afterwards
        qtbot.waitExposed(sign)
        if not tries:
            sign.reject()  # the nurse gives up after the error is shown
            return sign.result()
        type_and_enter(qtbot, sign.pin, tries.pop())
        return sign.result()

    monkeypatch.setattr(sign_module.SignDialog, "exec", exec_typing)
    assert dialog.sign_discharge() is None
    assert failures(services, staff["nurse"]) == 1


def test_sign_dialog_enter_on_an_empty_pin_signs_nothing(qtbot, session):
    dialog = shown(qtbot, sign_module.SignDialog(session, "Discharged by"))
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.pin_error.text() == "⚠ type your PIN"
    type_and_enter(qtbot, dialog.pin, NURSE_PIN)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.typed_pin == NURSE_PIN


def test_prescriber_acknowledgement_one_wrong_pin_counts_once(
        qtbot, services, staff, session, episode_id):
    dialog = shown(qtbot, PrescriberAckDialog(session, episode_id, "BP 150/96"))
    dialog.choose(staff["prescriber"])
    type_and_enter(qtbot, dialog.pin, WRONG)
    assert failures(services, staff["prescriber"]) == 1
    assert dialog.isVisible()
    assert "wrong PIN (4 tries left)" in dialog.pin_error.text()
    assert fully_visible(dialog.pin_error)


def test_addendum_one_wrong_pin_counts_once(
        qtbot, services, clock, staff, session, episode_id, monkeypatch):
    dialog = addendum_after_signing(qtbot, session, clock, episode_id, monkeypatch)
    type_and_enter(qtbot, dialog.pin, WRONG)
    assert failures(services, staff["nurse"]) == 1
    assert dialog.result_value is None and "wrong PIN" in dialog.pin_error.text()
    assert fully_visible(dialog.pin_error)


def test_reset_pin_enter_sets_the_pin_once(qtbot, services, staff, session):
    session.sign_in(services.staff_member(staff["admin"]))
    before = len(audit.events(services.db, table_name="staff", row_id=staff["nurse"]))
    dialog = shown(qtbot, ResetPinDialog(session, services.staff_member(staff["nurse"])))
    qtbot.keyClicks(dialog.form.fields["pin"], "5678")
    qtbot.keyClicks(dialog.form.fields["pin_again"], "5678")
    qtbot.keyClick(dialog.form.fields["pin_again"], Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    events = audit.events(services.db, table_name="staff", row_id=staff["nurse"])
    assert [e.action for e in events[before:]] == ["set_pin"]
    assert services.authenticate(staff["nurse"], "5678").id == staff["nurse"]
