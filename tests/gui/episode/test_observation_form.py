"""The entry form, driven from the keyboard through its stable handles."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QDateTimeEdit, QLineEdit, QPushButton

from monitor_app.gui.episode.episode_view import EpisodeWindow
from monitor_app.gui.episode.table_models import COL_NOTE, COL_TEMP, COL_TIME
from tests.helpers.gui import Keyboard, open_window

# The offscreen platform warns that it cannot size or raise a window: not the app's warning.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]






def field(window, key: str) -> QLineEdit:
    return window.findChild(QLineEdit, key)


def error(window, key: str) -> str:
    label = window.form.fields.errors[key]
    return label.text() if label.isVisible() else ""


@pytest.fixture
def window(qtbot, session, episode_id) -> EpisodeWindow:
    return open_window(qtbot, session, episode_id)


def test_tab_order_follows_the_clinical_order(window):
    order = []
    for _ in range(6):
        order.append(QApplication.focusWidget().objectName())
        window.focusNextChild()
    assert order == ["hr", "bp", "spo2", "rr", "moaas", "dissociation"]
    assert QApplication.focusWidget().objectName() == "temp"


def test_moaas_and_dissociation_off_the_scale_are_said_not_swallowed(window, qtbot):
    moaas, dissociation = field(window, "moaas"), field(window, "dissociation")
    qtbot.keyClicks(moaas, "7")
    assert moaas.text() == "7"
    assert "MOAA/S is 0 to 5" in window.form.fields.error_text("moaas")
    moaas.clear()
    qtbot.keyClicks(moaas, "4")
    assert moaas.text() == "4" and window.form.fields.error_text("moaas") == ""
    qtbot.keyClicks(dissociation, "4")
    qtbot.keyClick(dissociation, Qt.Key.Key_Return)  # a save names the field
    assert "dissociation 4 is outside 0 to 3" in error(window, "dissociation")
    assert window.model.rowCount() == 1


@pytest.mark.parametrize(("key", "bad", "words"), [
    ("bp", "80/120", "systolic must be higher"),
    ("hr", "400", "outside 20 to 250"),
])
def test_impossible_value_refused_next_to_its_field_others_kept(window, qtbot, key, bad,
                                                                words):
    typed = {"hr": "88", "bp": "130/80", "spo2": "97", "rr": "16", "moaas": "5",
             "dissociation": "0", "note": "feels fine", key: bad}
    for name, text in typed.items():
        qtbot.keyClicks(field(window, name), text)
    window.findChild(QCheckBox, "side_effect_nausea").setChecked(True)
    qtbot.keyClick(field(window, "rr"), Qt.Key.Key_Return)
    assert words in error(window, key)
    assert field(window, key).hasFocus()
    assert {name: field(window, name).text() for name in typed} == typed
    assert window.findChild(QCheckBox, "side_effect_nausea").isChecked()
    assert window.model.rowCount() == 1  # only the baseline


def test_partial_observation_needs_a_reason(window, qtbot, services, episode_id):
    keys = Keyboard(qtbot)
    keys.fields("92", "130/82")
    assert "say why" in error(window, "missing_reason")
    assert field(window, "missing_reason").hasFocus()
    keys.type("refused")
    keys.press(Qt.Key.Key_Return)
    latest = services.episode_view(episode_id).rows[-1].observation.vitals
    assert (latest.hr, latest.sbp, latest.spo2, latest.missing_reason) == (
        92, 130, None, "refused")
    assert "Missing: refused" in window.model.index(1, COL_NOTE).data()


def test_enter_saves_from_a_check_box_and_the_form_clears(window, qtbot, services,
                                                          episode_id):
    for name, text in {"hr": "80", "bp": "120/80", "spo2": "98", "rr": "12", "moaas": "5",
                       "dissociation": "1"}.items():
        qtbot.keyClicks(field(window, name), text)
    nausea = window.findChild(QCheckBox, "side_effect_nausea")
    qtbot.keyClick(nausea, Qt.Key.Key_Space)
    qtbot.keyClick(nausea, Qt.Key.Key_Return)
    saved = services.episode_view(episode_id).rows[-1].observation.vitals
    assert saved.side_effects == ("nausea",) and saved.dissociation == 1
    assert all(field(window, k).text() == "" for k in ("hr", "bp", "moaas"))
    assert not nausea.isChecked()
    assert field(window, "hr").hasFocus()


def test_late_entry_is_marked_late_with_both_times(window, qtbot, clock, services,
                                                   episode_id):
    clock.advance(minutes=20)
    window._on_timer_timeout()  # what the one-second timer does: "now" moves on
    taken = clock.now() - timedelta(minutes=12)
    window.form.fields.taken_at_edit.setDateTime(
        window.form.fields.taken_at_edit.dateTime().addSecs(-12 * 60))
    keys = Keyboard(qtbot)
    keys.fields("80", "120/80", "98", "12", "5", "0")
    row = max(services.episode_view(episode_id).rows, key=lambda r: r.observation.id)
    assert row.late and abs(row.observation.taken_at - taken) < timedelta(minutes=1)
    text = window.model.index(1, COL_TIME).data()
    tip = window.model.index(1, COL_TIME).data(Qt.ItemDataRole.ToolTipRole)
    assert text.endswith("late")
    assert "Taken" in tip and "entered" in tip
    # The next entry is "now" again.
    assert not window.form.fields.taken_at_touched


def test_time_in_the_future_refused_at_taken_at(window, qtbot):
    edit = window.findChild(QDateTimeEdit, "taken_at")
    edit.setDateTime(edit.dateTime().addSecs(3600))
    qtbot.keyClicks(field(window, "hr"), "80")
    qtbot.keyClick(field(window, "hr"), Qt.Key.Key_Return)
    assert "future" in error(window, "taken_at")
    assert field(window, "hr").text() == "80"


def test_a_clock_stepped_back_is_named_at_taken_at(window, qtbot, clock):
    clock.advance(hours=-3)  # the computer's clock was put back after the baseline
    window._on_timer_timeout()
    qtbot.keyClicks(field(window, "hr"), "80")
    qtbot.keyClick(field(window, "hr"), Qt.Key.Key_Return)
    shown = error(window, "taken_at")
    assert "clock seems to have gone back by about 3 h" in shown
    assert "Check the system clock and time zone" in shown
    assert field(window, "hr").text() == "80" and window.model.rowCount() == 1


def test_fahrenheit_clinic_types_and_sees_fahrenheit(qtbot, session, services, staff,
                                                     episode_id):
    services.save_settings(staff["admin"], replace(services.settings(), temp_unit="F"))
    window = open_window(qtbot, session, episode_id)
    for name, text in {"hr": "80", "bp": "120/80", "spo2": "98", "rr": "12", "moaas": "5",
                       "dissociation": "0", "temp": "98.6"}.items():
        qtbot.keyClicks(field(window, name), text)
    window.findChild(QPushButton, "save_observation").click()
    assert services.episode_view(episode_id).rows[-1].observation.vitals.temp_c == 37.0
    assert window.model.index(1, COL_TEMP).data() == "98.6"
    assert "°F" in window.model.headerData(COL_TEMP, Qt.Orientation.Horizontal)
    qtbot.keyClicks(field(window, "temp"), "120")
    qtbot.keyClicks(field(window, "hr"), "80")
    window.form.save()
    assert "you typed 120 °F" in error(window, "temp")


def test_a_busy_database_says_not_saved_and_keeps_every_value(window, qtbot, services,
                                                              monkeypatch):
    from monitor_app.storage.db import DatabaseBusy

    def busy(*args, **kwargs):
        raise DatabaseBusy("clinic.db is in use by another program (database is locked). "
                           "Wait a moment and try again.")

    typed = {"hr": "88", "bp": "130/80", "spo2": "97", "rr": "16", "moaas": "5",
             "dissociation": "0"}
    for name, text in typed.items():
        qtbot.keyClicks(field(window, name), text)
    real = services.record_observation
    monkeypatch.setattr(services, "record_observation", busy)
    qtbot.keyClick(field(window, "dissociation"), Qt.Key.Key_Return)
    message = window.form.fields.general_error.text()
    assert "Not saved" in message and "try again" in message
    assert {name: field(window, name).text() for name in typed} == typed
    monkeypatch.setattr(services, "record_observation", real)
    qtbot.keyClick(field(window, "dissociation"), Qt.Key.Key_Return)  # the retry saves
    assert window.model.rowCount() == 2
    assert field(window, "hr").text() == ""
