"""The discharge decision: live criteria, Aldrete, nurse checks, REMS, overrides, signing.

Everything shown comes from ``services.discharge_view``; every answer goes to a
service call and the view is read again. No clinical rule lives here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.discharge import MET, NOT_APPLICABLE, NOT_MET, ManualAnswer
from monitor_app.domain.models import ValidationError
from monitor_app.gui import printing
from monitor_app.gui.addendum_dialog import AddendumDialog
from monitor_app.gui.session import Session
from monitor_app.gui.sign_dialog import SignDialog
from monitor_app.services.discharge import DISCHARGE_MEANING
from monitor_app.services.errors import AuthError, DischargeRefused
from monitor_app.services.views import DischargeView, SignatureView, SignResult

COL_STATUS, COL_LABEL, COL_VALUE, COL_LIMIT, COL_OVERRIDE = range(5)
HEADERS = ("Status", "Criterion", "Value", "Limit", "Override")
STATUS_TEXT = {MET: "✓ Met", NOT_MET: "✗ Not met", "unknown": "? Not yet known"}
STATUS_BRUSH = {MET: "#e3f4e3", NOT_MET: "#fbe1e1", "unknown": "#fff2cc", "override": "#e6ecfa"}
DETAIL_LABELS = {"escort_name": "Escort's name", "escort_phone": "Escort's phone",
                 "next_appointment": "Date and time"}
ALDRETE_ITEMS = (("activity", "Activity"), ("respiration", "Respiration"),
                 ("circulation", "Circulation (percent-based)"),
                 ("consciousness", "Consciousness"), ("spo2", "Oxygen saturation"))
ERROR_STYLE = "color: #b00020; font-weight: bold;"
WARNING_STYLE = "color: #7a4a00; font-weight: bold;"


def _handle(widget: QWidget, key: str, label: str) -> QWidget:
    widget.setObjectName(key)
    widget.setAccessibleName(label)
    return widget


def fingerprint_text(content_hash: str) -> str:
    """The SHA-256 fingerprint in blocks of 8, easier to read aloud and compare."""
    return " ".join(content_hash[i:i + 8] for i in range(0, len(content_hash), 8))


def signature_text(s: SignatureView) -> str:
    when = s.signed_at.astimezone().strftime("%d %b %Y %H:%M %Z")
    return (f"{s.meaning} {s.signer_name}, {s.signer_credentials} on {when}\n"
            f"Fingerprint (SHA-256): {fingerprint_text(s.content_hash)}")


class OverrideDialog(QDialog):
    """A written reason and the authorising prescriber; ``ask()`` -> (reason, id) | None."""

    def __init__(self, criterion_label: str, prescribers: list, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Override: {criterion_label}")
        self.reason = _handle(QPlainTextEdit(self), "override_reason", "Reason for override")
        self.reason.setTabChangesFocus(True)
        self.prescriber = _handle(QComboBox(self), "prescriber", "Authorising prescriber")
        self.prescriber.addItem("choose…", 0)
        for p in prescribers:
            self.prescriber.addItem(f"{p.name}, {p.credentials}", p.id)
        note = QLabel(f"“{criterion_label}” is not met. An override is part of the record "
                      "and is printed on the sheet.", self)
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Written reason:", self.reason)
        form.addRow("Authorised by:", self.prescriber)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def ask(self) -> tuple[str, int] | None:
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.reason.toPlainText(), int(self.prescriber.currentData() or 0)


class DischargeDialog(QDialog):
    """``ask()`` returns the SignResult when the nurse signed the discharge, else None."""

    def __init__(self, session: Session, episode_id: int, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.session = session
        self.services = session.services
        self.episode_id = episode_id
        self.sign_result: SignResult | None = None
        self.state: DischargeView | None = None
        self._loading = False
        self.setObjectName("discharge_dialog")
        self.setWindowTitle("Discharge")
        state = self.services.discharge_view(episode_id)
        self.protocol = state.episode.protocol

        self.title = QLabel(self)
        self.title.setProperty("role", "summary")
        self.title.setObjectName("discharge_title")
        self.title.setWordWrap(True)
        self.status = _handle(QLabel(self), "discharge_status", "Discharge status")
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)

        # --- criteria --------------------------------------------------------------
        self.criteria = _handle(QTableWidget(0, len(HEADERS), self), "criteria",
                                "Discharge criteria")
        self.criteria.setHorizontalHeaderLabels(HEADERS)
        self.criteria.verticalHeader().hide()
        self.criteria.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.criteria.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.criteria.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.criteria.setWordWrap(False)  # one line a criterion; the full text in a tooltip
        self.criteria.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.criteria.horizontalHeader()
        for col in (COL_STATUS, COL_LABEL, COL_VALUE, COL_LIMIT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_OVERRIDE, QHeaderView.ResizeMode.Stretch)
        self.criteria.itemSelectionChanged.connect(self._on_criteria_selection_changed)
        self.override = _handle(QPushButton("Override…", self), "override",
                                "Override the selected criterion")
        self.override.clicked.connect(self._on_override_clicked)
        self.remove_override = _handle(QPushButton("Remove override", self),
                                       "remove_override", "Remove the selected override")
        self.remove_override.clicked.connect(self._on_remove_override_clicked)
        criteria_box = QGroupBox("Discharge criteria (evaluated live from the record)", self)
        box = QVBoxLayout(criteria_box)
        box.addWidget(self.criteria)
        row = QHBoxLayout()
        row.addWidget(self.override)
        row.addWidget(self.remove_override)
        row.addStretch(1)
        box.addLayout(row)

        # --- Modified Aldrete --------------------------------------------------------
        table = self.services.aldrete_table
        self.activity = self._score_combo("aldrete_activity", "Aldrete activity",
                                          table.activity)
        self.respiration = self._score_combo("aldrete_respiration", "Aldrete respiration",
                                             table.respiration)
        aldrete_box = QGroupBox("Modified Aldrete score", self)
        grid = QGridLayout(aldrete_box)
        self.aldrete_scores: dict[str, QLabel] = {}
        self.aldrete_basis: dict[str, QLabel] = {}
        for r, (key, label) in enumerate(ALDRETE_ITEMS):
            grid.addWidget(QLabel(label + ":", aldrete_box), r, 0)
            score = _handle(QLabel(aldrete_box), f"aldrete_{key}_score", f"{label} score")
            basis = QLabel(aldrete_box)
            basis.setWordWrap(True)
            self.aldrete_scores[key], self.aldrete_basis[key] = score, basis
            if key == "activity":
                grid.addWidget(self.activity, r, 1)
            elif key == "respiration":
                grid.addWidget(self.respiration, r, 1)
            else:
                grid.addWidget(basis, r, 1)
            grid.addWidget(score, r, 2)
        self.aldrete_total = _handle(QLabel(aldrete_box), "aldrete_total", "Aldrete total")
        grid.addWidget(self.aldrete_total, len(ALDRETE_ITEMS), 0, 1, 3)
        hint = QLabel("Each item 0, 1 or 2. Circulation is percent-based: the latest blood "
                      "pressure against the patient's baseline.", aldrete_box)
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        grid.addWidget(hint, len(ALDRETE_ITEMS) + 1, 0, 1, 3)
        grid.setColumnStretch(1, 1)

        # --- nurse checks ------------------------------------------------------------
        manual_box = QGroupBox("Nurse checks", self)
        manual_form = QGridLayout(manual_box)
        self.manual_boxes: dict[str, QCheckBox] = {}
        self.manual_na: dict[str, QCheckBox] = {}
        self.manual_details: dict[str, dict[str, QLineEdit]] = {}
        r = 0
        for item in self.protocol.manual:
            check = _handle(QCheckBox(item.label, manual_box), item.key, item.label)
            check.toggled.connect(lambda _on, k=item.key: self._on_manual_changed(k))
            self.manual_boxes[item.key] = check
            manual_form.addWidget(check, r, 0)
            if item.allow_na:
                na = _handle(QCheckBox("N/A", manual_box), f"{item.key}_na",
                             f"{item.label} not applicable")
                na.toggled.connect(lambda _on, k=item.key: self._on_manual_changed(k))
                self.manual_na[item.key] = na
                manual_form.addWidget(na, r, 1)
            r += 1
            self.manual_details[item.key] = {}
            for name in item.details:
                label = DETAIL_LABELS.get(name, name.replace("_", " ").capitalize())
                edit = _handle(QLineEdit(manual_box), name, label)
                edit.setPlaceholderText(label)
                edit.setMaxLength(200)
                edit.editingFinished.connect(lambda k=item.key: self._on_manual_changed(k))
                self.manual_details[item.key][name] = edit
                line = QHBoxLayout()
                line.setContentsMargins(28, 0, 0, 0)
                caption = QLabel(label + ":", manual_box)
                caption.setMinimumWidth(130)
                line.addWidget(caption)
                line.addWidget(edit, 1)
                manual_form.addLayout(line, r, 0, 1, 2)
                r += 1
        manual_form.setColumnStretch(0, 1)

        # --- REMS ----------------------------------------------------------------------
        self.rems_widgets: dict[str, QWidget] = {}
        self.rems_box: QGroupBox | None = None
        if state.rems:
            self.rems_box = QGroupBox("SPRAVATO REMS Patient Monitoring Form", self)
            rems_form = QFormLayout(self.rems_box)
            rems_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for item in state.rems:
                f = item.field
                label = f.label + (" *" if f.required and not item.from_record else "")
                widget = self._rems_widget(item)
                self.rems_widgets[f.key] = widget
                rems_form.addRow(label, widget)
            self.rems_missing = _handle(QLabel(self.rems_box), "rems_missing",
                                        "Required REMS fields missing")
            self.rems_missing.setWordWrap(True)
            self.rems_missing.setStyleSheet(ERROR_STYLE)
            rems_form.addRow(self.rems_missing)

        # --- signing, messages, printing ---------------------------------------------
        self.blocking = _handle(QLabel(self), "blocking", "Why it cannot be signed yet")
        self.blocking.setWordWrap(True)
        self.blocking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = _handle(QLabel(self), "message", "Message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        self.signature = _handle(QLabel(self), "signature", "Signature")
        self.signature.setWordWrap(True)
        self.signature.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature.hide()
        self.archive_problem = _handle(QLabel(self), "archive_problem", "Archive problem")
        self.archive_problem.setWordWrap(True)
        self.archive_problem.setStyleSheet(WARNING_STYLE)
        self.archive_problem.hide()

        self.preview = _handle(QPushButton("Preview sheet", self), "preview_sheet",
                               "Preview the discharge sheet")
        self.print_button = _handle(QPushButton("Print…", self), "print_sheet",
                                    "Print the discharge sheet")
        self.save = _handle(QPushButton("Save PDF…", self), "save_sheet",
                            "Save the discharge sheet as PDF")
        self.add_addendum = _handle(QPushButton("Add addendum…", self), "add_addendum",
                                    "Add a signed addendum")
        self.sign = _handle(QPushButton("Sign discharge…", self), "sign",
                            "Sign the discharge")
        self.sign.setDefault(False)
        self.sign.setAutoDefault(False)
        self.close_button = QPushButton("Close", self)
        self.close_button.setAutoDefault(False)
        self.preview.clicked.connect(self._on_preview_clicked)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save.clicked.connect(self._on_save_clicked)
        self.add_addendum.clicked.connect(self._on_add_addendum_clicked)
        self.sign.clicked.connect(self._on_sign_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.addWidget(criteria_box)
        columns = QHBoxLayout()
        columns.addWidget(aldrete_box, 1)
        columns.addWidget(manual_box, 1)
        body.addLayout(columns)
        if self.rems_box is not None:
            body.addWidget(self.rems_box)
        body.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        actions = QHBoxLayout()
        for button in (self.preview, self.print_button, self.save, self.add_addendum):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.sign)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.blocking)
        layout.addWidget(self.message)
        layout.addWidget(self.signature)
        layout.addWidget(self.archive_problem)
        layout.addLayout(actions)
        self.resize(1100, 900)
        self._fill_escort_defaults(state)
        self.refresh(state)

    # ------------------------------------------------------------------ building
    def _score_combo(self, key: str, label: str, texts: tuple[str, str, str]) -> QComboBox:
        combo = _handle(QComboBox(self), key, label)
        combo.addItem("choose…", None)
        for score, text in zip((2, 1, 0), texts, strict=True):
            combo.addItem(f"{score}: {text}", score)
        combo.currentIndexChanged.connect(self._on_aldrete_changed)
        return combo

    def _rems_widget(self, item) -> QWidget:
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
            combo.currentIndexChanged.connect(lambda _i, k=f.key: self._on_rems_changed(k))
            return combo
        edit = _handle(QLineEdit(self), key, f.label)
        if f.type == "integer":
            edit.setValidator(QIntValidator(0, 10000, edit))
            edit.setPlaceholderText("minutes")
        edit.setMaxLength(500)
        edit.editingFinished.connect(lambda k=f.key: self._on_rems_changed(k))
        return edit

    def _fill_escort_defaults(self, state: DischargeView) -> None:
        escort = state.episode.episode.escort
        defaults = {"escort_name": escort.name, "escort_phone": escort.phone}
        for key, edits in self.manual_details.items():
            if key in state.manual:
                continue
            for name, edit in edits.items():
                if defaults.get(name):
                    edit.setText(defaults[name])

    # ------------------------------------------------------------------ refreshing
    @property
    def signed(self) -> bool:
        return bool(self.state and self.state.episode.signed)

    def refresh(self, state: DischargeView | None = None) -> None:
        """Read the discharge state again and show it; every answer ends here."""
        self.state = state or self.services.discharge_view(self.episode_id)
        self._loading = True
        try:
            self._show_title()
            self._show_criteria()
            self._show_aldrete()
            self._show_manual()
            self._show_rems()
            self._show_signing()
        finally:
            self._loading = False

    def _show_title(self) -> None:
        view = self.state.episode
        e, p = view.episode, view.patient
        status = ("SIGNED and locked" if view.signed else
                  "Ready to sign" if self.state.can_sign else "Not ready to sign")
        self.title.setText(f"{p.name} · MRN {p.mrn} · episode {e.number}")
        self.status.setText(f"{view.protocol.name} — {status}")
        self.setWindowTitle(f"Discharge: {p.name} ({e.number})")

    def _show_criteria(self) -> None:
        selected = self.selected_criterion()
        results = self.state.evaluation.criteria
        self.criteria.setRowCount(len(results))
        for row, c in enumerate(results):
            if c.overridden:
                status, brush = f"✓ Overridden ({STATUS_TEXT.get(c.status, c.status)})", \
                    STATUS_BRUSH["override"]
                by = self.state.override_by.get(c.key, "")
                override = f"{c.override.reason} — authorised by {by}"
            else:
                status = STATUS_TEXT.get(c.status, c.status)
                brush = STATUS_BRUSH.get(c.status, "#ffffff")
                override = ""
            for col, text in ((COL_STATUS, status), (COL_LABEL, c.label),
                              (COL_VALUE, c.value), (COL_LIMIT, c.detail),
                              (COL_OVERRIDE, override)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c.key)
                item.setToolTip(text)
                if col == COL_STATUS:
                    item.setBackground(QBrush(QColor(brush)))
                self.criteria.setItem(row, col, item)
            if c.key == selected:
                self.criteria.selectRow(row)
        self.criteria.resizeRowsToContents()
        height = self.criteria.horizontalHeader().height() + 4
        height += sum(self.criteria.rowHeight(r) for r in range(self.criteria.rowCount()))
        self.criteria.setMinimumHeight(height)
        self._on_criteria_selection_changed()

    def _show_aldrete(self) -> None:
        s = self.state
        for combo, value in ((self.activity, s.activity), (self.respiration, s.respiration)):
            combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)
            combo.setEnabled(not self.signed)
        items = s.aldrete.items if s.aldrete else {}
        for key, _label in ALDRETE_ITEMS:
            score, basis = items.get(key, (None, ""))
            self.aldrete_scores[key].setText(f"{score} / 2" if score is not None else "– / 2")
            if key not in ("activity", "respiration"):
                self.aldrete_basis[key].setText(basis or "not scored yet")
        if s.aldrete:
            self.aldrete_total.setText(f"Total {s.aldrete.total} / 10")
        else:
            self.aldrete_total.setText("Total: not scored yet (answer activity and "
                                       "respiration; needs BP, SpO2, MOAA/S and a baseline)")

    def _show_manual(self) -> None:
        results = {m.key: m for m in self.state.evaluation.manual}
        for key, check in self.manual_boxes.items():
            answer = self.state.manual.get(key)
            result = results.get(key)
            check.setChecked(bool(answer and answer.confirmed))
            check.setEnabled(not self.signed)
            na = self.manual_na.get(key)
            if na is not None:
                na.setChecked(bool(answer and answer.not_applicable))
                na.setEnabled(not self.signed)
            for name, edit in self.manual_details[key].items():
                if answer is not None:
                    edit.setText(str(answer.details.get(name, "")))
                edit.setReadOnly(self.signed)
                edit.setEnabled(not (na is not None and na.isChecked()))
            tip = "" if result is None or result.status in (MET, NOT_APPLICABLE) \
                else result.detail
            check.setToolTip(tip)

    def _show_rems(self) -> None:
        if self.rems_box is None:
            return
        for item in self.state.rems:
            widget = self.rems_widgets.get(item.field.key)
            if isinstance(widget, QLabel):
                widget.setText(item.value or "–")
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(item.value), 0))
                widget.setEnabled(not self.signed)
            elif isinstance(widget, QLineEdit):
                if not widget.hasFocus():
                    widget.setText(item.value)
                widget.setReadOnly(self.signed)
        missing = self.state.missing_rems
        self.rems_missing.setText("Required and not yet answered: " + "; ".join(missing)
                                  if missing else "")
        self.rems_missing.setVisible(bool(missing))

    def _show_signing(self) -> None:
        s = self.state
        signed = s.episode.signed
        self.sign.setEnabled(s.can_sign)
        self.sign.setVisible(not signed)
        self.add_addendum.setVisible(signed)
        self.override.setVisible(not signed)
        self.remove_override.setVisible(not signed)
        draft = "" if signed else " (draft)"
        self.preview.setText(f"Preview sheet{draft}")
        self.print_button.setText(f"Print{draft}…")
        self.save.setText(f"Save PDF{draft}…")
        if signed:
            self.blocking.setText("This episode is signed and locked. Later facts go in a "
                                  "signed addendum.")
            self.blocking.setStyleSheet("")
        elif s.can_sign:
            self.blocking.setText("✓ Every criterion is met or overridden: ready to sign.")
            self.blocking.setStyleSheet("")
        else:
            reasons = list(s.evaluation.blocking)
            reasons += [f"REMS form: {label} is required" for label in s.missing_rems]
            self.blocking.setText("Cannot sign yet:\n" + "\n".join(f"✗ {r}" for r in reasons))
            self.blocking.setStyleSheet(ERROR_STYLE)
        signatures = s.episode.signatures
        if signatures:
            lines = [signature_text(x) for x in signatures]
            for a in s.episode.addenda:
                lines.append(f"Addendum: {a.text}")
            self.signature.setText("\n\n".join(lines))
            self.signature.show()

    # ------------------------------------------------------------------ answers
    def _call(self, fn, *args) -> bool:
        """Run one service call; a refusal is shown, never raised."""
        try:
            fn(self.session.staff_id, self.episode_id, *args)
        except ValidationError as exc:
            self.show_message(exc.message if exc.field in ("", "sign") else
                              f"{exc.field.replace('_', ' ')}: {exc.message}")
            self.refresh()
            return False
        self.show_message("")
        self.refresh()
        self.session.notify(self.episode_id)
        return True

    def _show_note(self, text: str, warning: bool) -> None:
        self.archive_problem.setText(text)
        self.archive_problem.setStyleSheet(WARNING_STYLE if warning else "")
        self.archive_problem.setVisible(bool(text))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_aldrete_changed(self, _index: int) -> None:
        if self._loading:
            return
        activity, respiration = self.activity.currentData(), self.respiration.currentData()
        if activity is None or respiration is None:
            return  # both are saved together, once both are chosen
        self._call(self.services.answer_aldrete, activity, respiration)

    def _on_manual_changed(self, key: str) -> None:
        if self._loading:
            return
        na = self.manual_na.get(key)
        details = {name: edit.text() for name, edit in self.manual_details[key].items()}
        answer = ManualAnswer(self.manual_boxes[key].isChecked(),
                              bool(na is not None and na.isChecked()), details)
        if answer == self.state.manual.get(key) or (
                key not in self.state.manual and not answer.confirmed
                and not answer.not_applicable):
            return  # nothing changed (a detail typed before the box is ticked waits)
        self._call(self.services.answer_manual, key, answer)

    def _on_rems_changed(self, key: str) -> None:
        if self._loading:
            return
        widget = self.rems_widgets[key]
        value = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        current = next((i.value for i in self.state.rems if i.field.key == key), "")
        if (value or "").strip() == current:
            return
        self._call(self.services.answer_rems, key, value or "")

    # ------------------------------------------------------------------ overrides
    def selected_criterion(self) -> str | None:
        items = self.criteria.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _selected_result(self):
        key = self.selected_criterion()
        return next((c for c in self.state.evaluation.criteria if c.key == key), None) \
            if self.state else None

    def _on_criteria_selection_changed(self) -> None:
        c = self._selected_result()
        self.override.setEnabled(bool(c and not c.ok and not self.signed))
        self.remove_override.setEnabled(bool(c and c.overridden and not self.signed))

    def _on_override_clicked(self) -> None:
        c = self._selected_result()
        if c is None or c.ok:
            return
        dialog = OverrideDialog(c.label, self.services.prescribers(), self)
        answer = dialog.ask()
        dialog.deleteLater()
        if answer is None:
            return
        reason, prescriber_id = answer
        self._call(self.services.add_override, c.key, reason, prescriber_id)

    def _on_remove_override_clicked(self) -> None:
        c = self._selected_result()
        if c is not None and c.overridden:
            self._call(self.services.remove_override, c.key)

    # ------------------------------------------------------------------ signing
    def _on_sign_clicked(self) -> None:
        self.sign_discharge()

    def sign_discharge(self) -> SignResult | None:
        """Ask the PIN (again after a wrong one), sign, then show what was signed."""
        error = ""
        while True:
            dialog = SignDialog(self.session, DISCHARGE_MEANING, self)
            if error:
                dialog.show_error(error)
            pin = dialog.ask()
            dialog.deleteLater()
            if pin is None:
                self.show_message(f"Not signed: {error}" if error else "")
                return None
            try:
                result = self.services.sign_discharge(self.session.staff_id, pin,
                                                      self.episode_id)
            except AuthError as exc:
                error = exc.message
                continue
            except DischargeRefused as exc:
                self.show_message("Signing refused:\n" +
                                  "\n".join(f"✗ {r}" for r in exc.reasons))
                self.refresh()
                return None
            except ValidationError as exc:
                self.show_message(f"Signing refused: {exc.message}")
                self.refresh()
                return None
            break
        self.sign_result = result
        self.show_message("")
        if result.archive_problem:
            self._show_note("⚠ " + result.archive_problem, warning=True)
        elif result.archived_to is not None:
            self._show_note(f"Sheet archived to {result.archived_to}", warning=False)
        self.refresh()
        self.session.notify(self.episode_id)
        return result

    def _on_add_addendum_clicked(self) -> None:
        dialog = AddendumDialog(self.session, self.episode_id, self)
        result = dialog.ask()
        dialog.deleteLater()
        if result is not None:
            if result.archive_problem:
                self._show_note("⚠ " + result.archive_problem, warning=True)
            self.refresh()

    # ------------------------------------------------------------------ the sheet
    def _sheet(self) -> bytes | None:
        try:
            return self.services.sheet_pdf(self.episode_id)
        except (OSError, ValidationError) as exc:
            self.show_message(f"The sheet could not be made: {exc}")
            return None

    def sheet_name(self) -> str:
        view = self.state.episode
        draft = "" if view.signed else "_DRAFT"
        return f"{view.patient.mrn}_{view.episode.number}{draft}.pdf"

    def _on_preview_clicked(self) -> None:
        pdf = self._sheet()
        if pdf is not None:
            self.preview_window = printing.preview_pdf(
                self, pdf, f"Discharge sheet {self.state.episode.episode.number}")

    def _on_print_clicked(self) -> None:
        pdf = self._sheet()
        if pdf is not None:
            printing.print_pdf(self, pdf)

    def _on_save_clicked(self) -> None:
        pdf = self._sheet()
        if pdf is not None:
            path = printing.save_pdf(self, pdf, self.sheet_name())
            if path is not None:
                self.show_message("")
                self._show_note(f"Sheet saved to {path}", warning=False)

    def _on_close_clicked(self) -> None:
        if self.sign_result is not None:
            self.accept()
        else:
            self.reject()

    def ask(self) -> SignResult | None:
        self.exec()
        return self.sign_result


def open_discharge_dialog(parent: QWidget | None, session: Session,
                          episode_id: int) -> SignResult | None:
    """Open the discharge dialog for an episode; the SignResult if it was signed."""
    dialog = DischargeDialog(session, episode_id, parent)
    try:
        return dialog.ask()
    finally:
        dialog.deleteLater()
