"""Dialogs that change a saved record: correct or void an observation, cancel an episode.

Each dialog does its services call in ``submit()`` (errors shown inline, the dialog stays
open) and exposes ``ask()``, which runs it modally; tests replace ``exec`` or call
``submit()`` directly.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.error_rows import ok_cancel
from monitor_app.gui.common.formatting import local_time
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import error_label, set_handle, show_inline
from monitor_app.gui.episode.observation_fields import ObservationFields
from monitor_app.services.errors import NotSignedIn
from monitor_app.services.views import EpisodeView, ObservationRow


def reason_edit(key: str, label: str) -> QLineEdit:
    edit = set_handle(QLineEdit(), key, label)
    edit.setPlaceholderText("required")
    return edit


class CorrectionDialog(QDialog):
    """Void a saved observation with a reason and record the corrected values."""

    def __init__(self, session: Session, row: ObservationRow, temp_unit: str = "C",
                 parent: QWidget | None = None, view: EpisodeView | None = None) -> None:
        super().__init__(parent)
        obs = row.observation
        self.session = session
        self.row = row
        self.result_row: ObservationRow | None = None
        self.setObjectName("correction_dialog")
        self.setWindowTitle(f"Correct the observation taken {local_time(obs.taken_at, True)}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "The saved observation is voided (it stays on the record, struck through) "
            "and the corrected values are recorded as a new observation."))
        layout.addWidget(QLabel("Reason for the correction"))
        self.reason = reason_edit("void_reason", "Reason for the correction")
        layout.addWidget(self.reason)
        self.reason_error = error_label("void_reason")
        layout.addWidget(self.reason_error)
        self.fields = ObservationFields(temp_unit, self)
        if view is not None:  # the protocol's scale ranges, checked while typing
            self.fields.set_scales(view.protocol.limits)
        self.fields.set_values(obs.vitals)
        self.fields.set_taken_at(obs.taken_at)
        layout.addWidget(self.fields)
        buttons, _ok = ok_cancel(self, "Void and record correction", "save_correction")
        buttons.accepted.connect(self._on_ok_clicked)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def submit(self) -> bool:
        self.reason_error.hide()
        self.fields.clear_errors()
        try:
            self.result_row = self.session.services.correct_observation(
                self.session.staff_id, self.row.observation.id, self.reason.text(),
                self.fields.raw_values(), self.fields.taken_at())
        except ValidationError as exc:
            if exc.field == "void_reason":
                show_inline(self.reason_error, exc.message)
                self.reason.setFocus()
            else:
                self.fields.show_error(exc.field, exc.message)
            return False
        except NotSignedIn as exc:
            show_inline(self.reason_error, f"{exc}: sign in first")
            return False
        self.accept()
        return True

    def ask(self) -> ObservationRow | None:
        if self.exec() == QDialog.DialogCode.Accepted:
            return self.result_row
        return None

    def _on_ok_clicked(self) -> None:
        self.submit()


class ReasonDialog(QDialog):
    """Ask for a required reason and run ``action(reason)``; its errors show inline."""

    def __init__(self, title: str, prompt: str, key: str, label: str,
                 action: Callable[[str], object], ok_text: str = "OK",
                 parent: QWidget | None = None, cancel_text: str = "Cancel") -> None:
        super().__init__(parent)
        self.setObjectName(f"{key}_dialog")
        self.setWindowTitle(title)
        self.action = action
        self.key = key
        layout = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addWidget(QLabel(label))
        self.reason = reason_edit(key, label)
        layout.addWidget(self.reason)
        self.error = error_label(key)
        layout.addWidget(self.error)
        buttons, _ok = ok_cancel(self, ok_text, f"{key}_ok")
        back = set_handle(buttons.button(QDialogButtonBox.StandardButton.Cancel),
                          f"{key}_back", cancel_text)
        back.setText(cancel_text)  # says what it keeps: "Keep episode", not "Cancel"
        buttons.accepted.connect(self._on_ok_clicked)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def submit(self) -> bool:
        self.error.hide()
        try:
            self.action(self.reason.text())
        except ValidationError as exc:
            show_inline(self.error, exc.message)
            return False
        except NotSignedIn as exc:
            show_inline(self.error, f"{exc}: sign in first")
            return False
        self.accept()
        return True

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted

    def _on_ok_clicked(self) -> None:
        self.submit()
