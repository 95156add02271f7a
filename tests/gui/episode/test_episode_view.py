"""One episode's window: keyboard entry into table and chart, alerts, corrections, phases."""

from __future__ import annotations

import sys
import types

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QWidget

from monitor_app.domain.alert_response import AlertAction
from monitor_app.gui.episode.ack_dialog import PrescriberAckDialog
from monitor_app.gui.episode.alert_ack_dialog import AlertAckDialog
from monitor_app.gui.episode.correction_dialog import CorrectionDialog, ReasonDialog
from monitor_app.gui.episode.episode_view import EpisodeWindow, open_episode_window
from monitor_app.gui.episode.table_models import ALERT_COLOUR, COL_BP, COL_HR, COL_NOTE
from tests.helpers.gui import FULL, MD_PIN, Keyboard, button, cell, fake_exec, open_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def window(qtbot, session, episode_id) -> EpisodeWindow:
    return open_window(qtbot, session, episode_id)








def test_full_observation_by_keyboard_alone_reaches_table_and_chart(window, qtbot, clock):
    clock.advance(minutes=5)
    window._on_timer_timeout()
    keys = Keyboard(qtbot)
    keys.fields("88", "132/84", "97", "16", "5", "0")
    assert keys.non_digits == 7  # "/" + five Tabs + Enter
    assert keys.non_digits <= 12
    assert window.model.rowCount() == 2
    assert [cell(window, 1, c) for c in (COL_HR, COL_BP)] == ["88", "132/84"]
    x, hr = window.plot.series("hr")
    assert hr == [76.0, 88.0]
    assert x[-1] == clock.now().timestamp()
    assert window.plot.series("sbp")[1] == [124.0, 132.0]
    assert window.plot.series("dbp")[1] == [78.0, 84.0]
    assert window.findChild(QLineEdit, "hr").hasFocus()


def test_chart_lines_come_from_the_protocol(window, services, episode_id):
    limits = services.episode_view(episode_id).protocol.limits
    lines = window.plot.limit_values()
    assert lines["HR ≥ 120"] == limits["hr"].flag_at_or_above
    assert lines["SBP ≥ 180"] == limits["sbp"].flag_at_or_above
    assert lines["SBP +40 from baseline"] == 124 + limits["sbp"].flag_rise_from_baseline
    assert sorted(line.value() for line in window.plot.baseline_lines) == [76, 78, 124]


def test_abnormal_value_saved_flagged_and_acknowledged(window, qtbot, services, episode_id,
                                                       staff, monkeypatch):
    Keyboard(qtbot).fields("134", "186/96", "97", "16", "5", "0")
    assert cell(window, 1, COL_HR) == "134 ▲"
    assert cell(window, 1, COL_HR, Qt.ItemDataRole.FontRole).bold()
    assert QColor(cell(window, 1, COL_HR, Qt.ItemDataRole.ForegroundRole).color()) == \
        ALERT_COLOUR
    assert "at or above 120" in cell(window, 1, COL_HR, Qt.ItemDataRole.ToolTipRole)
    assert window.banner.isVisible()
    assert "HR 134" in window.alert_list.text() and "SBP 186" in window.alert_list.text()
    seen = []

    def fill(dialog):
        seen.append(dialog)
        dialog.choose(AlertAction.RECHECKED)
        dialog.note.setText("manual cuff 150/90")
        dialog.submit()

    monkeypatch.setattr(AlertAckDialog, "exec", fake_exec(fill))
    qtbot.mouseClick(button(window, "acknowledge_alerts"), Qt.MouseButton.LeftButton)
    assert seen, "the acknowledgement dialog asks what was done"
    assert not window.banner.isVisible()
    row = services.episode_view(episode_id).rows[-1]
    assert not row.unacknowledged and "hr_high" in row.acknowledged
    assert "acknowledged by NN" in window.message.text()
    assert "Rechecked: manual cuff 150/90" in cell(window, 1, COL_NOTE)
    assert "Done (" in cell(window, 1, COL_HR, Qt.ItemDataRole.ToolTipRole)


def test_correction_leaves_the_voided_row_visible(window, qtbot, services, session,
                                                  episode_id, monkeypatch):
    window.table.selectRow(0)

    def correct(dialog: CorrectionDialog) -> None:
        assert dialog.fields.line("hr").text() == "76"  # prefilled
        assert not dialog.submit()  # no reason yet
        assert "reason" in dialog.reason_error.text()
        dialog.reason.setText("typed into the wrong chair")
        dialog.fields.line("hr").setText("67")
        assert dialog.submit()

    monkeypatch.setattr(CorrectionDialog, "exec", fake_exec(correct))
    qtbot.mouseClick(button(window, "correct_observation"), Qt.MouseButton.LeftButton)
    assert window.model.rowCount() == 2
    voided = next(r for r in range(2) if "VOIDED" in cell(window, r, COL_NOTE))
    fresh = 1 - voided
    assert cell(window, voided, COL_NOTE) == "VOIDED: typed into the wrong chair"
    assert cell(window, voided, COL_HR, Qt.ItemDataRole.FontRole).strikeOut()
    assert "Replaced by the correction" in cell(window, voided, COL_HR,
                                                 Qt.ItemDataRole.ToolTipRole)
    assert cell(window, fresh, COL_HR) == "67"
    assert "Corrects the voided" in cell(window, fresh, COL_HR, Qt.ItemDataRole.ToolTipRole)
    assert window.plot.series("hr")[1] == [67.0]  # the voided value is off the chart


