"""A PIN typed while another program holds the database says so next to the field.

Found by the attack pass: with a `sqlite3` shell holding `BEGIN EXCLUSIVE`, Enter at
sign-in raised out of the key filter (a traceback on stderr) and the same Enter then
reached the default button with the emptied field, so the nurse read "type your PIN"
under a PIN she had typed.
"""

from __future__ import annotations

import pytest

from monitor_app.gui.staff.staff import SignInDialog
from monitor_app.services.errors import DatabaseBusy
from tests.helpers.gui import NURSE_PIN, shown, type_and_enter
from tests.helpers.gui_discharge import (
    addendum_after_signing,
)

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

BUSY = ("clinic.db is in use by another program (database is locked). "
        "Wait a moment and try again.")


def busy(*args, **kwargs):
    raise DatabaseBusy(BUSY)


def test_sign_in_on_a_busy_database_says_the_database_is_in_use(
        qtbot, services, staff, monkeypatch):
    dialog = shown(qtbot, SignInDialog(services))
    box = dialog.panel.staff_box
    box.setCurrentIndex(box.findData(staff["nurse"]))
    real = services.authenticate
    monkeypatch.setattr(services, "authenticate", busy)
    type_and_enter(qtbot, dialog.pin, NURSE_PIN)
    assert "in use by another program" in dialog.panel.error_message
    assert "type your PIN" not in dialog.panel.error_message
    assert dialog.isVisible() and dialog.staff is None
    monkeypatch.setattr(services, "authenticate", real)
    type_and_enter(qtbot, dialog.pin, NURSE_PIN)  # once the lock is gone, the same PIN works
    assert dialog.staff is not None and dialog.staff.id == staff["nurse"]


def test_addendum_on_a_busy_database_keeps_the_text_and_says_why(
        qtbot, services, clock, staff, session, episode_id, monkeypatch):
    dialog = addendum_after_signing(qtbot, session, clock, episode_id, monkeypatch)
    monkeypatch.setattr(services, "add_addendum", busy)
    type_and_enter(qtbot, dialog.pin, NURSE_PIN)
    assert "in use by another program" in dialog.pin_error.text()
    assert dialog.isVisible() and dialog.result_value is None
    assert dialog.text.toPlainText() == "Phoned next day: well."
