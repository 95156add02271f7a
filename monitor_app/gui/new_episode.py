"""New episode (Ctrl+N): find or add the patient, choose protocol and chair, enter weight,
dose and escort, and answer the protocol's pre-check questions.

Every check is the services'; a refused value is shown next to its field (objectName ==
the ValidationError's key) and every other field keeps what was typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import Episode, Escort, Patient, ValidationError
from monitor_app.gui.fitting import scroll_body
from monitor_app.gui.session import Session
from monitor_app.gui.widgets import FieldError, Form, clear_field_errors, line_edit, set_handle
from monitor_app.gui.widgets import show_field_error as _show
from monitor_app.services.errors import StorageError
from monitor_app.services.views import ClinicSettings

KG_PER_LB = 0.45359237
SEXES = (("", "not recorded"), ("F", "female"), ("M", "male"), ("X", "other / X"))


def patient_text(patient: Patient) -> str:
    return f"{patient.name}  ·  {patient.mrn}  ·  born {patient.dob:%Y-%m-%d}"


class NewEpisodeDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.services = session.services
        self.settings: ClinicSettings = self.services.settings()
        self.episode: Episode | None = None
        self.created_patient: Patient | None = None
        self.precheck_boxes: dict[str, QCheckBox] = {}
        self.setWindowTitle("New episode")
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        grid = QGridLayout()
        grid.addWidget(self._patient_group(), 0, 0, 2, 1)
        grid.addWidget(self._treatment_group(), 0, 1)
        grid.addWidget(self._escort_group(), 1, 1)
        grid.addWidget(self._precheck_group(), 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.general = FieldError("general")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = set_handle(buttons.button(QDialogButtonBox.StandardButton.Ok), "ok",
                             "Open episode")
        self.ok.setText("Open episode")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll_body(grid), 1)  # taller than the screen: it scrolls
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        self._on_protocol_changed()
        self.search.setFocus()

    # ------------------------------------------------------------------ building
    def _group(self, title: str, form: Form) -> QGroupBox:
        box = QGroupBox(title)
        box.setLayout(form)
        self.fields.update(form.fields)
        self.errors.update(form.errors)
        return box

    def _patient_group(self) -> QGroupBox:
        form = Form()
        self.search = form.add("patient_search", "Find patient",
                               line_edit("MRN or name", 100))
        self.results = form.add("patient", "Patient", QListWidget())
        self.results.setMinimumHeight(110)
        self.new_patient = set_handle(QGroupBox("New patient"), "new_patient", "New patient")
        self.new_patient.setCheckable(True)
        self.new_patient.setChecked(False)
        new = Form()
        new.add("mrn", "MRN", line_edit("medical record number", 32))
        new.add("patient_name", "Name", line_edit("as on the ID", 120))
        new.add("dob", "Date of birth", line_edit("YYYY-MM-DD", 10))
        self.sex = new.add("sex", "Sex", QComboBox())
        for value, label in SEXES:
            self.sex.addItem(label, value)
        self.new_patient.setLayout(new)
        self.fields.update(new.fields)
        self.errors.update(new.errors)
        form.addRow(self.new_patient)
        self.search.textChanged.connect(self._on_search_changed)
        self.results.currentItemChanged.connect(self._on_results_current_changed)
        self.new_patient.toggled.connect(self._on_new_patient_toggled)
        return self._group("Patient", form)

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
        self.weight = form.add("weight", f"Weight ({unit})", line_edit(unit, 10))
        self.dose = form.add("dose", "Dose (mg)", line_edit("mg", 10), hint=" ")
        form.add("lot_number", "Lot number", line_edit("optional", 40))
        self.protocol.currentIndexChanged.connect(self._on_protocol_changed)
        self.weight.textChanged.connect(self._on_weight_changed)
        return self._group("Treatment", form)

    def _escort_group(self) -> QGroupBox:
        form = Form()
        form.add("escort_name", "Escort's name", line_edit("drives the patient home", 120))
        form.add("escort_relationship", "Relationship", line_edit("partner, friend...", 60))
        form.add("escort_phone", "Escort's phone", line_edit("phone number", 40))
        return self._group("Escort", form)

    def _precheck_group(self) -> QGroupBox:
        self.precheck = set_handle(QGroupBox("Pre-check"), "precheck", "Pre-check")
        self.precheck_layout = QVBoxLayout(self.precheck)
        self.precheck_note = QLabel()
        self.precheck_note.setWordWrap(True)
        self.precheck_layout.addWidget(self.precheck_note)
        self.errors["precheck"] = FieldError("precheck")
        self.precheck_layout.addWidget(self.errors["precheck"])
        return self.precheck

    # ------------------------------------------------------------------ reactions
    def _on_search_changed(self, text: str) -> None:
        keep = self.selected_patient_id()
        self.results.clear()
        found = self.services.find_patients(text, limit=30) if text.strip() else []
        if self.created_patient is not None and self.created_patient not in found:
            found.insert(0, self.created_patient)
        for patient in found:
            item = QListWidgetItem(patient_text(patient))
            item.setData(Qt.ItemDataRole.UserRole, patient.id)
            self.results.addItem(item)
            if patient.id == keep:
                self.results.setCurrentItem(item)
        if len(found) == 1 and self.results.currentItem() is None:
            self.results.setCurrentRow(0)

    def _on_results_current_changed(self, current: QListWidgetItem | None, *_: object) -> None:
        if current is not None and self.new_patient.isChecked():
            self.new_patient.setChecked(False)

    def _on_new_patient_toggled(self, checked: bool) -> None:
        if not checked:
            return
        self.results.setCurrentItem(None)
        self.results.clearSelection()
        typed = self.search.text().strip()
        mrn, name = self._text("mrn"), self._text("patient_name")
        if typed and not mrn and not name:  # carry the search over to the new patient
            target = "mrn" if any(c.isdigit() for c in typed) else "patient_name"
            self._line(target).setText(typed)

    def _on_protocol_changed(self, *_: object) -> None:
        for box in self.precheck_boxes.values():
            self.precheck_layout.removeWidget(box)
            box.deleteLater()
        self.precheck_boxes.clear()
        protocol = self.services.protocols.get(self.protocol.currentData() or "")
        self.precheck_note.setText("Confirm each item before opening the episode."
                                   if protocol else "Choose a protocol to see its pre-check.")
        if protocol is not None:
            for position, item in enumerate(protocol.precheck, start=1):
                box = set_handle(QCheckBox(item.label), item.key, item.label)
                self.precheck_layout.insertWidget(position, box)
                self.precheck_boxes[item.key] = box
        self._on_weight_changed()

    def _on_weight_changed(self, *_: object) -> None:
        protocol = self.services.protocols.get(self.protocol.currentData() or "")
        hint = self.findChild(QLabel, "dose_hint")
        if hint is None:
            return
        if protocol is None:
            hint.setText("")
        elif protocol.fixed_doses_mg:
            hint.setText("usual doses: " + " or ".join(f"{d} mg" for d in
                                                        protocol.fixed_doses_mg))
        elif protocol.dose_mg_per_kg:
            low, high = protocol.dose_mg_per_kg
            text = f"usual {low:g}–{high:g} mg/kg"
            kg = self._weight_kg()
            if isinstance(kg, float):
                text += f": {low * kg:.0f}–{high * kg:.0f} mg at {kg:.1f} kg"
            hint.setText(text)

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
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            return text
        return value * KG_PER_LB if self.settings.weight_unit == "lb" else value

    def selected_patient_id(self) -> int | None:
        item = self.results.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def precheck_answers(self) -> dict[str, bool]:
        return {key: box.isChecked() for key, box in self.precheck_boxes.items()}

    # ------------------------------------------------------------------ saving
    def ask(self) -> Episode | None:
        return self.episode if self.exec() == QDialog.DialogCode.Accepted else None

    def show_error(self, exc: ValidationError) -> None:
        clear_field_errors(self.errors)
        self.general.clear()
        if exc.field == "weight" and self.settings.weight_unit == "lb":
            kg = self._weight_kg()
            if isinstance(kg, float):
                exc = ValidationError("weight", f"{exc.message} "
                                      f"({self.weight.text().strip()} lb is {kg:.1f} kg)")
        _show(self.errors, exc, self.general)

    def _on_ok_clicked(self) -> None:
        actor = self.session.staff_id
        try:
            patient_id = self._patient_id(actor)
            protocol_id = self.protocol.currentData() or ""
            episode = self.services.open_episode(
                actor, patient_id, protocol_id, self._text("chair"), self._weight_kg(),
                self._text("dose"),
                Escort(self._text("escort_name"), self._text("escort_relationship"),
                       self._text("escort_phone")),
                self.precheck_answers(), lot_number=self._text("lot_number"))
        except ValidationError as exc:
            self.show_error(exc)
            return
        except StorageError as exc:
            self.show_error(ValidationError("", f"Not saved: {exc}"))
            return
        self.episode = episode
        self.session.notify(episode.id)
        self.accept()

    def _patient_id(self, actor: int) -> int:
        if self.new_patient.isChecked():
            patient = self.services.add_patient(
                actor, self._text("mrn"), self._text("patient_name"), self._text("dob"),
                self.sex.currentData())
            # Added once: a later refusal (escort, chair...) must not add it again.
            self.created_patient = patient
            self.new_patient.setChecked(False)
            self._on_search_changed(self.search.text())
            for row in range(self.results.count()):
                if self.results.item(row).data(Qt.ItemDataRole.UserRole) == patient.id:
                    self.results.setCurrentRow(row)
            return patient.id
        patient_id = self.selected_patient_id()
        if patient_id is None:
            raise ValidationError("patient", "find the patient by MRN or name, "
                                  "or tick New patient and enter theirs")
        return patient_id