def test_void_needs_a_reason(window, qtbot, monkeypatch):
    window.table.selectRow(0)

    def void(dialog: ReasonDialog) -> None:
        assert not dialog.submit()
        assert dialog.error.isVisibleTo(dialog)
        dialog.reason.setText("wrong patient")
        assert dialog.submit()

    monkeypatch.setattr(ReasonDialog, "exec", fake_exec(void))
    button(window, "void_observation").click()
    assert cell(window, 0, COL_NOTE) == "VOIDED: wrong patient"
    assert not button(window, "void_observation").isEnabled()


def test_start_dosing_refused_when_baseline_high_until_prescriber_acknowledges(
        qtbot, session, services, staff, episode_id, monkeypatch):
    services.record_observation(staff["nurse"], episode_id, {**FULL, "bp": "150/96"})
    window = open_window(qtbot, session, episode_id)
    assert "Pre-dose caution" in window.header.text("predose_caution")
    qtbot.mouseClick(button(window, "start_dosing"), Qt.MouseButton.LeftButton)
    assert "prescriber" in window.message.text()
    assert window.view.episode.phase == "pre-check"
    assert button(window, "predose_ack").isVisible()

    def acknowledge(dialog: PrescriberAckDialog) -> None:
        dialog.choose(staff["prescriber"])
        dialog.pin.setText("0000")
        assert not dialog.submit()
        assert "wrong PIN" in dialog.pin_error.text()
        dialog.pin.setText(MD_PIN)
        assert dialog.submit()

    monkeypatch.setattr(PrescriberAckDialog, "exec", fake_exec(acknowledge))
    button(window, "predose_ack").click()
    assert not button(window, "predose_ack").isVisible()
    qtbot.mouseClick(button(window, "start_dosing"), Qt.MouseButton.LeftButton)
    assert window.view.episode.phase == "dosing"
    assert window.plot.region.isVisible()
    assert not button(window, "start_dosing").isEnabled()
    assert button(window, "end_dosing").isEnabled()


def test_phases_schedule_and_discharge_hand_over(window, qtbot, clock, monkeypatch):
    status = window.findChild(QLabel, "schedule_status")
    button(window, "start_dosing").click()
    assert status.text().startswith("Next: during infusion +10 min")
    clock.advance(minutes=11)
    window._on_timer_timeout()
    assert "OVERDUE" in status.text() and status.property("state") == "overdue"
    button(window, "end_dosing").click()
    low, high = window.plot.region.getRegion()
    assert high - low == 11 * 60
    calls = []
    fake = types.ModuleType("monitor_app.gui.discharge.discharge_dialog")
    fake.open_discharge_dialog = lambda parent, session, eid: calls.append((parent, eid))
    monkeypatch.setitem(sys.modules, "monitor_app.gui.discharge.discharge_dialog", fake)
    assert button(window, "discharge").isEnabled()
    button(window, "discharge").click()
    assert calls == [(window, window.episode_id)]


def test_cancel_episode_needs_a_reason(window, monkeypatch):
    monkeypatch.setattr(ReasonDialog, "exec", fake_exec(
        lambda d: (d.reason.setText("patient unwell"), d.submit())))
    button(window, "cancel_episode").click()
    assert window.view.episode.phase == "cancelled"
    assert not window.form.isEnabled()
    assert not button(window, "start_dosing").isEnabled()


def test_refreshes_when_another_window_changes_the_episode(window, services, session, staff,
                                                           episode_id):
    services.record_observation(staff["nurse"], episode_id, {**FULL, "hr": "81"})
    session.notify(episode_id)
    assert window.model.rowCount() == 2
    assert window.plot.series("hr")[1][-1] == 81.0


def test_open_episode_window_reuses_an_open_window(qtbot, session, episode_id):
    first = open_episode_window(None, session, episode_id)
    first.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # qtbot deletes it
    qtbot.addWidget(first)
    assert open_episode_window(None, session, episode_id) is first
    first.close()
    second = open_episode_window(None, session, episode_id)
    second.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(second)
    assert second is not first


def test_correction_dialog_is_a_real_dialog(qtbot, session, services, episode_id):
    row = services.episode_view(episode_id).rows[0]
    dialog = CorrectionDialog(session, row)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, QDialog)
    assert dialog.findChild(QLineEdit, "void_reason") is dialog.reason


def test_header_and_stable_handles(window):
    assert "Jo O'Hara" in window.header.text("patient")
    assert "MRN-1" in window.header.text("patient")
    details = window.header.text("episode_details")
    assert "IV ketamine infusion" in details and "35 mg (0.50 mg/kg)" in details
    assert "PRE-CHECK" in window.header.text("phase")
    keys = ["taken_at", "hr", "bp", "spo2", "rr", "temp", "on_oxygen", "moaas",
            "dissociation", "side_effects", "note", "missing_reason", "save_observation",
            "observations", "trend_plot", "start_dosing", "end_dosing", "discharge"]
    for key in keys:
        widget = window.findChild(QWidget, key)
        assert widget is not None and widget.accessibleName(), key


def test_an_unusual_dose_is_flagged_in_the_header(qtbot, session, services, staff):
    from monitor_app.domain.models import Escort

    patient = services.add_patient(staff["nurse"], "MRN-9", "Al Dose", "1970-01-01")
    protocol = services.protocols["ketamine-iv"]
    episode = services.open_episode(staff["nurse"], patient.id, protocol.id, "2", 80, 36,
                                    Escort("Sam", "partner", "555"),
                                    {i.key: True for i in protocol.precheck})
    window = EpisodeWindow(session, episode.id)
    qtbot.addWidget(window)
    caution = window.findChild(QLabel, "dose_caution")
    assert not caution.isHidden()
    assert "0.45 mg/kg is outside the protocol's usual 0.5 to 1 mg/kg" in caution.text()


def test_a_usual_dose_raises_no_flag(window):
    assert window.findChild(QLabel, "dose_caution").isHidden()
