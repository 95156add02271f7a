"""Inputs of the new-episode form: a date of birth that must be chosen, and a dose that
is a choice of the protocol's fixed doses (or "other", with a reason) or typed in mg."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QWidget

from monitor_app.domain.models import Patient
from monitor_app.domain.protocol import Protocol
from monitor_app.gui.common.widgets import line_edit, set_handle

# The clinic's date format (ClinicSettings.date_format) as Qt display formats: digits
# only, so a date can be typed straight through, section by section.
QT_DATE_FORMATS = {"YMD": "yyyy-MM-dd", "DMY": "dd/MM/yyyy", "MDY": "MM/dd/yyyy"}
PY_DATE_FORMATS = {"YMD": "%Y-%m-%d", "DMY": "%d/%m/%Y", "MDY": "%m/%d/%Y"}
NOT_CHOSEN = QDate(1899, 12, 31)  # below every real date of birth: "choose…"
OTHER_DOSE = "other"
_STEP_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


def dose_hint_text(protocol: Protocol | None, weight_kg: float | str, other: bool) -> str:
    """Under the dose: the protocol's fixed doses, or its mg/kg range and what that is
    at the typed weight (kg, or the raw text when it is not a number)."""
    if protocol is None:
        return ""
    if protocol.fixed_doses_mg:
        return ("the protocol's doses: " + " or ".join(f"{d} mg" for d in protocol.fixed_doses_mg)
                + ("; another dose needs a reason" if other else ""))
    if protocol.dose_mg_per_kg:
        low, high = protocol.dose_mg_per_kg
        text = f"usual {low:g}–{high:g} mg/kg"
        if isinstance(weight_kg, float):
            text += f": {low * weight_kg:.0f}–{high * weight_kg:.0f} mg at {weight_kg:.1f} kg"
        return text
    return ""


def patient_text(patient: Patient, date_format: str = "YMD") -> str:
    """A search result: name, MRN and date of birth in the clinic's format."""
    return (f"{patient.name}  ·  {patient.mrn}  ·  born "
            f"{format_date(patient.dob, date_format)}")


def format_date(day: date, date_format: str) -> str:
    return day.strftime(PY_DATE_FORMATS.get(date_format, "%Y-%m-%d"))


class DateOfBirthEdit(QDateEdit):
    """A date with the clinic's format and a calendar; it shows "choose…" until the
    nurse types or picks a date, so no default date is ever taken silently."""

    def __init__(self, today: date, date_format: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chosen = False
        self._quiet = False
        self.today = today
        self.setDisplayFormat(QT_DATE_FORMATS.get(date_format, "yyyy-MM-dd"))
        self.setCalendarPopup(True)
        self.setMinimumDate(NOT_CHOSEN)
        self.setMaximumDate(QDate(today.year, today.month, today.day))
        self.setSpecialValueText("choose…")
        self._set_quietly(NOT_CHOSEN)
        self.dateChanged.connect(self._on_date_changed)
        self.calendarWidget().clicked.connect(self._on_calendar_clicked)
        self.calendarWidget().installEventFilter(self)

    def value(self) -> date | None:
        """The date chosen, or None while nothing has been chosen."""
        if not self.chosen or self.date() == NOT_CHOSEN:
            return None
        chosen = self.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def set_value(self, day: date | None) -> None:
        if day is None:
            self.chosen = False
            self._set_quietly(NOT_CHOSEN)
        else:
            self.chosen = True
            self.setDate(QDate(day.year, day.month, day.day))

    def _neutral(self) -> QDate:
        return QDate(self.today.year - 40, 1, 1)

    def _set_quietly(self, day: QDate) -> None:
        self._quiet = True
        self.setDate(day)
        self._quiet = False

    def _on_date_changed(self, _day: QDate) -> None:
        if not self._quiet:
            self.chosen = True

    def _on_calendar_clicked(self, _day: QDate) -> None:
        self.chosen = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The calendar opens on a likely decade, not on the "choose…" date of 1899.
        if event.type() == QEvent.Type.Show and not self.chosen:
            neutral = self._neutral()
            self.calendarWidget().setCurrentPage(neutral.year(), neutral.month())
        return super().eventFilter(watched, event)

    def focusInEvent(self, event: object) -> None:
        super().focusInEvent(event)  # type: ignore[arg-type]
        self._start_typing()

    def _start_typing(self) -> None:
        if not self.chosen and self.date() == NOT_CHOSEN:  # type over a neutral date
            self._set_quietly(self._neutral())
            self.setSelectedSection(self.sectionAt(0))

    def focusOutEvent(self, event: object) -> None:
        super().focusOutEvent(event)  # type: ignore[arg-type]
        if not self.chosen:
            self._set_quietly(NOT_CHOSEN)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text().isalnum() or event.key() in _STEP_KEYS:
            self._start_typing()
            self.chosen = True
        super().keyPressEvent(event)


class DoseField(QWidget):
    """The dose: for a fixed-dose protocol a choice of its doses or "other" (typed, and
    a reason asked elsewhere); otherwise mg typed. Handles: ``dose_choice``, ``dose``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = set_handle(QComboBox(), "dose_choice", "Dose")
        self.edit = line_edit("mg", 10)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.choice)
        row.addWidget(self.edit, 1)
        self.choice.currentIndexChanged.connect(self._on_choice_changed)
        self.edit.textChanged.connect(self.changed)
        self.set_protocol(None)

    def set_protocol(self, protocol: Protocol | None) -> None:
        fixed = protocol.fixed_doses_mg if protocol is not None else ()
        self.choice.blockSignals(True)
        self.choice.clear()
        if fixed:
            self.choice.addItem("— choose —", "")
            for dose in fixed:
                self.choice.addItem(f"{dose} mg", str(dose))
            self.choice.addItem("other dose…", OTHER_DOSE)
        self.choice.blockSignals(False)
        self.choice.setVisible(bool(fixed))
        self.edit.setVisible(not fixed)
        self.edit.setPlaceholderText("mg")
        self.changed.emit()

    @property
    def fixed(self) -> bool:
        return self.choice.count() > 0

    def other(self) -> bool:
        """A fixed-dose protocol, and a dose other than its own was chosen."""
        return self.fixed and self.choice.currentData() == OTHER_DOSE

    def text(self) -> str:
        """The dose in mg as typed or chosen ("" while not chosen)."""
        if self.fixed and not self.other():
            return str(self.choice.currentData() or "")
        return self.edit.text()

    def _on_choice_changed(self, *_: object) -> None:
        self.edit.setVisible(self.other())
        self.edit.setPlaceholderText("mg (other dose)")
        if self.other():
            self.edit.setFocus()
        self.changed.emit()
