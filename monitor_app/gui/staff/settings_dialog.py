"""Clinic settings (administrators): what goes on the sheet, units, idle lock, folders."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.fitting import scroll_body
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import Form, line_edit, set_handle
from monitor_app.gui.staff.signing_settings import SigningRows
from monitor_app.services.views import ClinicSettings

TEXT_KEYS = ("clinic_name", "address", "phone", "archive_dir", "backup_dir", "timestamp_url",
             "fhir_export_dir", "fhir_system_uri", "documents_dir")
CHOICES = {
    "paper": (("A4", "A4"), ("Letter", "Letter")),
    "weight_unit": (("kg", "kilograms (kg)"), ("lb", "pounds (lb)")),
    "temp_unit": (("C", "degrees Celsius (°C)"), ("F", "degrees Fahrenheit (°F)")),
    "date_format": (("YMD", "year-month-day (1980-12-31)"), ("DMY", "day/month/year (31/12/1980)"),
                    ("MDY", "month/day/year (12/31/1980)")),
}


class FolderField(QWidget):
    """A folder path typed or chosen with Browse; the line edit carries the handle."""

    def __init__(self, key: str, label: str, placeholder: str) -> None:
        super().__init__()
        self.edit = line_edit(placeholder, 500)
        browse = set_handle(QPushButton("Browse…"), f"{key}_browse", f"Choose {label}")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.edit.accessibleName(),
                                                  self.edit.text())
        if folder:
            self.edit.setText(folder)


class SettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.current = session.services.settings()
        self.saved: ClinicSettings | None = None
        self.setWindowTitle("Clinic settings")
        self.resize(640, 0)
        f = self.form = Form()
        f.add("clinic_name", "Clinic name", line_edit(""))
        f.add("address", "Address", line_edit("printed on the discharge sheet"))
        f.add("phone", "Phone", line_edit("printed on the discharge sheet"))
        for key, label in (("paper", "Paper size"), ("weight_unit", "Weight in"),
                           ("temp_unit", "Temperature in"), ("date_format", "Dates as")):
            box = f.add(key, label, QComboBox())
            for value, text in CHOICES[key]:
                box.addItem(text, value)
        self.idle = f.add("idle_lock_min", "Lock after idle (minutes)", QSpinBox(),
                          hint="The screen locks after this many minutes without "
                               "keyboard or mouse use.")
        self.idle.setRange(1, 60)
        self.pin_attempts = f.add("pin_attempts", "Wrong PINs before lock", QSpinBox())
        self.pin_attempts.setRange(3, 10)
        self.pin_attempts.setToolTip("3 to 10; an administrator unlocks a locked account.")
        self.min_pin_length = f.add("min_pin_length", "Shortest PIN (digits)", QSpinBox())
        self.min_pin_length.setRange(4, 12)
        self.min_pin_length.setToolTip("New PINs need this many digits; a shorter PIN is "
                                       "changed at its next sign-in.")
        self.volume = f.add("alert_volume", "Alert sound volume", QSpinBox(),
                            hint="The chime when a chair turns due or overdue (0 = off; "
                                 "the taskbar alert still shows).")
        self.volume.setRange(0, 100)
        self.volume.setSuffix(" %")
        self.volume.setSpecialValueText("off")
        self.folders: dict[str, FolderField] = {}
        for key, label, placeholder, hint in (
                ("archive_dir", "Archive folder", "default: <data folder>/archive", ""),
                ("backup_dir", "Backup folder", "default: <data folder>/backups", ""),
                ("fhir_export_dir", "EHR export folder", "empty = off",
                 "Each signed episode's FHIR bundle is written here at signing."),
                ("documents_dir", "Save PDF folder", "default: each user's Documents",
                 "Where Save PDF opens first (then the folder saved to last).")):
            field = FolderField(key, label, placeholder)
            self.folders[key] = field
            f.add(key, label, field, field=field.edit, hint=hint)
        f.add("fhir_system_uri", "MRN system URI (FHIR)",
              line_edit(session.services.exports.mrn_system()),
              hint="Your EHR's identifier system for MRNs (urn:oid:… or https://…).")
        self.signing = SigningRows(f, session)
        self.general = f.add_error("general")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        set_handle(buttons.button(QDialogButtonBox.StandardButton.Save), "ok", "Save")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll_body(f), 1)  # taller than the screen: it scrolls
        layout.addWidget(buttons)
        self._load(self.current)

    def ask(self) -> ClinicSettings | None:
        return self.saved if self.exec() == QDialog.DialogCode.Accepted else None

    def _load(self, settings: ClinicSettings) -> None:
        for key in TEXT_KEYS:
            widget = self.form.fields[key]
            assert isinstance(widget, QLineEdit)
            widget.setText(getattr(settings, key))
        for key in CHOICES:
            box = self.form.fields[key]
            assert isinstance(box, QComboBox)
            box.setCurrentIndex(max(0, box.findData(getattr(settings, key))))
        self.idle.setValue(settings.idle_lock_min)
        self.pin_attempts.setValue(settings.pin_attempts)
        self.min_pin_length.setValue(settings.min_pin_length)
        self.volume.setValue(settings.alert_volume)

    def values(self) -> ClinicSettings:
        """The settings as typed; fields this dialog does not show are kept."""
        typed: dict[str, object] = {
            key: self.form.text(key)
            for key in TEXT_KEYS}
        for key in CHOICES:
            box = self.form.fields[key]
            assert isinstance(box, QComboBox)
            typed[key] = box.currentData()
        typed["idle_lock_min"] = self.idle.value()
        typed["pin_attempts"] = self.pin_attempts.value()
        typed["min_pin_length"] = self.min_pin_length.value()
        typed["alert_volume"] = self.volume.value()
        return replace(self.current, **typed)  # type: ignore[arg-type]

    def _on_ok_clicked(self) -> None:
        try:
            self.saved = self.session.services.save_settings(self.session.staff_id,
                                                             self.values())
        except ValidationError as exc:
            self.form.show_error(exc, self.general)
            return
        self.session.notify()
        self.accept()
