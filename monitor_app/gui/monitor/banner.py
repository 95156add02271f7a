"""A monitor's pending reading in the entry form: values filled, marked, never saved alone.

The banner fills HR, BP, SpO2, RR and temperature (only fields that are empty or still
hold the monitor's previous value: what the nurse typed stays), sets the time taken to
the reading's, and shows refused values next to their field. The observation is saved
with source "monitor" when every filled value was kept, "manual" when the nurse changed
one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from monitor_app.domain.models import ObservationSource
from monitor_app.gui.common.formatting import format_temp
from monitor_app.gui.common.widgets import ERROR_STYLE, set_handle

FILLED = ("hr", "bp", "spo2", "rr", "temp")


class PendingReadingBanner(QLabel):
    def __init__(self, session: Any, episode_id: int, fields: Any,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_handle(self, "monitor_reading", "Reading from the monitor")
        self.setWordWrap(True)
        self.session = session
        self.episode_id = episode_id
        self.fields = fields
        self.filled: dict[str, str] = {}
        self.pending: Any = None
        self.hide()
        feed = getattr(session, "monitor_feed", None)
        if feed is not None:
            feed.pending_changed.connect(self._on_feed_pending_changed)
        monitor = getattr(session.services, "monitor", None)
        if monitor is not None:
            self.show_pending(monitor.pending(episode_id))

    def show_pending(self, pending: Any) -> None:
        if pending is None:
            return
        self.pending = pending
        reading = pending.reading
        for key in FILLED:
            edit = self.fields.line(key)
            current = edit.text().strip()
            if current and current != self.filled.get(key):
                continue  # the nurse's own value stays
            text = pending.values.get(key, "")
            if key == "temp" and text and self.fields.temp_unit == "F":
                text = format_temp(float(text), "F")
            edit.setText(text)
            if text:
                self.filled[key] = text
            else:
                self.filled.pop(key, None)
        self.fields.set_taken_at(reading.taken_at, touched=True)
        for key, message in pending.refused.items():
            label = self.fields.errors.get(key)
            if label is not None:
                label.setText(f"⚠ monitor: {message}")
                label.setStyleSheet(ERROR_STYLE)
                label.show()
        when = reading.taken_at.astimezone().strftime("%H:%M:%S")
        refused = f"; refused: {', '.join(pending.refused)}" if pending.refused else ""
        self.setText(f"From monitor {reading.device}, {when}: check the values, add "
                     f"MOAA/S and dissociation, Enter saves{refused}")
        self.show()

    def source(self) -> ObservationSource:
        if self.filled and all(self.fields.line(k).text().strip() == v
                               for k, v in self.filled.items()):
            return ObservationSource.MONITOR
        return ObservationSource.MANUAL

    def after_save(self) -> None:
        if self.pending is not None:
            self.session.services.monitor.discard_pending(self.episode_id,
                                                          self.pending.reading)
        self.pending = None
        self.filled = {}
        self.clear()
        self.hide()

    def _on_feed_pending_changed(self, episode_id: int) -> None:
        if episode_id == self.episode_id:
            self.show_pending(self.session.services.monitor.pending(episode_id))
