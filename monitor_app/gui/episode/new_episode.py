"""New episode (Ctrl+N): find or add the patient (``patient_picker``), choose protocol and
chair, enter weight, dose and escort, and answer the protocol's pre-check questions.

Every check is the services'; each refused value is shown next to its field at once
(objectName == the ValidationError's key), every field keeps what was typed, and a
field's message goes as soon as it is changed. The dialog grows to fit the messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TypedDict

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import Episode, Escort, ValidationError
from monitor_app.domain.protocol import Protocol
from monitor_app.gui.common.fitting import scroll_body
from monitor_app.gui.common.formatting import typed_weight_kg, weight_number
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import (
    FieldError,
    Form,
    clear_field_errors,
    line_edit,
    set_handle,
)
from monitor_app.gui.episode.entry_fields import (
    DateOfBirthEdit,
    DoseField,
    dose_hint_text,
)
from monitor_app.gui.episode.patient_picker import PatientPicker
from monitor_app.gui.episode.previous_offers import PreviousOffers
from monitor_app.services.errors import StorageError
from monitor_app.services.views import ClinicSettings


class _Treatment(TypedDict):
    """What both ways of opening an episode take after the patient."""

    protocol_id: str
    chair: str
    weight_kg: float | str
    dose_mg: float | str
    escort: Escort
    precheck: Mapping[str, object]
    lot_number: str
    dose_reason: str


class NewEpisodeDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.services = session.services
        self.settings: ClinicSettings = self.services.settings()
        self.episode: Episode | None = None
        self.precheck_boxes: dict[str, QCheckBox] = {}
        self.setWindowTitle("New episode")
        self.fields: dict[str, QWidget] = {}
        self.previous = PreviousOffers(self.fields, self._weight_text,
                                       self.settings.weight_unit)
        self.errors: dict[str, FieldError] = {}
        # Columns of boxes, not a grid with a spanning cell: a grid shares the height of
        # a spanning box badly and squeezed the fields beside it below their minimum.
        left, right, columns = QVBoxLayout(), QVBoxLayout(), QHBoxLayout()
        self.patient = PatientPicker(self.services, self.settings)
        self.fields.update(self.patient.fields)
        self.errors.update(self.patient.errors)
        self.search, self.results = self.patient.search, self.patient.results
        self.new_patient, self.dob, self.sex = (self.patient.new_patient, self.patient.dob,
                                                self.patient.sex)
        self.patient.chosen.connect(self._offer_previous)
        left.addWidget(self.patient)
        left.addStretch(1)
        right.addWidget(self._treatment_group())
        right.addWidget(self._escort_group())
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.general = FieldError("general")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = set_handle(buttons.button(QDialogButtonBox.StandardButton.Ok), "ok",
                             "Open episode")
        self.ok.setText("Open episode")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # Never smaller than what the fields and their messages need: it grows instead,
        # and past the screen's height the fields scroll with the buttons kept in view.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        body = QVBoxLayout()
        body.addLayout(columns)
        body.addWidget(self._precheck_group())
        layout.addWidget(scroll_body(body), 1)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        self._clear_on_change()
        self.previous.watch()
        self._on_protocol_changed()
        self.resize(960, 0)  # wide: messages wrap less, so the form stays short
        self.search.setFocus()

    # ------------------------------------------------------------------ building
    def _group(self, title: str, form: Form) -> QGroupBox:
        box = QGroupBox(title)
        box.setLayout(form)
        self.fields.update(form.fields)
        self.errors.update(form.errors)
        return box

    def _treatment_group(self) -> QGroupBox:
        form = Form()
        self.protocol = form.add("protocol", "Protocol", QComboBox())
        self.protocol.addItem("— choose —", "")
        for protocol in self.services.protocols.values():
            self.protocol.addItem(protocol.name, protocol.id)
        if len(self.services.protocols) == 1:
            self.protocol.setCurrentIndex(1)
        form.add("chair", "Chair or bay", line_edit("e.g. 3", 20))
        unit = self.settings.weight_unit
        self.weight = form.add("weight", f"Weight ({unit})", line_edit(unit, 10), hint=" ")
        form.addRow("", self.previous.weight_button)
        self.dose = DoseField()
        form.add("dose", "Dose (mg)", self.dose, hint=" ", field=self.dose.edit)
        self.fields["dose_choice"] = self.dose.choice
        self.dose_reason = form.add("dose_reason", "Reason for this dose",
                                    line_edit("required for a dose other than the "
                                              "protocol's", 200))
        self.lot = form.add("lot_number", "Lot number", line_edit("optional", 40))
        self.treatment_form = form
        self.protocol.currentIndexChanged.connect(self._on_protocol_changed)
        self.weight.textChanged.connect(self._on_weight_changed)
        self.dose.changed.connect(self._on_dose_changed)
        return self._group("Treatment", form)

    def _escort_group(self) -> QGroupBox:
        form = Form()
        form.add("escort_name", "Escort's name", line_edit("drives the patient home", 120))
        form.add("escort_relationship", "Relationship", line_edit("partner, friend...", 60))
        form.add("escort_phone", "Escort's phone", line_edit("phone number", 40))
        form.addRow("", self.previous.escort_button)
        return self._group("Escort", form)

    def _precheck_group(self) -> QGroupBox:
        self.precheck = set_handle(QGroupBox("Pre-check"), "precheck", "Pre-check")
        layout = QVBoxLayout(self.precheck)
        self.precheck_note = QLabel()
        self.precheck_note.setWordWrap(True)
        layout.addWidget(self.precheck_note)
        # One column: the labels cannot wrap, and two columns of them are wider than a
        # 1280 px screen at the station's font; the form scrolls instead when it is tall.
        self.precheck_layout = QVBoxLayout()
        layout.addLayout(self.precheck_layout)
        self.errors["precheck"] = FieldError("precheck")
        layout.addWidget(self.errors["precheck"])
        return self.precheck

    def _clear_on_change(self) -> None:
        """A field's message goes as soon as the nurse changes that field."""
        for key, widget in self.fields.items():
            target = "dose" if key == "dose_choice" else key
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda *_, k=target: self._clear(k))
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda *_, k=target: self._clear(k))
            elif isinstance(widget, DateOfBirthEdit):
                widget.dateChanged.connect(lambda *_, k=target: self._clear(k))
        self.results.currentItemChanged.connect(lambda *_: self._clear("patient"))
        self.new_patient.toggled.connect(lambda *_: self._clear("patient"))

    def _clear(self, key: str) -> None:
        if key in self.errors:
            self.errors[key].clear()

    # ------------------------------------------------------------------ reactions
    def _offer_previous(self, patient_id: int | None) -> None:
        """Offer weight and escort from the patient's last session, each to confirm."""
        self.previous.offer_from(self.services.previous_episode(patient_id)
                                 if patient_id else None)

    def _weight_text(self, kg: float) -> str:
        return weight_number(kg, self.settings.weight_unit)

    def current_protocol(self) -> Protocol | None:
        return self.services.protocols.get(self.protocol.currentData() or "")

    def _on_protocol_changed(self, *_: object) -> None:
        for box in self.precheck_boxes.values():
            self.precheck_layout.removeWidget(box)
            box.deleteLater()
        self.precheck_boxes.clear()
        protocol = self.current_protocol()
        self.precheck_note.setText("Confirm each item before opening the episode."
                                   if protocol else "Choose a protocol to see its pre-check.")
        if protocol is not None:
            for item in protocol.precheck:
                box = set_handle(QCheckBox(item.label), item.key, item.label)
                box.toggled.connect(lambda *_: self._clear("precheck"))
                self.precheck_layout.addWidget(box)
                self.precheck_boxes[item.key] = box
        self.dose.set_protocol(protocol)
        needs_lot = protocol is not None and protocol.requires_lot_number
        self.lot.setPlaceholderText("required (REMS form)" if needs_lot else "optional")
        self._on_weight_changed()

    def _on_dose_changed(self) -> None:
        if (box := self.dose_reason.parentWidget()) is not None:
            self.treatment_form.setRowVisible(box, self.dose.other())
        self._on_weight_changed()

    def _on_weight_changed(self, *_: object) -> None:
        protocol = self.current_protocol()
        dose_hint = self.findChild(QLabel, "dose_hint")
        weight_hint = self.findChild(QLabel, "weight_hint")
        if dose_hint is None or weight_hint is None:
            return
        weight_hint.setText("optional: fixed doses do not depend on weight"
                            if protocol is not None and protocol.fixed_dose else "")
        weight_hint.setVisible(bool(weight_hint.text()))
        dose_hint.setText(dose_hint_text(protocol, self._weight_kg(), self.dose.other()))
        dose_hint.setVisible(bool(dose_hint.text()))

    # ------------------------------------------------------------------ values
    def _line(self, key: str) -> QLineEdit:
        widget = self.fields[key]
        assert isinstance(widget, QLineEdit)
        return widget

    def _text(self, key: str) -> str:
        return self._line(key).text()

    def _weight_kg(self) -> float | str:
        """The typed weight in kg (converted from lb if the clinic uses lb); the raw
        text when it is not a number, so the services explain what is wrong."""
        text = self.weight.text().strip()
        return typed_weight_kg(text, self.settings.weight_unit)

    def selected_patient_id(self) -> int | None:
        return self.patient.selected_patient_id()

    def precheck_answers(self) -> dict[str, bool]:
        return {key: box.isChecked() for key, box in self.precheck_boxes.items()}

    def date_of_birth(self) -> date | str:
        return self.patient.date_of_birth()

    # ------------------------------------------------------------------ saving
    def ask(self) -> Episode | None:
        return self.episode if self.exec() == QDialog.DialogCode.Accepted else None

    def show_error(self, exc: ValidationError) -> None:
        """Every refused field's message next to it; focus goes to the first."""
        clear_field_errors(self.errors)
        self.general.clear()
        first: QWidget | None = None
        for error in getattr(exc, "errors", (exc,)):
            message = error.message
            if error.field == "weight" and self.settings.weight_unit == "lb":
                kg = self._weight_kg()
                if isinstance(kg, float):
                    message += f" ({self.weight.text().strip()} lb is {kg:.1f} kg)"
            label = self.errors.get(error.field, self.general)
            label.show_message(message if label is not self.general or not error.field
                               else f"{error.field}: {message}")
            widget = self._focus_target(error.field)
            if first is None and widget is not None:
                first = widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, self.fit_messages)  # once the messages are laid out

    def fit_messages(self) -> None:
        """Grow to the height the wrapped messages need at this width: the minimum size
        alone does not count wrapped lines, and the fields would be squeezed instead."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        need = max(layout.totalMinimumSize().height(),
                   layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                   else 0)
        if self.height() < need:
            self.resize(self.width(), need)

    def _focus_target(self, key: str) -> QWidget | None:
        if key == "dose" and self.dose.fixed and not self.dose.other():
            return self.dose.choice
        widget = self.fields.get(key)
        return widget if widget is not None and widget.isVisibleTo(self) else None

    def _on_ok_clicked(self) -> None:
        actor = self.session.staff_id
        protocol_id = self.protocol.currentData() or ""
        escort = Escort(self._text("escort_name"), self._text("escort_relationship"),
                        self._text("escort_phone"))
        treatment = _Treatment(protocol_id=protocol_id, chair=self._text("chair"),
                         weight_kg=self._weight_kg(), dose_mg=self.dose.text(),
                         escort=escort, precheck=self.precheck_answers(),
                         lot_number=self._text("lot_number"),
                         dose_reason=self.dose_reason.text() if self.dose.other() else "")
        try:
            if self.new_patient.isChecked():
                _, episode = self.services.open_episode_for_new_patient(
                    actor, self._text("mrn"), self._text("patient_name"),
                    self.date_of_birth(), self.sex.currentData(), **treatment)
            else:
                episode = self.services.open_episode(actor, self.selected_patient_id(),
                                                     **treatment)
        except ValidationError as exc:
            self.show_error(exc)
            return
        except StorageError as exc:
            self.show_error(ValidationError("", f"Not saved: {exc}"))
            return
        self.episode = episode
        self.session.notify(episode.id)
        self.accept()
