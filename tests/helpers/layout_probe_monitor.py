"""The layout probe's part for the bedside-monitor screens (see ``layout_probe.py``),
and a check of every screen's wrapped labels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)


def labels_cut(top: QWidget) -> list[str]:
    """Visible word-wrapped labels shorter than their text needs at their width."""
    return [label.objectName() or label.text()[:40] for label in top.findChildren(QLabel)
            if label.isVisible() and label.wordWrap() and label.text()
            and label.height() < label.heightForWidth(label.width())]


def probe_monitor_screens(probe: Any, window: Any) -> None:
    """The monitor settings, and the log of readings for no patient with one reading
    from an unmapped device and one for the empty chair 5."""
    from monitor_app.domain.monitor_intake import MonitorReading
    from monitor_app.gui.monitor.log_window import MonitorLogWindow
    from monitor_app.gui.monitor.settings_dialog import MonitorSettingsDialog

    settings = MonitorSettingsDialog(window.session, window)
    probe.both("monitor settings", settings)
    settings.close()
    values = {"hr": "78", "bp": "132/84", "spo2": "97", "rr": "15", "temp": "36.8"}
    for device, chair in (("MON-05", "5"), ("GATEWAY-ICU-BED-12-LONG-NAME", "")):
        window.services.monitor.route(MonitorReading("C1", device, chair, NOW, NOW, values))
    log = MonitorLogWindow(window.session, window)
    probe.both("monitor log", log)
    log.close()
