"""Nobody's name is chosen for the nurse (attack pass: the sign-in and switch-nurse
lists opened on the first name, usually the administrator; a nurse who typed her own
PIN straight away spent one of the administrator's five tries, and a few such
mornings locked the clinic's only administrator out)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor_app.gui.common.session import Session
from monitor_app.gui.staff.lock_page import LockPage
from monitor_app.gui.staff.staff import SignInDialog
from tests.helpers.gui import NURSE_PIN

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


def failures(services) -> dict[str, int]:
    return {m.name: m.failed_attempts for m in services.staff()}


def test_a_pin_typed_before_choosing_a_name_counts_against_nobody(qtbot, services, staff):
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.panel.staff_box.currentIndex() == -1
    qtbot.keyClicks(dialog.pin, NURSE_PIN)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.panel.error_message == "choose your name first"
    assert set(failures(services).values()) == {0}
    assert dialog.staff is None


def test_switching_nurse_starts_with_no_name_chosen(qtbot, services, staff):
    session = Session(services)
    session.sign_in(services.staff_member(staff["nurse"]))
    page = LockPage(session)
    qtbot.addWidget(page)
    page.prepare(switching=True)
    assert page.staff_box.currentIndex() == -1
    page.prepare()  # locked: the nurse who was signed in is chosen for her
    assert page.staff_box.currentData() == staff["nurse"]


def test_from_the_keyboard_a_nurse_picks_her_name_then_types_her_pin(qtbot, services, staff):
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.panel.staff_box
    qtbot.waitUntil(box.hasFocus)
    qtbot.keyClicks(box, "No")  # Nora Nurse
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.pin, NURSE_PIN)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.staff is not None and dialog.staff.id == staff["nurse"]
