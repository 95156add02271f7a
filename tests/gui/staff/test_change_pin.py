"""A PIN shorter than the clinic's minimum is changed at sign-in, before the board opens;
a lost key file stops the app at start with what to do."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from monitor_app.gui import app as app_module
from monitor_app.gui.staff.change_pin_dialog import ChangePinDialog
from monitor_app.gui.staff.staff import SignInDialog
from tests.helpers.gui import NURSE_PIN

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


def sign_in(qtbot, services, staff_id: int, pin: str) -> SignInDialog:
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    box = dialog.panel.staff_box
    box.setCurrentIndex(box.findData(staff_id))
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    return dialog


@pytest.fixture
def minimum_six(services, staff):
    services.save_settings(staff["admin"], replace(services.settings(), min_pin_length=6))


def test_a_short_pin_asks_for_a_new_one_twice_before_signing_in(
        qtbot, services, staff, minimum_six, monkeypatch):
    asked = []

    def answer(dialog: ChangePinDialog) -> bool:
        asked.append(dialog)  # a child of the sign-in panel, closed with it
        dialog.pin.setText("1357")
        dialog.pin_again.setText("1357")
        dialog._on_ok_clicked()  # too short: refused next to the field
        assert "6 to 12 digits" in dialog.form.errors["new_pin"].message
        dialog.pin.setText("135790")
        dialog.pin_again.setText("135790")
        dialog._on_ok_clicked()
        return dialog.changed

    monkeypatch.setattr(ChangePinDialog, "ask", answer)
    dialog = sign_in(qtbot, services, staff["nurse"], NURSE_PIN)
    assert len(asked) == 1
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.staff.id == staff["nurse"]
    assert services.authenticate(staff["nurse"], "135790").id == staff["nurse"]


def test_closing_the_change_leaves_the_station_signed_out(
        qtbot, services, staff, minimum_six, monkeypatch):
    monkeypatch.setattr(ChangePinDialog, "ask", lambda self: False)
    dialog = sign_in(qtbot, services, staff["nurse"], NURSE_PIN)
    assert dialog.staff is None
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "new PIN" in dialog.panel.error_message


def test_a_pin_long_enough_signs_in_without_asking(qtbot, services, staff, monkeypatch):
    monkeypatch.setattr(ChangePinDialog, "ask", lambda self: pytest.fail("asked"))
    dialog = sign_in(qtbot, services, staff["nurse"], NURSE_PIN)  # minimum 4 here
    assert dialog.staff.id == staff["nurse"]


def test_a_lost_key_file_stops_the_app_and_says_to_restore_it(
        tmp_path, services, staff, monkeypatch, qapp):
    services.close()
    (tmp_path / "clinic.db.keys").unlink()
    shown = []
    monkeypatch.setattr(app_module, "show_startup_error", lambda t, m: shown.append((t, m)))
    monkeypatch.setattr(app_module, "apply_style", lambda app: False)
    assert app_module.run_gui(tmp_path / "clinic.db") == app_module.EXIT_ERROR
    title, message = shown[0]
    assert "key file" in title
    assert "Restore the key file" in message and "not in the backups" in message
    assert not (tmp_path / "clinic.db.keys").exists()
