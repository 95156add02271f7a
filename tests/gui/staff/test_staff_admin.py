"""Administrators: staff (add, edit, deactivate, reset PIN, unlock) and clinic settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from monitor_app.domain.models import Role
from monitor_app.gui.board.main_window import MainWindow
from monitor_app.gui.common.session import Session
from monitor_app.gui.staff import staff_admin
from monitor_app.gui.staff.settings_dialog import SettingsDialog
from monitor_app.gui.staff.staff import SignInDialog
from monitor_app.gui.staff.staff_admin import StaffAdminDialog, StaffEditDialog
from tests.helpers.gui import ADMIN_PIN, NURSE_PIN

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def admin_dialog(qtbot, admin_session) -> StaffAdminDialog:
    d = StaffAdminDialog(admin_session)
    qtbot.addWidget(d)
    return d


def names_offered_at_sign_in(qtbot, services) -> list[str]:
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    box = dialog.panel.staff_box
    return [box.itemText(i) for i in range(box.count())]


def sign_in(qtbot, services, staff_id: int, pin: str) -> SignInDialog:
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    dialog.panel.select(staff_id)
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    return dialog


def row_status(dialog: StaffAdminDialog, name: str) -> str:
    model = dialog.model
    for row, member in enumerate(model.rows):
        if member.name == name:
            return model.index(row, staff_admin.COL_STATUS).data()
    raise AssertionError(f"{name} is not listed")


def test_admin_adds_a_nurse_who_can_then_sign_in(qtbot, admin_dialog, services, monkeypatch):
    def fill_and_save(self: StaffEditDialog):
        qtbot.addWidget(self)
        for key, text in (("name", "Tess Ng"), ("credentials", "RN"), ("pin", "5566"),
                          ("pin_again", "5566")):
            qtbot.keyClicks(self.findChild(QLineEdit, key), text)
        self.role.setCurrentIndex(self.role.findData(Role.NURSE.value))
        self._on_ok_clicked()
        return self.saved

    monkeypatch.setattr(StaffEditDialog, "ask", fill_and_save)
    admin_dialog.buttons["add_staff"].click()
    assert row_status(admin_dialog, "Tess Ng") == "active"
    new = admin_dialog.selected()
    assert new.name == "Tess Ng" and new.role == Role.NURSE

    signed = sign_in(qtbot, services, new.id, "5566")
    assert signed.result() == QDialog.DialogCode.Accepted
    assert signed.staff.name == "Tess Ng"


def test_adding_with_a_short_pin_is_refused_next_to_the_pin(qtbot, admin_session):
    dialog = StaffEditDialog(admin_session)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "name").setText("Tess Ng")
    dialog.findChild(QLineEdit, "pin").setText("12")
    dialog.findChild(QLineEdit, "pin_again").setText("12")
    dialog._on_ok_clicked()
    assert dialog.saved is None
    assert "4 to 12 digits" in dialog.form.errors["pin"].message
    assert dialog.findChild(QLineEdit, "name").text() == "Tess Ng"


def test_deactivated_staff_stay_listed_but_cannot_sign_in(qtbot, admin_dialog, services, staff):
    assert "Nora Nurse, RN" in names_offered_at_sign_in(qtbot, services)
    admin_dialog.select(staff["nurse"])
    assert admin_dialog.buttons["toggle_active"].text() == "Deactivate"
    admin_dialog.buttons["toggle_active"].click()

    assert row_status(admin_dialog, "Nora Nurse").startswith("inactive")  # never deleted
    assert "Nora Nurse, RN" not in names_offered_at_sign_in(qtbot, services)
    assert admin_dialog.buttons["toggle_active"].text() == "Reactivate"
    admin_dialog.buttons["toggle_active"].click()
    assert "Nora Nurse, RN" in names_offered_at_sign_in(qtbot, services)


def test_an_admin_cannot_deactivate_themself(admin_dialog, staff):
    admin_dialog.select(staff["admin"])
    admin_dialog.buttons["toggle_active"].click()
    assert "cannot deactivate" in admin_dialog.error.message
    assert row_status(admin_dialog, "Ada Admin") == "active"


def test_unlock_after_five_wrong_pins(qtbot, admin_dialog, services, staff):
    for _ in range(5):
        sign_in(qtbot, services, staff["nurse"], "0000")
    admin_dialog.refresh(staff["nurse"])
    assert "locked" in row_status(admin_dialog, "Nora Nurse")
    assert admin_dialog.buttons["unlock_staff"].isEnabled()
    admin_dialog.buttons["unlock_staff"].click()
    assert row_status(admin_dialog, "Nora Nurse") == "active"
    assert sign_in(qtbot, services, staff["nurse"], NURSE_PIN).staff is not None


def test_reset_pin(qtbot, admin_session, services, staff):
    member = services.staff_member(staff["nurse"])
    dialog = staff_admin.ResetPinDialog(admin_session, member)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "pin").setText("8080")
    dialog.findChild(QLineEdit, "pin_again").setText("8080")
    dialog._on_ok_clicked()
    assert dialog.done_ok
    assert sign_in(qtbot, services, staff["nurse"], "8080").staff is not None
    assert sign_in(qtbot, services, staff["nurse"], NURSE_PIN).staff is None


@pytest.mark.parametrize(("who", "sees_admin"), [("nurse", False), ("admin", True)])
def test_only_administrators_see_staff_and_settings(qtbot, services, staff, who, sees_admin):
    session = Session(services)
    session.sign_in(services.staff_member(staff[who]))
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.tick_timer.stop()
    for key in ("staff", "settings"):
        assert window.actions_by_key[key].isVisible() is sees_admin
    assert window.actions_by_key["new_episode"].isVisible()


def test_settings_are_saved_and_a_bad_folder_is_shown_next_to_it(qtbot, admin_session,
                                                                  services):
    dialog = SettingsDialog(admin_session)
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLineEdit, "clinic_name").text() == "Test Clinic"
    dialog.findChild(QLineEdit, "address").setText("1 River Rd")
    dialog.idle.setValue(5)
    weight = dialog.form.fields["weight_unit"]
    weight.setCurrentIndex(weight.findData("lb"))
    dialog.findChild(QLineEdit, "backup_dir").setText("relative/folder")
    dialog._on_ok_clicked()
    assert "full folder path" in dialog.form.errors["backup_dir"].message
    assert services.settings().idle_lock_min == 10  # nothing saved yet

    dialog.findChild(QLineEdit, "backup_dir").setText("")
    dialog._on_ok_clicked()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = services.settings()
    assert (saved.address, saved.idle_lock_min, saved.weight_unit) == ("1 River Rd", 5, "lb")


def test_idle_lock_follows_the_setting(qtbot, admin_session, services, staff, clock):
    from dataclasses import replace

    services.save_settings(staff["admin"], replace(services.settings(), idle_lock_min=3))
    window = MainWindow(admin_session)
    qtbot.addWidget(window)
    window.tick_timer.stop()
    clock.advance(minutes=3)
    assert window.check_idle()
    assert admin_session.locked
    window.lock_page.pin.setText(ADMIN_PIN)
    window.lock_page.panel.button.click()
    assert not admin_session.locked
