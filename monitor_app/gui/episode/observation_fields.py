"""The inputs of one observation, shared by the entry form and the correction dialog.

Tab order: hr, bp, spo2, rr, moaas, dissociation, temp, on_oxygen, side effects, note,
missing_reason, taken_at. The fields only collect text; the core parses and judges it.
A ``ValidationError`` is shown next to the field it names, that field takes the focus,
and every other value stays. A keystroke is never refused silently: what a whole-number
field cannot hold ("/" in SpO2, MOAA/S 9) is shown next to it as it is typed
(``domain.vital_fields.typing_problem``), with the scale's range from the protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import pairwise

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import SIDE_EFFECTS, Vitals
from monitor_app.domain.protocol import FieldLimits
from monitor_app.domain.vital_fields import WHOLE_NUMBER_KEYS, form_key, typing_problem
from monitor_app.gui.common.fitting import FlowLayout
from monitor_app.gui.common.formatting import fahrenheit_text_to_celsius, format_temp
from monitor_app.gui.common.widgets import ERROR_COLOUR, ERROR_STYLE, set_handle

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
        self._scales: dict[str, tuple[float, float]] = {}
        self._typing: dict[str, str] = {}  # field -> what is wrong with what it holds
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
            if key in WHOLE_NUMBER_KEYS:
                edit.setMaxLength(8)  # room to see what was mistyped, and the message says it
                edit.textEdited.connect(lambda text, k=key: self._on_typed(k, text))
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
            edit = set_handle(QLineEdit(), key, label)  # the text rule's bound
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

    def empty(self) -> bool:
        """Nothing typed, ticked or set: the form as a save leaves it."""
        return (not any(edit.text().strip() for edit in self.lines.values())
                and not self.on_oxygen.isChecked() and not self._taken_at_touched
                and not any(box.isChecked() for box in self._side_effects.values()))

    def clear_values(self) -> None:
        for key in ("hr", "bp", "spo2", "rr", "moaas", "dissociation", "temp", "note",
                    "missing_reason"):
            self.line(key).clear()
        self.on_oxygen.setChecked(False)
        for box in self.side_effect_boxes().values():
            box.setChecked(False)
        self.clear_errors()

    def set_scales(self, limits: Mapping[str, FieldLimits]) -> None:
        """The protocol's ranges of the short scales, checked while typing."""
        self._scales = {k: limits[k].plausible for k in ("moaas", "dissociation")
                        if k in limits}
        for key, (low, high) in self._scales.items():
            self.line(key).setPlaceholderText(f"{low:g}-{high:g}")

    # ---------------------------------------------------------------- errors
    def _on_typed(self, key: str, text: str) -> None:
        """A mistyped whole number is said beside its field at once; focus stays. The
        messages share one row, so the latest is shown; every such field keeps its red
        border until it is mended."""
        problem = typing_problem(key, text, self._scales.get(key))
        self._typing.pop(key, None)
        if problem:
            self._typing[key] = problem
        self.line(key).setStyleSheet(INVALID_STYLE if problem else "")
        for other in WHOLE_NUMBER_KEYS:
            self.errors[other].hide()
        if self._typing:
            latest, message = list(self._typing.items())[-1]
            self.errors[latest].setText(f"⚠ {message}")
            self.errors[latest].show()

    def clear_errors(self) -> None:
        self._typing.clear()
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


