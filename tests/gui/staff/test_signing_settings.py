"""Settings: the PIN rules, the timestamp server and the clinic's signing certificate."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit

from monitor_app.gui.staff.settings_dialog import SettingsDialog
from monitor_app.gui.staff.signing_settings import ImportCertificateDialog
from monitor_app.storage import keyfile

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


def test_pin_rules_and_timestamp_server_are_saved_and_a_bad_address_is_refused(
        qtbot, admin_session, services):
    dialog = SettingsDialog(admin_session)
    qtbot.addWidget(dialog)
    assert "Test Clinic" in dialog.findChild(QLabel, "signing_certificate").text()
    dialog.pin_attempts.setValue(3)
    dialog.min_pin_length.setValue(8)
    dialog.findChild(QLineEdit, "timestamp_url").setText("tsa.example.org")
    dialog._on_ok_clicked()
    assert "http://" in dialog.form.errors["timestamp_url"].message
    assert services.settings().pin_attempts == 5  # nothing saved yet
    dialog.findChild(QLineEdit, "timestamp_url").setText("http://tsa.example.org/tsr")
    dialog._on_ok_clicked()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = services.settings()
    assert (saved.pin_attempts, saved.min_pin_length, saved.timestamp_url) == (
        3, 8, "http://tsa.example.org/tsr")


def test_a_pkcs12_file_is_imported_and_a_wrong_password_said_next_to_it(
        qtbot, admin_session, services, tmp_path):
    key_pem, cert_pem = keyfile.self_signed("Harbour Health", dt.datetime.now(dt.UTC))
    p12 = tmp_path / "harbour.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"harbour", serialization.load_pem_private_key(key_pem, None),  # type: ignore[arg-type]
        x509.load_pem_x509_certificate(cert_pem), None,
        serialization.BestAvailableEncryption(b"pw")))
    dialog = ImportCertificateDialog(admin_session)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(p12))
    dialog.password.setText("wrong")
    dialog._on_ok_clicked()
    assert "password is wrong" in dialog.form.errors["p12_password"].message
    assert dialog.password.text() == ""
    dialog.password.setText("pw")
    dialog._on_ok_clicked()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert "Harbour Health" in dialog.result_text
    assert "Harbour Health" in services.signing_certificate()
