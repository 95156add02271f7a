"""What the nurse sees while typing an observation: a second Enter after a save is no
error, a scale value off the scale is said beside its field (never a keystroke that
silently vanishes), and "/" belongs to BP only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from monitor_app.domain.protocol import FieldLimits
from tests.helpers.gui import Keyboard, open_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def window(qtbot, session, episode_id):
    return open_window(qtbot, session, episode_id)


def field(window, key: str) -> QLineEdit:
    return window.findChild(QLineEdit, key)


def error(window, key: str) -> str:
    return window.form.fields.error_text(key)


def test_a_second_enter_right_after_a_save_is_no_error(window, qtbot, clock):
    clock.advance(minutes=2)
    keys = Keyboard(qtbot)
    keys.fields("88", "132/84", "97", "16", "5", "0")
    assert window.model.rowCount() == 2
    keys.press(Qt.Key.Key_Return)  # the form is empty now
    assert all(error(window, k) == "" for k in window.form.fields.errors)
    assert "enter at least one value" not in window.message.text()
    assert "Saved the observation" in window.message.text()
    assert window.model.rowCount() == 2
    keys.type("300")  # the form works as before: a refused value is said...
    keys.press(Qt.Key.Key_Return)
    assert error(window, "hr") == "⚠ heart rate 300 is outside 20 to 250"
    field(window, "hr").clear()  # ...and an empty form, not just saved, asks for one
    keys.press(Qt.Key.Key_Return)
    assert error(window, "hr") == "⚠ enter at least one value"


@pytest.mark.parametrize(("key", "typed", "says"), [
    ("moaas", "9", "MOAA/S is 0 to 5: 9 is not on the scale"),
    ("dissociation", "7", "Dissociation is 0 to 3: 7 is not on the scale"),
])
def test_a_scale_value_off_the_scale_is_said_beside_the_field(window, qtbot, key, typed,
                                                              says):
    edit = field(window, key)
    edit.setFocus()
    qtbot.keyClicks(edit, typed)
    assert edit.text() == typed  # the keystroke did not vanish
    assert error(window, key) == f"⚠ {says}"
    assert edit.hasFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, "3")
    assert error(window, key) == ""
    assert edit.placeholderText() == ("0-5" if key == "moaas" else "0-3")


def test_the_scale_ranges_come_from_the_protocol(window, qtbot, services, episode_id):
    limits = dict(services.episode_view(episode_id).protocol.limits)
    limits["dissociation"] = FieldLimits(plausible=(0, 4))  # a clinic's wider scale
    window.form.fields.set_scales(limits)
    edit = field(window, "dissociation")
    qtbot.keyClicks(edit, "4")
    assert error(window, "dissociation") == ""
    assert edit.placeholderText() == "0-4"
    edit.clear()
    qtbot.keyClicks(edit, "5")
    assert error(window, "dissociation") == "⚠ Dissociation is 0 to 4: 5 is not on the scale"


def test_a_slash_in_spo2_is_said_at_once_and_nothing_is_saved(window, qtbot):
    edit = field(window, "spo2")
    edit.setFocus()
    qtbot.keyClicks(edit, "97/")
    assert error(window, "spo2") == ("⚠ SpO2 takes one whole number: only BP is typed as "
                                     "systolic/diastolic")
    assert error(window, "bp") == ""
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.model.rowCount() == 1
    assert "SpO2" in error(window, "spo2")
    bp = field(window, "bp")
    bp.setFocus()
    qtbot.keyClicks(bp, "128/84")
    assert error(window, "bp") == ""


def test_two_mistyped_fields_show_one_message_at_a_time(window, qtbot):
    fields = window.form.fields
    qtbot.keyClicks(field(window, "spo2"), "97/")
    qtbot.keyClicks(field(window, "moaas"), "9")
    shown = [k for k in ("spo2", "moaas") if error(window, k)]
    assert shown == ["moaas"]  # the latest; the messages share one row
    assert field(window, "spo2").styleSheet() != ""  # still marked
    field(window, "moaas").clear()
    qtbot.keyClicks(field(window, "moaas"), "4")
    assert error(window, "moaas") == ""
    assert "SpO2 takes one whole number" in error(window, "spo2")  # the one left is said
    assert fields.error_text("dissociation") == ""
