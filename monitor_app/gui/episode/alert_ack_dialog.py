"""Acknowledge the episode's alerts and say what was done about them
(``services.acknowledge_alerts``): rechecked, prescriber informed, treatment given or
other, with a note (required for treatment given and other)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.alert_response import ACTION_LABELS, NOTE_REQUIRED, AlertAction
from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.error_rows import ErrorRows, ok_cancel
from monitor_app.gui.common.formatting import local_time
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import set_handle
from monitor_app.services.errors import StorageError
from monitor_app.services.views import ObservationRow

MAX_LIST_HEIGHT = 220  # pixels of alert lines before the list scrolls


class AlertAckDialog(QDialog):
    """``ask()`` -> True when the alerts were acknowledged; ``submit()`` does the calls."""

    def __init__(self, session: Session, rows: Sequence[ObservationRow],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows = [r for r in rows if r.unacknowledged]
        self.setObjectName("alert_ack_dialog")
        self.setWindowTitle("Acknowledge alerts")
        lines = [f"{local_time(r.observation.taken_at)}  "
                 + "; ".join(a.message for a in r.unacknowledged) for r in self.rows]
        alerts = set_handle(QLabel("⚠ " + "\n⚠ ".join(lines), self), "ack_alert_list",
                            "Alerts to acknowledge")
        alerts.setWordWrap(True)
        listing = QScrollArea(self)  # many flagged rows scroll; the dialog fits the screen
        listing.setWidget(alerts)
        listing.setWidgetResizable(True)
        listing.setFrameShape(QScrollArea.Shape.NoFrame)
        listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        listing.setMaximumHeight(MAX_LIST_HEIGHT)
        listing.setMinimumHeight(min(MAX_LIST_HEIGHT, alerts.sizeHint().height()))
        self.form = ErrorRows("ack")
        self.errors = self.form.errors
        self.general_error = self.form.general_error
        self.action = self.form.add("ack_action", "What was done:", set_handle(
            QComboBox(self), "ack_action", "What was done"))
        self.action.addItem("choose…", "")
        for action, label in ACTION_LABELS.items():
            self.action.addItem(label, action.value)
        self.action.currentIndexChanged.connect(self._on_action_changed)
        self.note = self.form.add("ack_note", "Note:", set_handle(
            QLineEdit(self), "ack_note", "Note on what was done"))
        buttons, self.ok = ok_cancel(self, "Acknowledge", "confirm_acknowledge")
        buttons.accepted.connect(self._on_ok_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(listing)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self._on_action_changed()
        self.setMinimumWidth(520)
        self.action.setFocus()

    def choose(self, action: AlertAction) -> None:
        self.action.setCurrentIndex(max(0, self.action.findData(action.value)))

    def submit(self) -> bool:
        """Acknowledge every pending alert with the answer; on a refusal say why, stay open."""
        self.form.hide_errors()
        action, note = self.action.currentData() or "", self.note.text()
        try:
            for row in self.rows:
                self.session.services.acknowledge_alerts(
                    self.session.staff_id, row.observation.id,
                    [a.code for a in row.unacknowledged], action, note)
        except ValidationError as exc:
            self.form.show_error(exc, self.action)
            return False
        except StorageError as exc:
            self.form.show_general(f"Not saved: {exc}")
            return False
        self.accept()
        return True

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted

    def _on_action_changed(self, *_args: object) -> None:
        value = self.action.currentData() or ""
        needed = NOTE_REQUIRED.get(AlertAction(value)) if value else None
        self.note.setPlaceholderText(f"required: {needed}" if needed else "optional")

    def _on_ok_clicked(self) -> None:
        self.submit()
