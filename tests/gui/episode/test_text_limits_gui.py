"""The screens take their text bounds from the domain's text rule: a field holds at most
what the use case behind it accepts, and the use case refuses one character more."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit

from monitor_app.domain.models import ValidationError
from monitor_app.domain.text import text_limit
from monitor_app.gui.episode.alert_ack_dialog import AlertAckDialog
from monitor_app.gui.episode.correction_dialog import ReasonDialog
from tests.helpers.gui import open_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


def test_the_observation_note_holds_what_the_service_accepts(qtbot, session, services,
                                                             staff, episode_id):
    window = open_window(qtbot, session, episode_id)
    note = window.findChild(QLineEdit, "note")
    limit = text_limit("note")
    assert note.maxLength() == limit
    note.setText("n" * (limit + 50))  # a paste: the field keeps the bound
    window.findChild(QLineEdit, "hr").setText("80")
    window.findChild(QLineEdit, "missing_reason").setText("quick check")
    row = window.form.save()
    assert row is not None and len(row.observation.vitals.note) == limit
    with pytest.raises(ValidationError, match=f"at most {limit}"):
        services.record_observation(staff["nurse"], episode_id,
                                    {"hr": "80", "missing_reason": "x",
                                     "note": "n" * (limit + 1)})


def test_a_void_reason_holds_what_the_service_accepts(qtbot, session, services, staff,
                                                      episode_id):
    row = services.episode_view(episode_id).rows[0]
    dialog = ReasonDialog("Void observation", "Void?", "void_reason", "Reason for voiding",
                          lambda reason: services.void_observation(
                              staff["nurse"], row.observation.id, reason), "Void")
    qtbot.addWidget(dialog)
    limit = text_limit("void_reason")
    assert dialog.reason.maxLength() == limit
    with pytest.raises(ValidationError, match=f"at most {limit}"):
        services.void_observation(staff["nurse"], row.observation.id, "r" * (limit + 1))
    dialog.reason.setText("r" * (limit + 1))
    assert dialog.submit()  # the field kept the bound, so the service took it
    assert services.episode_view(episode_id).rows[0].observation.void_reason == "r" * limit


def test_an_alert_note_holds_what_the_service_accepts(qtbot, session, services, staff,
                                                      episode_id):
    services.record_observation(staff["nurse"], episode_id, {
        "hr": "134", "bp": "124/78", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"})
    pending = [r for r in services.episode_view(episode_id).current_rows if r.unacknowledged]
    dialog = AlertAckDialog(session, pending)
    qtbot.addWidget(dialog)
    assert dialog.note.maxLength() == text_limit("ack_note")


def test_every_text_field_of_the_new_episode_form_holds_the_rules_bound(qtbot, session):
    from monitor_app.domain.text import TEXT_LIMITS
    from monitor_app.gui.episode.new_episode import NewEpisodeDialog

    dialog = NewEpisodeDialog(session)
    qtbot.addWidget(dialog)
    bounded = {edit.objectName(): edit.maxLength() for edit in dialog.findChildren(QLineEdit)
               if edit.objectName() in TEXT_LIMITS}
    assert {"mrn", "patient_name", "chair", "escort_name", "escort_phone"} <= set(bounded)
    assert bounded == {key: text_limit(key) for key in bounded}
