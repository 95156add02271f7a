"""The observation entry form: keyboard first, one Enter to save.

Tab order: hr, bp, spo2, rr, moaas, dissociation, temp, on_oxygen, side effects, note,
missing_reason, taken_at, save_observation. A full observation (HR, BP, SpO2, RR, MOAA/S,
dissociation) costs 7 keystrokes beyond its digits: the "/" of the BP, five Tabs and Enter.

The form only collects text; the core parses and judges it. A ``ValidationError`` is shown
next to the field it names, that field takes the focus, and every other value stays.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import SIDE_EFFECTS, ValidationError, Vitals
from monitor_app.domain.vital_fields import form_key
from monitor_app.gui.common.fitting import FlowLayout
from monitor_app.gui.common.formatting import fahrenheit_text_to_celsius, format_temp
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import ERROR_COLOUR, ERROR_STYLE
from monitor_app.gui.monitor.banner import PendingReadingBanner
from monitor_app.services.errors import NotSignedIn, StorageError
from monitor_app.services.views import ObservationRow

if TYPE_CHECKING:
    from monitor_app.services import Services

MOAAS_HELP = ("MOAA/S, type 0-5: 5 responds readily to name; 4 lethargic response; "
              "3 only when called loudly; 2 only after mild prodding; 1 only after painful "
              "trapezius squeeze; 0 no response")
DISSOCIATION_HELP = ("Dissociation, type 0-3: 0 none; 1 mild, fully interactive; "
                     "2 moderate, communicates coherently; 3 severe or distressed")
INVALID_STYLE = f"border: 2px solid {ERROR_COLOUR};"
# key -> (label, placeholder, tooltip); the first row of the form, in tab order.
VITAL_FIELDS: dict[str, tuple[str, str, str]] = {
    "hr": ("HR", "bpm", "Heart rate, beats/min"),
    "bp": ("BP", "128/84", "Blood pressure, type systolic/diastolic, e.g. 128/84"),
    "spo2": ("SpO2 %", "%", "Oxygen saturation, %"),
    "rr": ("RR", "/min", "Respiratory rate, breaths/min"),
    "moaas": ("MOAA/S", "0-5", MOAAS_HELP),
    "dissociation": ("Dissociation", "0-3", DISSOCIATION_HELP),
    "temp": ("Temp", "", "Temperature (optional), one decimal"),
}
OPTIONAL_TEXT = {"note": "Note", "missing_reason": "Reason for missing values"}
MIN_CHARS = {"bp": 7, "temp": 5}  # digits each vital field shows at its narrowest (else 4)


def _digit_edit(top: int) -> QRegularExpressionValidator:
    return QRegularExpressionValidator(QRegularExpression(f"[0-{top}]"))


def to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, UTC)


class ObservationFields(QWidget):
    """The inputs of one observation, their inline errors and ``raw_values()``.

    Shared by the entry form and the correction dialog.
    """

    def __init__(self, temp_unit: str = "C", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.temp_unit = temp_unit
        self.inputs: dict[str, QWidget] = {}
        self.lines: dict[str, QLineEdit] = {}
        self._side_effects: dict[str, QCheckBox] = {}
        self.errors: dict[str, QLabel] = {}
        self._taken_at_touched = False
        self._setting_time = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.top = QGridLayout()
        self.bottom = QGridLayout()
        outer.addLayout(self.top)
        outer.addLayout(self.bottom)
        self._build_vitals()
        self._build_extras()
        self.general_error = self._error_label("form")
        outer.addWidget(self.general_error)
        chain = [*VITAL_FIELDS, "on_oxygen",
                 *(f"side_effect_{n}" for n in SIDE_EFFECTS), "note", "missing_reason",
                 "taken_at"]
        checks = {f"side_effect_{n}": box for n, box in self._side_effects.items()}
        widgets = [self.inputs[k] if k in self.inputs else checks[k] for k in chain]
        for first, second in pairwise(widgets):
            QWidget.setTabOrder(first, second)
        self.tab_chain = widgets

    # ---------------------------------------------------------------- building
    def _error_label(self, key: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"{key}_error")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        self.errors[key] = label
        return label

    def _add(self, grid: QGridLayout, col: int, span_to: int, key: str, label: str,
             widget: QWidget) -> None:
        widget.setObjectName(key)
        widget.setAccessibleName(label)
        caption = QLabel(label)
        caption.setBuddy(widget)
        grid.addWidget(caption, 0, col)
        grid.addWidget(widget, 1, col)
        grid.addWidget(self._error_label(key), 2, col, 1, span_to - col)
        self.inputs[key] = widget

    def _build_vitals(self) -> None:
        """First row: the vitals, oxygen, the time taken and (``add_trailing``) Save."""
        columns = len(VITAL_FIELDS) + 3
        for col, (key, (label, hint, tip)) in enumerate(VITAL_FIELDS.items()):
            edit = QLineEdit()
            if key == "temp":
                label, hint = f"Temp °{self.temp_unit}", "optional"
            edit.setPlaceholderText(hint)
            edit.setToolTip(tip)
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(
                "0" * MIN_CHARS.get(key, 4)) + 14)
            if key in ("moaas", "dissociation"):
                edit.setValidator(_digit_edit(5 if key == "moaas" else 3))
                edit.setMaxLength(1)
            self._add(self.top, col, columns, key, label, edit)
            self.lines[key] = edit
        oxygen = QCheckBox("on O2")
        self._oxygen = oxygen
        oxygen.setToolTip("Supplemental oxygen (Space toggles)")
        self._add(self.top, len(VITAL_FIELDS), columns, "on_oxygen", "On oxygen", oxygen)
        when = QDateTimeEdit()
        self._taken_at = when
        when.setDisplayFormat("dd MMM HH:mm")
        when.setToolTip("Time the observation was taken: set it back for a late entry")
        when.dateTimeChanged.connect(self._on_taken_at_changed)
        self._add(self.top, len(VITAL_FIELDS) + 1, columns, "taken_at", "Time taken", when)
        self.top.setColumnStretch(columns, 1)

    def _build_extras(self) -> None:
        """Second row: side effects (wrapping onto two lines when narrow), note, reason."""
        box = QWidget()
        flow = FlowLayout(box)
        for name in SIDE_EFFECTS:
            check = QCheckBox(name)
            check.setObjectName(f"side_effect_{name}")
            check.setAccessibleName(name)
            flow.addWidget(check)
            self._side_effects[name] = check
        self._add(self.bottom, 0, 3, "side_effects", "Side effects", box)
        for col, (key, label) in enumerate(OPTIONAL_TEXT.items(), start=1):
            edit = QLineEdit()
            edit.setMinimumWidth(120)
            self._add(self.bottom, col, 3, key, label, edit)
            self.lines[key] = edit
        self.lines["missing_reason"].setPlaceholderText("e.g. patient refused BP")
        self.bottom.setColumnStretch(1, 1)  # side effects keep one line while they can
        self.bottom.setColumnStretch(2, 1)
        self.bottom.setAlignment(box, Qt.AlignmentFlag.AlignTop)

    def add_trailing(self, widget: QWidget) -> None:
        """Put a button (Save, say) at the end of the first row, after the time taken."""
        self.top.addWidget(widget, 1, len(VITAL_FIELDS) + 2)

    # ---------------------------------------------------------------- access
    def line(self, key: str) -> QLineEdit:
        return self.lines[key]

    @property
    def taken_at_edit(self) -> QDateTimeEdit:
        return self._taken_at

    @property
    def on_oxygen(self) -> QCheckBox:
        return self._oxygen

    def side_effect_boxes(self) -> dict[str, QCheckBox]:
        return dict(self._side_effects)

    def set_taken_at(self, moment: datetime, touched: bool = False) -> None:
        self._setting_time = True
        try:
            self.taken_at_edit.setDateTime(to_qdatetime(moment))
        finally:
            self._setting_time = False
        self._taken_at_touched = touched

    def taken_at(self) -> datetime | None:
        """The time set by the nurse, or None while it still says "now"."""
        if not self._taken_at_touched:
            return None
        return from_qdatetime(self.taken_at_edit.dateTime())

    @property
    def taken_at_touched(self) -> bool:
        return self._taken_at_touched

    def _on_taken_at_changed(self, _value: QDateTime) -> None:
        if not self._setting_time:
            self._taken_at_touched = True

    # ---------------------------------------------------------------- values
    def raw_values(self) -> dict[str, object]:
        """What the nurse typed, as the services expect it (temperature in °C)."""
        raw: dict[str, object] = {}
        for key in ("hr", "bp", "spo2", "rr", "moaas", "dissociation", "temp", "note",
                    "missing_reason"):
            text = self.line(key).text().strip()
            if text:
                raw[key] = text
        if "temp" in raw and self.temp_unit == "F":
            raw["temp"] = fahrenheit_text_to_celsius(str(raw["temp"]))
        raw["on_oxygen"] = self.on_oxygen.isChecked()
        raw["side_effects"] = [n for n, box in self.side_effect_boxes().items()
                               if box.isChecked()]
        return raw

    def set_values(self, vitals: Vitals) -> None:
        """Prefill from a saved observation (the correction dialog)."""
        numbers = {"hr": vitals.hr, "spo2": vitals.spo2, "rr": vitals.rr,
                   "moaas": vitals.moaas, "dissociation": vitals.dissociation}
        for key, value in numbers.items():
            self.line(key).setText("" if value is None else str(value))
        self.line("bp").setText(vitals.bp_text)
        self.line("temp").setText(format_temp(vitals.temp_c, self.temp_unit))
        self.line("note").setText(vitals.note)
        self.line("missing_reason").setText(vitals.missing_reason)
        self.on_oxygen.setChecked(vitals.on_oxygen)
        for name, box in self.side_effect_boxes().items():
            box.setChecked(name in vitals.side_effects)

    def clear_values(self) -> None:
        for key in ("hr", "bp", "spo2", "rr", "moaas", "dissociation", "temp", "note",
                    "missing_reason"):
            self.line(key).clear()
        self.on_oxygen.setChecked(False)
        for box in self.side_effect_boxes().values():
            box.setChecked(False)
        self.clear_errors()

    # ---------------------------------------------------------------- errors
    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()
            label.clear()
        for widget in self.inputs.values():
            widget.setStyleSheet("")

    def show_error(self, field: str, message: str) -> None:
        """The message next to the field it is about; that field takes the focus."""
        self.clear_errors()
        key = form_key(field)
        label = self.errors.get(key, self.general_error)
        label.setText(f"⚠ {message}")
        label.show()
        widget = self.inputs.get(key)
        if widget is None:
            return
        if key != "side_effects":
            widget.setStyleSheet(INVALID_STYLE)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def error_text(self, key: str) -> str:
        label = self.errors.get(key)
        return label.text() if label is not None and not label.isHidden() else ""


class ObservationForm(QWidget):
    """Entry of one observation for an episode. ``saved`` carries the new row."""

    saved = Signal(object)  # ObservationRow

    def __init__(self, session: Session, episode_id: int, temp_unit: str = "C",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("observation_form")
        self.session = session
        self.episode_id = episode_id
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
        """Send the values to the services; returns the saved row, or None if refused."""
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
