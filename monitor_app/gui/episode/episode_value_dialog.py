"""Correct the weight or the dose of an unsigned episode, with a reason. The old value
stays on the record (and in the audit log); the header then says "corrected"."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import Episode, ValidationError
from monitor_app.gui.common.formatting import typed_weight_kg, weight_text
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import FieldError, Form, line_edit, set_handle


class EpisodeValueDialog(QDialog):
    def __init__(self, session: Session, episode: Episode, weight_unit: str = "kg",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.episode = episode
        self.weight_unit = weight_unit
        self.corrected: Episode | None = None
        self.setObjectName("episode_value_dialog")
        self.setWindowTitle(f"Correct weight or dose · {episode.number}")
        layout = QVBoxLayout(self)
        intro = QLabel("The recorded value stays on the record with your reason; the "
                       "episode then uses the corrected one.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = self.form = Form()
        self.which = form.add("field", "Correct", QComboBox())
        self.which.addItem(f"Weight (now {self._weight_text(episode.weight_kg)})", "weight_kg")
        self.which.addItem(f"Dose (now {episode.dose_mg:g} mg)", "dose_mg")
        self.value = form.add("value", "Corrected value", line_edit("", 10))
        self.reason = form.add("correction_reason", "Reason", line_edit("required"))
        self.form.errors["weight"] = self.form.errors["dose"] = self.form.errors["value"]
        self.general = form.add_error("general")
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.ok = set_handle(buttons.addButton("Record correction",
                                               QDialogButtonBox.ButtonRole.AcceptRole),
                             "save_episode_correction", "Record correction")
        self.ok.setDefault(True)
        set_handle(buttons.addButton("Keep as recorded", QDialogButtonBox.ButtonRole.RejectRole),
                   "keep_episode_values", "Keep as recorded")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.which.currentIndexChanged.connect(self._on_which_changed)
        self._on_which_changed()
        self.setMinimumWidth(460)

    def _weight_text(self, kg: float) -> str:
        return weight_text(kg, self.weight_unit)

    def _on_which_changed(self, *_: object) -> None:
        weight = self.which.currentData() == "weight_kg"
        unit = self.weight_unit if weight else "mg"
        self.value.setPlaceholderText(unit)
        self.value.setAccessibleName(f"Corrected value ({unit})")

    def typed_value(self) -> float | str:
        text = self.value.text().strip()
        if self.which.currentData() != "weight_kg" or self.weight_unit != "lb":
            return text
        return typed_weight_kg(text, "lb")

    def submit(self) -> bool:
        self.form.clear_errors()
        try:
            self.corrected = self.session.services.correct_episode_value(
                self.session.staff_id, self.episode.id, self.which.currentData(),
                self.typed_value(), self.reason.text())
        except ValidationError as exc:
            for error in getattr(exc, "errors", (exc,)):
                label: FieldError = self.form.errors.get(error.field, self.general)
                label.show_message(error.message)
            return False
        self.accept()
        return True

    def ask(self) -> Episode | None:
        return self.corrected if self.exec() == QDialog.DialogCode.Accepted else None

    def _on_ok_clicked(self) -> None:
        self.submit()
