"""The patient part of New episode: find the patient by MRN or name, or tick "New
patient" and type one in (what was searched for is carried over)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QWidget,
)

from monitor_app.gui.common.widgets import FieldError, Form, line_edit, set_handle
from monitor_app.gui.episode.entry_fields import DateOfBirthEdit, patient_text
from monitor_app.services.views import ClinicSettings

if TYPE_CHECKING:
    from monitor_app.services import Services

SEXES = (("", "not recorded"), ("F", "female"), ("M", "male"), ("X", "other / X"))


class PatientPicker(QGroupBox):
    """The "Patient" box. ``chosen`` carries the id of the patient now selected in the
    list, or None (none selected, or a new patient)."""

    chosen = Signal(object)

    def __init__(self, services: Services, settings: ClinicSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__("Patient", parent)
        self.services = services
        self.settings = settings
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
        self.dob = new.add("dob", "Date of birth",
                           DateOfBirthEdit(services.clock.now().astimezone().date(),
                                           settings.date_format))
        # The box under "Date of birth" takes the row's width, so its message wraps
        # at that width (the date itself keeps its size, on the left).
        box = self.dob.parentWidget()
        if box is not None and (box_layout := box.layout()) is not None:
            box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            box_layout.setAlignment(self.dob, Qt.AlignmentFlag.AlignLeft)
        self.sex = new.add("sex", "Sex", QComboBox())
        for value, label in SEXES:
            self.sex.addItem(label, value)
        self.new_patient.setLayout(new)
        form.addRow(self.new_patient)
        self.setLayout(form)
        self.fields: dict[str, QWidget] = {**new.fields, **form.fields}
        self.errors: dict[str, FieldError] = {**new.errors, **form.errors}
        self.search.textChanged.connect(self._on_search_changed)
        self.search.installEventFilter(self)
        self.results.currentItemChanged.connect(self._on_results_current_changed)
        self.new_patient.toggled.connect(self._on_new_patient_toggled)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in "Find patient" means "take me to what was found", never "open the
        # episode": otherwise every empty field's error shows at once.
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            if self.results.count() and self.results.currentItem() is None:
                self.results.setCurrentRow(0)
            self.results.setFocus()
            return True
        return super().eventFilter(watched, event)

    def _on_search_changed(self, text: str) -> None:
        keep = self.selected_patient_id()
        self.results.clear()
        found = self.services.find_patients(text, limit=30) if text.strip() else []
        for patient in found:
            item = QListWidgetItem(patient_text(patient, self.settings.date_format))
            item.setData(Qt.ItemDataRole.UserRole, patient.id)
            self.results.addItem(item)
            if patient.id == keep:
                self.results.setCurrentItem(item)
        if len(found) == 1 and self.results.currentItem() is None:
            self.results.setCurrentRow(0)

    def _on_results_current_changed(self, current: QListWidgetItem | None, *_: object) -> None:
        if current is not None and self.new_patient.isChecked():
            self.new_patient.setChecked(False)
        self.chosen.emit(self.selected_patient_id())

    def _on_new_patient_toggled(self, checked: bool) -> None:
        if not checked:
            return
        self.results.setCurrentRow(-1)
        self.results.clearSelection()
        typed = self.search.text().strip()
        mrn, name = self.line("mrn"), self.line("patient_name")
        if typed and not mrn.text() and not name.text():  # carry the search over
            target = mrn if any(c.isdigit() for c in typed) else name
            target.setText(typed)

    def line(self, key: str) -> QLineEdit:
        widget = self.fields[key]
        assert isinstance(widget, QLineEdit)
        return widget

    def selected_patient_id(self) -> int | None:
        item = self.results.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def date_of_birth(self) -> date | str:
        return self.dob.value() or ""
