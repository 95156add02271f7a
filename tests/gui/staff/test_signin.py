"""First start, sign-in and PINs, and what the app says when it cannot start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from monitor_app.domain.models import Role
from monitor_app.gui import app as app_module
from monitor_app.gui.staff.staff import SetupDialog, SignInDialog
from tests.helpers.gui import NURSE_PIN

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


def fill(dialog, **values: str) -> None:
    for key, text in values.items():
        dialog.form.fields[key].setText(text)


def sign_in_dialog(qtbot, services, staff_id: int) -> SignInDialog:
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    box = dialog.panel.staff_box
    box.setCurrentIndex(box.findData(staff_id))
    return dialog


def type_pin(qtbot, dialog: SignInDialog, pin: str) -> None:
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)


def test_first_start_on_an_empty_database_asks_for_setup(qtbot, services, monkeypatch):
    asked = []
    monkeypatch.setattr(SetupDialog, "ask", lambda self: asked.append(self) or None)
    assert app_module.start_session(services) is None
    assert len(asked) == 1
    qtbot.addWidget(asked[0])


def test_setup_creates_the_administrator_and_signs_in(qtbot, services):
    assert services.needs_setup()
    dialog = SetupDialog(services)
    qtbot.addWidget(dialog)
    fill(dialog, clinic_name="Lakeside Clinic", name="Rosa Diaz", credentials="RN",
         pin="246810", pin_again="246810")
    dialog._on_ok_clicked()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.staff is not None and dialog.staff.role == Role.ADMIN
    assert not services.needs_setup()
    assert services.settings().clinic_name == "Lakeside Clinic"
    assert services.authenticate(dialog.staff.id, "246810").name == "Rosa Diaz"


def test_setup_with_two_different_pins_says_so_next_to_the_second(qtbot, services):
    dialog = SetupDialog(services)
    qtbot.addWidget(dialog)
    fill(dialog, clinic_name="Lakeside", name="Rosa Diaz", pin="246810", pin_again="246811")
    dialog._on_ok_clicked()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "differ" in dialog.form.errors["pin_again"].message
    assert dialog.form.fields["clinic_name"].text() == "Lakeside"  # kept
    assert services.needs_setup()


def test_sign_in_lists_active_staff_by_name(qtbot, services, staff):
    dialog = sign_in_dialog(qtbot, services, staff["nurse"])
    names = [dialog.panel.staff_box.itemText(i) for i in range(dialog.panel.staff_box.count())]
    assert names == ["Ada Admin, RN", "Max Prescriber, MD", "Nora Nurse, RN"]
    assert dialog.pin.echoMode() == dialog.pin.EchoMode.Password


def test_wrong_pin_shows_the_message_and_stays_signed_out(qtbot, services, staff):
    dialog = sign_in_dialog(qtbot, services, staff["nurse"])
    type_pin(qtbot, dialog, "9999")
    assert dialog.staff is None
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.panel.error_message == "wrong PIN (4 tries left)"
    assert dialog.pin.text() == ""  # cleared for the next try

    type_pin(qtbot, dialog, NURSE_PIN)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.staff.id == staff["nurse"]


def test_five_wrong_pins_lock_the_account(qtbot, services, staff):
    dialog = sign_in_dialog(qtbot, services, staff["nurse"])
    for _ in range(5):
        type_pin(qtbot, dialog, "9999")
    assert "locked" in dialog.panel.error_message
    type_pin(qtbot, dialog, NURSE_PIN)  # even the right PIN: an administrator must unlock
    assert dialog.staff is None
    assert "locked" in dialog.panel.error_message
    assert services.staff_member(staff["nurse"]).locked


def test_malformed_protocol_refuses_to_start_and_names_the_file(
        tmp_path, monkeypatch, qapp):
    folder = tmp_path / "protocols"
    folder.mkdir()
    bad = folder / "broken.toml"
    bad.write_text("[protocol]\nid = 'x'\n[schedule]\nafter_interval_min = -5\n")
    monkeypatch.setenv("MONITOR_APP_PROTOCOLS", str(folder))
    shown = []
    monkeypatch.setattr(app_module, "show_startup_error", lambda t, m: shown.append((t, m)))
    monkeypatch.setattr(app_module, "apply_style", lambda app: False)
    db = tmp_path / "clinic.db"
    assert app_module.run_gui(db) == app_module.EXIT_ERROR
    title, message = shown[0]
    assert "protocol" in title.lower()
    assert str(bad) in message and "Correct" in message
    assert not db.exists()  # nothing was created or touched


def test_damaged_database_refuses_to_start_and_is_left_as_it_was(
        tmp_path, monkeypatch, qapp):
    db = tmp_path / "clinic.db"
    garbage = b"this is not a database" * 100
    db.write_bytes(garbage)
    shown = []
    monkeypatch.setattr(app_module, "show_startup_error", lambda t, m: shown.append((t, m)))
    monkeypatch.setattr(app_module, "apply_style", lambda app: False)
    assert app_module.run_gui(db) == app_module.EXIT_ERROR
    title, message = shown[0]
    assert "database" in title.lower()
    assert str(db) in message and "backup" in message.lower()
    assert db.read_bytes() == garbage


def test_a_database_in_use_says_so_and_what_to_do(tmp_path, monkeypatch, qapp):
    from monitor_app.services import Services
    from monitor_app.storage.db import DatabaseBusy

    def busy(path, *args, **kwargs):
        raise DatabaseBusy(f"{path} is in use by another program (database is locked).")

    monkeypatch.setattr(Services, "open", busy)
    shown = []
    monkeypatch.setattr(app_module, "show_startup_error", lambda t, m: shown.append((t, m)))
    monkeypatch.setattr(app_module, "apply_style", lambda app: False)
    assert app_module.run_gui(tmp_path / "clinic.db") == app_module.EXIT_ERROR
    title, message = shown[0]
    assert "in use" in title and "Close the other program" in message


def test_the_style_sheet_loads_without_warnings(qtbot, qapp, session):
    from monitor_app import paths
    from monitor_app.gui.board.main_window import MainWindow

    before = qapp.styleSheet()
    try:
        assert app_module.apply_style(qapp, paths.resources_dir())
        window = MainWindow(session)  # polished under the sheet: a bad rule would warn
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.board.font().pointSize() >= 14  # readable across the room
    finally:
        qapp.setStyleSheet(before)
