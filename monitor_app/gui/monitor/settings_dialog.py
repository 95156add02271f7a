"""Bedside monitors: on/off, where the station listens, which devices, which chair."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.pin_entry import fit_window
from monitor_app.gui.common.widgets import Form, line_edit, set_handle
from monitor_app.services.monitor import MonitorSettings, chairs_text, mapping_from_text


class MonitorSettingsDialog(QDialog):
    def __init__(self, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.saved: MonitorSettings | None = None
        self.setWindowTitle("Bedside monitors")
        self.resize(560, 0)
        f = self.form = Form()
        self.enabled = f.add("monitor_enabled", "Receive readings",
                             QCheckBox("listen for HL7 ORU^R01 over MLLP"),
                             hint="Off by default. Readings are never saved without the "
                                  "nurse: they fill the entry form of the chair's episode.")
        self.enabled.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        f.add("monitor_address", "Listen address", line_edit("127.0.0.1"),
              hint="127.0.0.1 = this computer only; the station's LAN address to let a "
                   "monitor gateway on the network reach it.")
        self.port = f.add("monitor_port", "Port", QSpinBox())
        self.port.setRange(1, 65535)
        f.add("monitor_allowlist", "Allowed devices", line_edit("MON-01, MON-02", 500),
              hint="Comma-separated ids (MSH-3, MSH-4 or OBX-18); anything else is refused.")
        self.chairs = f.add("monitor_chairs", "Device → chair", QPlainTextEdit(),
                            hint="One line per device or PV1-3 bed: MON-01 = 1. A device "
                                 "that sends less often: MON-02 = 2, 300 (seconds).")
        self.chairs.setPlaceholderText("MON-01 = 1\nBAY-2 = 2, 300")
        self.chairs.setFixedHeight(self.chairs.fontMetrics().lineSpacing() * 5 + 12)
        self.quiet = f.add("monitor_quiet", "Expected interval (s)", QSpinBox(),
                           hint="For devices without their own: a chair whose device is "
                                "quiet longer than this shows \"no signal\" on the board.")
        self.quiet.setRange(10, 3600)
        self.quiet.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.general = f.add_error("general")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        set_handle(buttons.button(QDialogButtonBox.StandardButton.Save), "ok", "Save")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(f)
        layout.addWidget(buttons)
        hint = self.findChild(QLabel, "monitor_quiet_hint")
        if hint is not None:  # the hint takes the row's width, not the spin box's
            hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._load(session.services.monitor.settings())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_window(self.general)  # the wrapped hints need their full height

    def ask(self) -> MonitorSettings | None:
        return self.saved if self.exec() == QDialog.DialogCode.Accepted else None

    def _load(self, s: MonitorSettings) -> None:
        self.enabled.setChecked(s.enabled)
        self.form.fields["monitor_address"].setText(s.address)  # type: ignore[attr-defined]
        self.port.setValue(s.port)
        self.form.fields["monitor_allowlist"].setText(  # type: ignore[attr-defined]
            ", ".join(s.allowlist))
        self.chairs.setPlainText(chairs_text(s.chairs, s.intervals))
        self.quiet.setValue(s.quiet_after_s)

    def values(self) -> MonitorSettings:
        chairs, intervals = mapping_from_text(self.chairs.toPlainText())
        return MonitorSettings(
            enabled=self.enabled.isChecked(), address=self.form.text("monitor_address"),
            port=self.port.value(),
            allowlist=tuple(d.strip() for d in self.form.text("monitor_allowlist").split(",")),
            chairs=chairs, quiet_after_s=self.quiet.value(), intervals=intervals)

    def _on_ok_clicked(self) -> None:
        try:
            self.saved = self.session.services.save_monitor_settings(
                self.session.staff_id, self.values())
        except ValidationError as exc:
            self.form.show_error(exc, self.general)
            return
        feed = getattr(self.session, "monitor_feed", None)
        if feed is not None:
            feed.start()
            if feed.problem:
                self.general.setText(feed.problem)
                self.general.show()
                return
        self.accept()
