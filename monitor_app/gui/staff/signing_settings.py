"""Settings rows for the archived sheet's digital signature: the certificate in use,
importing one from a PKCS#12 file, and the optional RFC 3161 timestamp server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import Form, line_edit, set_handle


class ImportCertificateDialog(QDialog):
    """A .p12/.pfx file and its password. ``ask()`` returns the new certificate's
    description, or None."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.result_text: str | None = None
        self.setWindowTitle("Import the clinic's signing certificate")
        self.setMinimumWidth(560)
        intro = QLabel("Choose a PKCS#12 file (.p12 or .pfx) holding the clinic's private "
                       "key and certificate. The key is copied into the clinic's key file; "
                       "the sheets archived from now on are signed with it.")
        intro.setWordWrap(True)
        self.form = Form()
        row = QWidget()
        self.path = line_edit("/path/to/clinic.p12", 500)
        browse = set_handle(QPushButton("Browse…"), "p12_browse", "Choose the PKCS#12 file")
        browse.clicked.connect(self._on_browse_clicked)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.path, 1)
        layout.addWidget(browse)
        self.form.add("p12_path", "PKCS#12 file", row, field=self.path)
        self.password = self.form.add("p12_password", "Password",
                                      line_edit("the file's password", 200))
        self.password.setEchoMode(self.password.EchoMode.Password)
        self.general = self.form.add_error("general")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        set_handle(buttons.button(QDialogButtonBox.StandardButton.Ok), "ok", "Import")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addLayout(self.form)
        column.addWidget(buttons)

    def ask(self) -> str | None:
        return self.result_text if self.exec() == QDialog.DialogCode.Accepted else None

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "PKCS#12 file", self.path.text(),
                                              "PKCS#12 (*.p12 *.pfx);;All files (*)")
        if path:
            self.path.setText(path)

    def _on_ok_clicked(self) -> None:
        try:
            self.result_text = self.session.services.import_signing_certificate(
                self.session.staff_id, self.path.text().strip(), self.password.text())
        except ValidationError as exc:
            self.form.show_error(exc, self.general)
            return
        finally:
            self.password.clear()
        self.accept()


class SigningRows:
    """Adds the timestamp server and certificate rows to the settings form."""

    def __init__(self, form: Form, session: Session) -> None:
        self.session = session
        form.add("timestamp_url", "Timestamp server", line_edit("none (offline is normal)"),
                 hint="Optional RFC 3161 server; offline is normal.")
        row = QWidget()
        self.certificate = QLabel(session.services.signing_certificate())
        self.certificate.setToolTip(session.services.signing_fingerprint())
        button = set_handle(QPushButton("Import PKCS#12…"), "import_certificate",
                            "Import a signing certificate")
        button.clicked.connect(self._on_import_clicked)
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.certificate)
        layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignLeft)
        form.add("signing_certificate", "Sheets signed by", row, field=self.certificate)

    def _on_import_clicked(self) -> None:
        text = ImportCertificateDialog(self.session, self.certificate.window()).ask()
        if text:
            self.certificate.setText(text)
            self.certificate.setToolTip(self.session.services.signing_fingerprint())
