"""The sections of the discharge dialog: criteria (and overrides), Aldrete, nurse checks, REMS.

Each section builds its widgets and shows a ``DischargeView``; answers go back to the
dialog (signals or the exposed widgets), which calls the services. No clinical rule
lives here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.discharge import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    CriterionResult,
    ManualAnswer,
)
from monitor_app.domain.protocol import ChecklistItem
from monitor_app.domain.scores import AldreteTable
from monitor_app.domain.text import text_limit
from monitor_app.gui.common.offer import offer_button, show_offer
from monitor_app.gui.common.widgets import ERROR_STYLE
from monitor_app.gui.common.widgets import set_handle as _handle
from monitor_app.services.views import DischargeView, RemsItem

COL_STATUS, COL_LABEL, COL_VALUE, COL_LIMIT, COL_OVERRIDE = range(5)
HEADERS = ("Status", "Criterion", "Value", "Limit", "Override")
STATUS_TEXT = {MET: "✓ Met", NOT_MET: "✗ Not met", "unknown": "? Not yet known"}
STATUS_BRUSH = {MET: "#e3f4e3", NOT_MET: "#fbe1e1", "unknown": "#fff2cc", "override": "#e6ecfa"}
DETAIL_LABELS = {"escort_name": "Escort's name", "escort_phone": "Escort's phone",
                 "next_appointment": "Date and time"}
ALDRETE_ITEMS = (("activity", "Activity"), ("respiration", "Respiration"),
                 ("circulation", "Circulation (percent-based)"),
                 ("consciousness", "Consciousness"), ("spo2", "Oxygen saturation"))
WARNING_STYLE = "color: #7a4a00; font-weight: bold;"


class CriteriaSection(QGroupBox):
    """The live criteria table and the override buttons; the dialog connects the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Discharge criteria (evaluated live from the record)", parent)
        self.table = _handle(QTableWidget(0, len(HEADERS), self), "criteria",
                             "Discharge criteria")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)  # one line a criterion; the full text in a tooltip
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        for col in (COL_STATUS, COL_LABEL, COL_VALUE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        for col in (COL_LIMIT, COL_OVERRIDE):  # share what is left; longer text elides
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.override = _handle(QPushButton("Override…", self), "override",
                                "Override the selected criterion")
        self.remove_override = _handle(QPushButton("Remove override", self),
                                       "remove_override", "Remove the selected override")
        # why the selected criterion cannot be overridden (the protocol forbids it)
        self.override_note = _handle(QLabel(self), "override_note", "Why no override")
        self.override_note.setWordWrap(True)
        self.override_note.setStyleSheet(WARNING_STYLE)
        self.override_note.hide()
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(self.override)
        row.addWidget(self.remove_override)
        row.addWidget(self.override_note, 1)
        box.addLayout(row)

    def show_override_state(self, result: CriterionResult | None, signed: bool) -> None:
        """Enable the buttons for the selected criterion; say why when none is allowed."""
        locked = bool(result and result.not_overridable and not result.ok)
        self.override.setEnabled(bool(result and not result.ok and not signed and not locked))
        self.remove_override.setEnabled(bool(result and result.overridden and not signed))
        why = (f"{result.label} cannot be overridden: {result.not_overridable}"
               if locked and result else "")
        self.override.setToolTip(why or "Override the selected criterion")
        self.override_note.setText(why)
        self.override_note.setVisible(bool(why) and not signed)

    def selected_key(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def show_view(self, state: DischargeView) -> None:
        """One row a criterion, keeping the selection; the table grows to show every row."""
        selected = self.selected_key()
        results = state.evaluation.criteria
        self.table.setRowCount(len(results))
        for row, c in enumerate(results):
            if c.override is not None:
                status, brush = f"✓ Overridden ({STATUS_TEXT.get(c.status, c.status)})", \
                    STATUS_BRUSH["override"]
                by = state.override_by.get(c.key, "")
                override = f"{c.override.reason} — authorised by {by}"
            else:
                status = STATUS_TEXT.get(c.status, c.status)
                brush = STATUS_BRUSH.get(c.status, "#ffffff")
                override = f"cannot be overridden: {c.not_overridable}" \
                    if c.not_overridable else ""
            for col, text in ((COL_STATUS, status), (COL_LABEL, c.label),
                              (COL_VALUE, c.value), (COL_LIMIT, c.detail),
                              (COL_OVERRIDE, override)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c.key)
                item.setToolTip(text)
                if col == COL_STATUS:
                    item.setBackground(QBrush(QColor(brush)))
                self.table.setItem(row, col, item)
            if c.key == selected:
                self.table.selectRow(row)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 4
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setMinimumHeight(height)


class AldreteSection(QGroupBox):
    """Activity and respiration asked; the other items scored from the record and shown."""

    def __init__(self, table: AldreteTable, parent: QWidget | None = None) -> None:
        super().__init__("Modified Aldrete score", parent)
        self.activity = self._score_combo("aldrete_activity", "Aldrete activity",
                                          table.activity)
        self.respiration = self._score_combo("aldrete_respiration", "Aldrete respiration",
                                             table.respiration)
        grid = QGridLayout(self)
        self.scores: dict[str, QLabel] = {}
        self.basis: dict[str, QLabel] = {}
        for r, (key, label) in enumerate(ALDRETE_ITEMS):
            grid.addWidget(QLabel(label + ":", self), r, 0)
            score = _handle(QLabel(self), f"aldrete_{key}_score", f"{label} score")
            basis = QLabel(self)
            basis.setWordWrap(True)
            self.scores[key], self.basis[key] = score, basis
            if key == "activity":
                grid.addWidget(self.activity, r, 1)
            elif key == "respiration":
                grid.addWidget(self.respiration, r, 1)
            else:
                grid.addWidget(basis, r, 1)
            grid.addWidget(score, r, 2)
        self.total = _handle(QLabel(self), "aldrete_total", "Aldrete total")
        self.total.setWordWrap(True)
        grid.addWidget(self.total, len(ALDRETE_ITEMS), 0, 1, 3)
        hint = QLabel("Each item 0, 1 or 2. Circulation is percent-based: the latest blood "
                      "pressure against the patient's baseline.", self)
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        grid.addWidget(hint, len(ALDRETE_ITEMS) + 1, 0, 1, 3)
        grid.setColumnStretch(1, 1)

    def _score_combo(self, key: str, label: str, texts: tuple[str, str, str]) -> QComboBox:
        combo = _handle(QComboBox(self), key, label)
        combo.setSizeAdjustPolicy(  # long choices are read in the open list, not the box
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(18)
        combo.addItem("choose…", None)
        for score, text in zip((2, 1, 0), texts, strict=True):
            combo.addItem(f"{score}: {text}", score)
        return combo

    def show_view(self, state: DischargeView, signed: bool) -> None:
        for combo, value in ((self.activity, state.activity),
                             (self.respiration, state.respiration)):
            combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)
            combo.setEnabled(not signed)
        items = state.aldrete.items if state.aldrete else {}
        for key, _label in ALDRETE_ITEMS:
            score, basis = items.get(key, (None, ""))
            self.scores[key].setText(f"{score} / 2" if score is not None else "– / 2")
            if key not in ("activity", "respiration"):
                self.basis[key].setText(basis or "not scored yet")
        if state.aldrete:
            self.total.setText(f"Total {state.aldrete.total} / 10")
        else:
            self.total.setText("Total: not scored yet (answer activity and "
                               "respiration; needs BP, SpO2, MOAA/S and a baseline)")


class ManualSection(QGroupBox):
    """The protocol's nurse checks; ``changed(key)`` when a box or a detail changes."""

    changed = Signal(str)

    def __init__(self, items: tuple[ChecklistItem, ...], parent: QWidget | None = None
                 ) -> None:
        super().__init__("Nurse checks", parent)
        manual_form = QGridLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        self.na: dict[str, QCheckBox] = {}
        self.details: dict[str, dict[str, QLineEdit]] = {}
        r = 0
        for item in items:
            check = _handle(QCheckBox(item.label, self), item.key, item.label)
            check.toggled.connect(lambda _on, k=item.key: self.changed.emit(k))
            self.boxes[item.key] = check
            manual_form.addWidget(check, r, 0)
            if item.allow_na:
                na = _handle(QCheckBox("N/A", self), f"{item.key}_na",
                             f"{item.label} not applicable")
                na.toggled.connect(lambda _on, k=item.key: self.changed.emit(k))
                self.na[item.key] = na
                manual_form.addWidget(na, r, 1)
            r += 1
            self.details[item.key] = {}
            for name in item.details:
                label = DETAIL_LABELS.get(name, name.replace("_", " ").capitalize())
                edit = _handle(QLineEdit(self), name, label)
                edit.setPlaceholderText(label)
                edit.editingFinished.connect(lambda k=item.key: self.changed.emit(k))
                self.details[item.key][name] = edit
                line = QHBoxLayout()
                line.setContentsMargins(28, 0, 0, 0)
                caption = QLabel(label + ":", self)
                caption.setMinimumWidth(130)
                line.addWidget(caption)
                line.addWidget(edit, 1)
                manual_form.addLayout(line, r, 0, 1, 2)
                r += 1
        manual_form.setColumnStretch(0, 1)

    def fill_escort_defaults(self, state: DischargeView) -> None:
        """The escort given at admission, in checks not yet answered."""
        escort = state.episode.episode.escort
        defaults = {"escort_name": escort.name, "escort_phone": escort.phone}
        for key, edits in self.details.items():
            if key in state.manual:
                continue
            for name, edit in edits.items():
                if defaults.get(name):
                    edit.setText(defaults[name])

    def answer(self, key: str) -> ManualAnswer:
        """What the widgets of one check say now."""
        na = self.na.get(key)
        details = {name: edit.text() for name, edit in self.details[key].items()}
        return ManualAnswer(self.boxes[key].isChecked(),
                            bool(na is not None and na.isChecked()), details)

    def show_view(self, state: DischargeView, signed: bool) -> None:
        results = {m.key: m for m in state.evaluation.manual}
        for key, check in self.boxes.items():
            answer = state.manual.get(key)
            result = results.get(key)
            check.setChecked(bool(answer and answer.confirmed))
            check.setEnabled(not signed)
            na = self.na.get(key)
            if na is not None:
                na.setChecked(bool(answer and answer.not_applicable))
                na.setEnabled(not signed)
            for name, edit in self.details[key].items():
                if answer is not None:
                    edit.setText(str(answer.details.get(name, "")))
                edit.setReadOnly(signed)
                edit.setEnabled(not (na is not None and na.isChecked()))
            tip = "" if result is None or result.status in (MET, NOT_APPLICABLE) \
                else result.detail
            check.setToolTip(tip)


CAPTION_WIDTH = 320  # px: the REMS form's question column


class RemsSection(QGroupBox):
    """The SPRAVATO REMS form: record facts shown, the rest asked; ``changed(key)``."""

    changed = Signal(str)

    def __init__(self, items: tuple[RemsItem, ...], parent: QWidget | None = None) -> None:
        super().__init__("SPRAVATO REMS Patient Monitoring Form", parent)
        rems_form = QFormLayout(self)
        rems_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.widgets: dict[str, QWidget] = {}
        self.offers: dict[str, QPushButton] = {}  # the last session's answers, to confirm
        self._offered: dict[str, str] = {}  # field -> the answer each offer gives
        for item in items:
            f = item.field
            label = f.label + (" *" if f.required and not item.from_record else "")
            widget = self._widget(item)
            self.widgets[f.key] = widget
            caption = QLabel(label, self)
            caption.setWordWrap(True)  # long REMS questions wrap instead of widening
            # QFormLayout does not give a wrapped caption its height: fix the width and
            # ask for the height of the wrapped text, or a second line is cut
            caption.setFixedWidth(CAPTION_WIDTH)
            caption.setMinimumHeight(caption.heightForWidth(CAPTION_WIDTH))
            caption.setBuddy(widget)
            rems_form.addRow(caption, self._with_offer(item, widget))
        self.missing = _handle(QLabel(self), "rems_missing", "Required REMS fields missing")
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet(ERROR_STYLE)
        rems_form.addRow(self.missing)

    def _widget(self, item: RemsItem) -> QWidget:
        f = item.field
        key = f"rems_{f.key}"
        if item.from_record:
            label = _handle(QLabel(item.value or "–", self), key, f.label)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            return label
        if f.type == "yes_no":
            combo = _handle(QComboBox(self), key, f.label)
            for text, value in (("choose…", ""), ("Yes", "yes"), ("No", "no")):
                combo.addItem(text, value)
            combo.currentIndexChanged.connect(lambda _i, k=f.key: self.changed.emit(k))
            return combo
        edit = _handle(QLineEdit(self), key, f.label)
        if f.type == "integer":
            edit.setValidator(QIntValidator(0, 10000, edit))
            edit.setPlaceholderText("minutes")
        edit.setMaxLength(text_limit("rems_answer"))
        edit.editingFinished.connect(lambda k=f.key: self.changed.emit(k))
        return edit

    def _with_offer(self, item: RemsItem, widget: QWidget) -> QWidget:
        """The field, and beside it the last session's answer offered (offer_previous):
        never saved for this session until the nurse presses it."""
        f = item.field
        if item.from_record or not f.offer_previous:
            return widget
        button = offer_button(f"rems_{f.key}", f.label, self)
        button.clicked.connect(lambda _c=False, k=f.key: self._confirm_offer(k))
        self.offers[f.key] = button
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget, 1)
        row.addWidget(button)
        self._offered[f.key] = item.previous
        return box

    def _confirm_offer(self, key: str) -> None:
        value, widget = self._offered.get(key, ""), self.widgets[key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))  # emits changed
        elif isinstance(widget, QLineEdit):
            widget.setText(value)
            self.changed.emit(key)

    def value(self, key: str) -> str | None:
        """What the widget for one asked field holds now."""
        widget = self.widgets[key]
        if isinstance(widget, QComboBox):
            return widget.currentData()
        return widget.text() if isinstance(widget, QLineEdit | QLabel) else None

    def show_view(self, state: DischargeView, signed: bool) -> None:
        for item in state.rems:
            widget = self.widgets.get(item.field.key)
            if isinstance(widget, QLabel):
                widget.setText(item.value or "–")
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(item.value), 0))
                widget.setEnabled(not signed)
            elif isinstance(widget, QLineEdit):
                if not widget.hasFocus():
                    widget.setText(item.value)
                widget.setReadOnly(signed)
            offer = self.offers.get(item.field.key)
            if offer is not None:
                self._offered[item.field.key] = item.previous
                shown = {"yes": "Yes", "no": "No"}.get(item.previous, item.previous)
                show_offer(offer, item.previous_on,
                           shown if not signed and not item.value else "")
        missing = state.missing_rems
        self.missing.setText("Required and not yet answered: " + "; ".join(missing)
                             if missing else "")
        self.missing.setVisible(bool(missing))
