"""The observation entry form: keyboard first, one Enter to save.

A full observation (HR, BP, SpO2, RR, MOAA/S, dissociation) costs 7 keystrokes beyond
its digits: the "/" of the BP, five Tabs and Enter (then Save). An Enter on the empty
form right after a save does nothing: the save is done and shown above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from monitor_app.domain.models import ValidationError
from monitor_app.domain.vital_fields import form_key
from monitor_app.gui.common.session import Session
from monitor_app.gui.episode.observation_fields import ObservationFields
from monitor_app.gui.monitor.banner import PendingReadingBanner
from monitor_app.services.errors import NotSignedIn, StorageError
from monitor_app.services.views import ObservationRow

if TYPE_CHECKING:
    from monitor_app.services import Services


class ObservationForm(QWidget):
    """Entry of one observation for an episode. ``saved`` carries the new row."""

    saved = Signal(object)  # ObservationRow

    def __init__(self, session: Session, episode_id: int, temp_unit: str = "C",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("observation_form")
        self.session = session
        self.episode_id = episode_id
        self._just_saved = False
        self.fields = ObservationFields(temp_unit, self)
        self.save_button = QPushButton("Save (Enter)")
        self.save_button.setObjectName("save_observation")
        self.save_button.setAccessibleName("Save observation")
        self.save_button.clicked.connect(self._on_save_observation_clicked)
        self.fields.add_trailing(self.save_button)
        QWidget.setTabOrder(self.fields.tab_chain[-1], self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.reset_time()
        self.monitor = PendingReadingBanner(session, episode_id, self.fields, self)
        layout.addWidget(self.monitor)
        layout.addWidget(self.fields)
        self.setFocusProxy(self.fields.line("hr"))

    # ---------------------------------------------------------------- API
    @property
    def services(self) -> Services:
        return self.session.services

    def focus_first(self) -> None:
        self.fields.line("hr").setFocus(Qt.FocusReason.OtherFocusReason)

    def reset_time(self) -> None:
        """Time taken back to "now" (the services' clock)."""
        self.fields.set_taken_at(self.services.clock.now())

    def tick(self) -> None:
        """Keep an untouched "time taken" showing now."""
        if not self.fields.taken_at_touched:
            self.reset_time()

    def set_enabled_for(self, writable: bool) -> None:
        self.setEnabled(writable)

    def save(self) -> ObservationRow | None:
        """Send the values to the services; returns the saved row, or None if refused
        (or when the form is still empty since the last save: a second Enter)."""
        if self._just_saved and self.fields.empty():
            return None
        self._just_saved = False
        self.fields.clear_errors()
        try:
            raw = self.fields.raw_values()
            row = self.services.record_observation(
                self.session.staff_id, self.episode_id, raw, self.fields.taken_at(),
                source=self.monitor.source())
        except ValidationError as exc:
            self._show_refusal(exc.field, exc.message, raw_temp_f=self._typed_f())
            return None
        except NotSignedIn as exc:
            self.fields.show_error("form", f"{exc}: sign in to record")
            return None
        except StorageError as exc:  # busy, disk full, read-only: nothing was saved
            self.fields.show_error("form", f"Not saved: {exc} Your values are kept: press "
                                   "Enter to try again.")
            return None
        self.fields.clear_values()
        self.monitor.after_save()
        self.reset_time()
        self.focus_first()
        self._just_saved = True
        self.saved.emit(row)
        return row

    def _typed_f(self) -> str:
        return self.fields.line("temp").text().strip() if self.fields.temp_unit == "F" else ""

    def _show_refusal(self, field: str, message: str, raw_temp_f: str = "") -> None:
        if form_key(field) == "temp" and raw_temp_f:
            message = f"{message} (you typed {raw_temp_f} °F)"
        self.fields.show_error(field, message)

    # ---------------------------------------------------------------- slots
    def _on_save_observation_clicked(self) -> None:
        self.save()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.save()
            return
        super().keyPressEvent(event)
