"""Where to save a signed episode's FHIR bundle: a save dialog behind ``ask()``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget


class ExportFhirDialog(QFileDialog):
    """Asks for a file name; Qt's save dialog confirms before replacing a file."""

    def __init__(self, parent: QWidget | None, suggested_name: str) -> None:
        super().__init__(parent, "Export for EHR (FHIR R4 bundle)", suggested_name,
                         "FHIR bundle (*.json)")
        self.setObjectName("export_fhir_dialog")
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setDefaultSuffix("json")

    def ask(self) -> Path | None:
        if self.exec() != QDialog.DialogCode.Accepted or not self.selectedFiles():
            return None
        return Path(self.selectedFiles()[0])
