"""The short log of monitor readings that reached no patient: from a device mapped to a
chair with no open episode, or from a device on the allowlist mapped to no chair.

Newest first, the last few since the station started (``MonitorUseCases.unattached``);
kept in memory only and never attached to anyone. It fills itself as readings arrive
while it is open, so the IT person can watch a gateway being set up.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.monitor_intake import MonitorReading
from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.gui.common.widgets import set_handle

HEADERS = ("Received", "Device", "Chair", "Values", "Attached to nobody because")
LABELS = {"hr": "HR", "bp": "BP", "spo2": "SpO2", "rr": "RR", "temp": "Temp"}


def values_text(reading: MonitorReading) -> str:
    order = [*LABELS, *sorted(reading.values.keys() - LABELS.keys())]
    parts = [f"{LABELS.get(k, k)} {reading.values[k]}" for k in order if k in reading.values]
    parts += [f"{LABELS.get(k, k)} refused" for k in reading.refused]
    return "  ".join(parts) or "—"


def reason_text(reading: MonitorReading) -> str:
    if not reading.chair:
        return "device not mapped to a chair"
    return f"no open episode in chair {reading.chair}"


def reading_row(reading: MonitorReading) -> tuple[str, str, str, str, str]:
    received = reading.received_at.astimezone().strftime("%H:%M:%S")
    return (received, reading.device, reading.chair or "—", values_text(reading),
            reason_text(reading))


class MonitorLogWindow(QWidget):
    def __init__(self, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.setWindowTitle("Monitor readings for no patient")
        set_handle(self, "monitor_log", "Monitor readings for no patient")
        intro = set_handle(QLabel(
            "Readings from bedside monitors that were attached to no patient: the chair "
            "has no open episode, or the device is not mapped to a chair. Newest first; "
            "the last 50 since the station started. Nothing here is in any record."),
            "monitor_log_intro", "About this log")
        intro.setWordWrap(True)
        self.table = set_handle(QTableWidget(0, len(HEADERS)), "monitor_log_readings",
                                "Readings for no patient")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # the values
        self.empty = set_handle(QLabel("No reading has gone unattached since the station "
                                       "started."), "monitor_log_empty", "No readings")
        close = set_handle(QPushButton("Close"), "monitor_log_close", "Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty)
        buttons.addStretch(1)
        buttons.addWidget(close)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        feed = getattr(session, "monitor_feed", None)
        if feed is not None:
            feed.unattached.connect(self._on_feed_unattached)
        self.refresh()
        fit_to_screen(self, 1100, 480)

    def refresh(self) -> None:
        readings = self.session.services.monitor.unattached()
        self.table.setRowCount(len(readings))
        for row, reading in enumerate(readings):
            for column, text in enumerate(reading_row(reading)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.empty.setVisible(not readings)

    def _on_feed_unattached(self, _reading: object) -> None:
        self.refresh()
