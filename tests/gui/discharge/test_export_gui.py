"""Export for EHR from the discharge dialog, and the two export settings."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from fhir.resources.R4B.bundle import Bundle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from monitor_app.gui.discharge.export_dialog import ExportFhirDialog
from monitor_app.gui.staff.settings_dialog import SettingsDialog
from tests.helpers.gui import NURSE_PIN
from tests.helpers.gui_discharge import answer_everything, open_dialog, pin_answers, to_discharge

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


def sign(qtbot, monkeypatch, services, clock, staff, session, episode_id):
    to_discharge(services, clock, staff["nurse"], episode_id)
    dialog = open_dialog(qtbot, session, episode_id)
    assert dialog.export_fhir.isHidden()  # nothing to export before the signature
    answer_everything(dialog)
    pin_answers(monkeypatch, NURSE_PIN)
    result = dialog.sign_discharge()
    assert result is not None
    return dialog, result


def test_export_for_ehr_saves_a_valid_bundle(qtbot, monkeypatch, services, clock, staff,
                                             session, episode_id, tmp_path):
    dialog, _ = sign(qtbot, monkeypatch, services, clock, staff, session, episode_id)
    assert not dialog.export_fhir.isHidden() and dialog.export_fhir.isEnabled()
    assert dialog.export_fhir.accessibleName() == "Export for EHR (FHIR bundle)"
    target = tmp_path / "out.fhir.json"
    suggested = []

    def ask(self):
        suggested.append(self.selectedFiles())
        return target

    monkeypatch.setattr(ExportFhirDialog, "ask", ask)
    qtbot.mouseClick(dialog.export_fhir, Qt.MouseButton.LeftButton)
    bundle = json.loads(target.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    assert str(target) in dialog.archive_problem.text()
    assert any("MRN-1_" in name for name in suggested[0])

    monkeypatch.setattr(ExportFhirDialog, "ask", lambda self: tmp_path / "none" / "x.json")
    qtbot.mouseClick(dialog.export_fhir, Qt.MouseButton.LeftButton)
    assert "does not exist" in dialog.message.text()


def test_export_folder_problem_is_shown_and_the_record_stays_signed(
        qtbot, monkeypatch, services, clock, staff, session, episode_id, tmp_path):
    blocker = tmp_path / "a-file"
    services.save_settings(staff["admin"], replace(services.settings(),
                                                   fhir_export_dir=str(blocker)))
    blocker.write_text("not a folder")  # the folder became a file after it was set
    dialog, result = sign(qtbot, monkeypatch, services, clock, staff, session, episode_id)
    assert services.episode_view(episode_id).signed
    assert result.export_problem
    assert "FHIR bundle could not be written" in dialog.archive_problem.text()
    assert not dialog.archive_problem.isHidden()


def test_settings_take_the_mrn_system_and_the_export_folder(qtbot, services, admin_session,
                                                            tmp_path):
    dialog = SettingsDialog(admin_session)
    qtbot.addWidget(dialog)
    uri = dialog.findChild(QLineEdit, "fhir_system_uri")
    folder = dialog.findChild(QLineEdit, "fhir_export_dir")
    assert uri.accessibleName() == "MRN system URI (FHIR)"
    assert uri.placeholderText() == "https://test-clinic.invalid/mrn"  # until set
    uri.setText("not a uri")
    dialog._on_ok_clicked()
    assert "absolute URI" in dialog.form.errors["fhir_system_uri"].message
    assert services.settings().fhir_system_uri == ""
    uri.setText("urn:oid:2.16.840.1.113883.19.5")
    folder.setText(str(tmp_path / "ehr"))
    dialog._on_ok_clicked()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = services.settings()
    assert saved.fhir_system_uri == "urn:oid:2.16.840.1.113883.19.5"
    assert saved.fhir_export_dir == str(tmp_path / "ehr")


def test_a_signed_episode_window_reopens_its_discharge_dialog(qtbot, monkeypatch, services,
                                                               clock, staff, session,
                                                               episode_id):
    from monitor_app.gui.discharge import discharge_dialog
    from monitor_app.gui.episode.episode_view import EpisodeWindow

    sign(qtbot, monkeypatch, services, clock, staff, session, episode_id)
    window = EpisodeWindow(session, episode_id)
    qtbot.addWidget(window)
    assert window.discharge.isEnabled()  # where Export for EHR and the addendum live
    opened = []

    def ask(self):
        opened.append((self.signed, self.export_fhir.isHidden(), self.sign.isHidden()))

    monkeypatch.setattr(discharge_dialog.DischargeDialog, "ask", ask)
    qtbot.mouseClick(window.discharge, Qt.MouseButton.LeftButton)
    assert opened == [(True, False, True)]
