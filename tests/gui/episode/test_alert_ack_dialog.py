"""The alert acknowledgement dialog asks what was done, with a note when the action
needs one, and refuses (keeping what was typed) until it is answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from monitor_app.domain.alert_response import AlertAction
from monitor_app.gui.episode.alert_ack_dialog import AlertAckDialog
from monitor_app.services.errors import StorageError
from monitor_app.storage.file_guard import moved_message

pytestmark = [pytest.mark.gui]


@pytest.fixture
def flagged(services, staff, episode_id) -> int:
    services.record_observation(staff["nurse"], episode_id, {
        "hr": "134", "bp": "186/96", "spo2": "97", "rr": "16", "moaas": "5",
        "dissociation": "0"})
    return episode_id


def dialog_for(qtbot, session, services, episode_id) -> AlertAckDialog:
    rows = services.episode_view(episode_id).current_rows
    dialog = AlertAckDialog(session, rows)
    qtbot.addWidget(dialog)
    return dialog


def test_the_dialog_lists_the_alerts_and_asks_what_was_done(qtbot, session, services,
                                                            flagged):
    dialog = dialog_for(qtbot, session, services, flagged)
    assert "HR 134" in dialog.findChild(QLabel, "ack_alert_list").text()
    assert [dialog.action.itemText(i) for i in range(dialog.action.count())] == [
        "choose…", "Rechecked", "Prescriber informed", "Treatment given", "Other"]
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "choose what was done" in dialog.errors["ack_action"].text()
    assert services.episode_view(flagged).current_rows[-1].unacknowledged


def test_other_without_a_note_is_refused_and_keeps_the_choice(qtbot, session, services,
                                                              flagged):
    dialog = dialog_for(qtbot, session, services, flagged)
    dialog.choose(AlertAction.OTHER)
    assert dialog.note.placeholderText() == "required: say what was done"
    assert not dialog.submit()
    assert "say what was done" in dialog.errors["ack_note"].text()
    assert dialog.action.currentData() == "other"
    assert services.episode_view(flagged).current_rows[-1].unacknowledged
    dialog.note.setText("patient repositioned, cuff resized")
    assert dialog.submit()
    row = services.episode_view(flagged).current_rows[-1]
    assert not row.unacknowledged
    assert row.responses_text == "Other: patient repositioned, cuff resized"


def test_prescriber_informed_needs_no_note(qtbot, session, services, flagged):
    dialog = dialog_for(qtbot, session, services, flagged)
    dialog.choose(AlertAction.PRESCRIBER_INFORMED)
    assert dialog.note.placeholderText() == "optional"
    assert dialog.submit()
    assert services.episode_view(flagged).current_rows[-1].responses_text == \
        "Prescriber informed"


def test_many_flagged_observations_scroll_inside_a_dialog_that_fits_800_px(
        qtbot, session, services, staff, clock, flagged):
    for _ in range(20):
        clock.advance(minutes=1)
        services.record_observation(staff["nurse"], flagged, {
            "hr": "134", "bp": "186/96", "spo2": "90", "rr": "26", "moaas": "3",
            "dissociation": "3"})
    dialog = dialog_for(qtbot, session, services, flagged)
    assert len(dialog.rows) == 21
    assert dialog.sizeHint().height() < 600


# what the nurse reads when the database file was moved away under the app
MOVED = moved_message(Path("/srv/clinic/ketamine-monitor/clinic.db"))


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the window grows; offscreen says so
def test_a_long_storage_error_is_said_whole_and_nothing_is_acknowledged(
        qtbot, session, services, flagged, monkeypatch):
    """The message wraps to several lines; the dialog grows to show all of them, as the
    override dialog does. Before, it did not grow: the message's last lines were cut off
    (and on a real display the alert list was squeezed to make room)."""
    dialog = dialog_for(qtbot, session, services, flagged)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.choose(AlertAction.RECHECKED)

    def moved(*args, **kwargs):
        raise StorageError(MOVED)

    monkeypatch.setattr(services, "acknowledge_alerts", moved)
    assert not dialog.submit()
    label = dialog.general_error
    assert label.text() == f"⚠ Not saved: {MOVED}"
    assert label.isVisible()
    assert label.height() >= label.heightForWidth(label.width())  # every line shown
    assert dialog.rect().contains(label.geometry())
    alerts = dialog.findChild(QLabel, "ack_alert_list")
    assert alerts.visibleRegion().boundingRect().height() >= alerts.heightForWidth(
        alerts.width())  # and every alert line still shown, none scrolled away
    monkeypatch.undo()
    assert services.episode_view(flagged).current_rows[-1].unacknowledged
