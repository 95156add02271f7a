"""A refused staff name is said in full under the field (attack pass: the message for a
name already on the list was cut to one line, the rest hidden under the next field)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor_app.gui.staff.staff_admin import StaffEditDialog

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


def test_a_taken_name_is_refused_with_the_whole_message_visible(qtbot, services,
                                                                admin_session):
    dialog = StaffEditDialog(admin_session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    form = dialog.form
    qtbot.keyClicks(form.fields["name"], "nora  NURSE")
    qtbot.keyClicks(form.fields["credentials"], "RN")
    qtbot.keyClicks(form.fields["pin"], "5678")
    qtbot.keyClicks(form.fields["pin_again"], "5678")
    qtbot.keyClick(form.fields["pin_again"], Qt.Key.Key_Return)
    label = form.errors["name"]
    assert dialog.saved is None and dialog.isVisible()
    assert "Nora Nurse is already on the staff list" in label.text()
    assert label.isVisible() and label.height() >= label.heightForWidth(label.width())
    assert [m.name for m in services.staff()].count("Nora Nurse") == 1
