"""The discharge decision: live criteria, Aldrete, nurse checks, REMS, overrides, signing.

Everything shown comes from ``services.discharge_view``; every answer goes to a
service call and the view is read again. No clinical rule lives here. The sections
are built in ``discharge_sections``; the override dialog is in ``override_dialog``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from monitor_app.domain.documents import DocumentCopy
from monitor_app.domain.models import Phase, ValidationError
from monitor_app.gui.common.documents_panel import DocumentsPanel
from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import set_handle as _handle
from monitor_app.gui.discharge.addendum_dialog import AddendumDialog
from monitor_app.gui.discharge.discharge_sections import (
    COL_STATUS,
    COL_VALUE,
    AldreteSection,
    CriteriaSection,
    ManualSection,
    RemsSection,
)
from monitor_app.gui.discharge.discharge_signoff import (
    SignOffPanel,
    fingerprint_text,
    signature_text,
)
from monitor_app.gui.discharge.export_dialog import ExportFhirDialog
from monitor_app.gui.discharge.override_dialog import OverrideDialog
from monitor_app.gui.discharge.sign_dialog import SignDialog
from monitor_app.services.discharge import DISCHARGE_MEANING
from monitor_app.services.errors import AuthError, DischargeRefused, StorageError
from monitor_app.services.views import DischargeView, SignResult

# names that moved to the section modules and are still imported from here
__all__ = ["COL_STATUS", "COL_VALUE", "DischargeDialog", "OverrideDialog", "fingerprint_text",
           "open_discharge_dialog", "signature_text"]


class DischargeDialog(QDialog):
    """``ask()`` returns the SignResult when the nurse signed the discharge, else None."""

    def __init__(self, session: Session, episode_id: int, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.session = session
        self.services = session.services
        self.episode_id = episode_id
        self.sign_result: SignResult | None = None
        self._loading = False
        self.setObjectName("discharge_dialog")
        self.setWindowTitle("Discharge")
        state = self.services.discharge_view(episode_id)
        self.state: DischargeView = state
        self.protocol = state.episode.protocol

        self.title = QLabel(self)
        self.title.setProperty("role", "summary")
        self.title.setObjectName("discharge_title")
        self.title.setWordWrap(True)
        self.status = _handle(QLabel(self), "discharge_status", "Discharge status")
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)

        # --- the sections: criteria, Modified Aldrete, nurse checks, REMS -----------
        self.criteria_section = CriteriaSection(self)
        self.criteria = self.criteria_section.table
        self.override = self.criteria_section.override
        self.remove_override = self.criteria_section.remove_override
        self.criteria.itemSelectionChanged.connect(self._on_criteria_selection_changed)
        self.override.clicked.connect(self._on_override_clicked)
        self.remove_override.clicked.connect(self._on_remove_override_clicked)

        self.aldrete_section = AldreteSection(self.services.aldrete_table, self)
        self.activity = self.aldrete_section.activity
        self.respiration = self.aldrete_section.respiration
        self.activity.currentIndexChanged.connect(self._on_aldrete_changed)
        self.respiration.currentIndexChanged.connect(self._on_aldrete_changed)
        self.aldrete_scores = self.aldrete_section.scores
        self.aldrete_basis = self.aldrete_section.basis
        self.aldrete_total = self.aldrete_section.total

        self.manual_section = ManualSection(self.protocol.manual, self)
        self.manual_section.changed.connect(self._on_manual_changed)
        self.manual_boxes = self.manual_section.boxes
        self.manual_na = self.manual_section.na
        self.manual_details = self.manual_section.details

        self.rems_widgets: dict[str, QWidget] = {}
        self.rems_box: RemsSection | None = None
        if state.rems:
            self.rems_box = RemsSection(state.rems, self)
            self.rems_box.changed.connect(self._on_rems_changed)
            self.rems_widgets = self.rems_box.widgets
            self.rems_missing = self.rems_box.missing

        # --- signing, messages, the documents -----------------------------------------
        self.documents = DocumentsPanel(session, "discharge", self._on_documents_report,
                                        default=DocumentCopy.CHART, parent=self)
        self._documents_of: tuple[int, bool] | None = None  # (episode, signed) shown
        self.signoff = SignOffPanel(self.documents, self)
        self.blocking, self.message = self.signoff.blocking, self.signoff.message
        self.signature = self.signoff.signature
        self.archive_problem = self.signoff.archive_problem
        self.preview, self.print_button = self.documents.preview, self.documents.print_button
        self.save, self.add_addendum = self.documents.save, self.signoff.add_addendum
        self.sign, self.close_button = self.signoff.sign, self.signoff.close_button
        self.export_fhir = self.signoff.export_fhir
        self.export_fhir.clicked.connect(self._on_export_fhir_clicked)
        self.add_addendum.clicked.connect(self._on_add_addendum_clicked)
        self.sign.clicked.connect(self._on_sign_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.addWidget(self.criteria_section)
        columns = QHBoxLayout()
        columns.addWidget(self.aldrete_section, 1)
        columns.addWidget(self.manual_section, 1)
        body.addLayout(columns)
        if self.rems_box is not None:
            body.addWidget(self.rems_box)
        body.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.signoff)
        fit_to_screen(self, 1100, 900)
        self.manual_section.fill_escort_defaults(state)
        self.refresh(state)

    # ------------------------------------------------------------------ refreshing
    @property
    def signed(self) -> bool:
        return self.state.episode.signed

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
        self.criteria_section.show_view(self.state)
        self._on_criteria_selection_changed()

    def _show_aldrete(self) -> None:
        self.aldrete_section.show_view(self.state, self.signed)

    def _show_manual(self) -> None:
        self.manual_section.show_view(self.state, self.signed)

    def _show_rems(self) -> None:
        if self.rems_box is not None:
            self.rems_box.show_view(self.state, self.signed)

    def _show_signing(self) -> None:
        self.override.setVisible(not self.signed)
        self.remove_override.setVisible(not self.signed)
        self.signoff.show_view(self.state)
        view = self.state.episode
        shown = (view.episode.id, view.signed)
        if shown != self._documents_of:  # the copies and the draft mark change at signing
            self._documents_of = shown
            self.documents.set_episode(
                view.episode.id, signed=view.signed,
                writable=not view.signed and view.episode.phase not in (
                    Phase.DISCHARGED, Phase.CANCELLED),
                name_stem=f"{view.patient.mrn}_{view.episode.number}")

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
        except StorageError as exc:
            self.show_message(f"Not saved: {exc}")
            self.refresh()
            return False
        self.show_message("")
        self.refresh()
        self.session.notify(self.episode_id)
        return True

    def _show_note(self, text: str, warning: bool) -> None:
        self.signoff.show_note(text, warning)

    def show_message(self, text: str) -> None:
        self.signoff.show_message(text)

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
        answer = self.manual_section.answer(key)
        if answer == self.state.manual.get(key) or (
                key not in self.state.manual and not answer.confirmed
                and not answer.not_applicable):
            return  # nothing changed (a detail typed before the box is ticked waits)
        self._call(self.services.answer_manual, key, answer)

    def _on_rems_changed(self, key: str) -> None:
        if self._loading or self.rems_box is None:
            return
        value = self.rems_box.value(key)
        current = next((i.value for i in self.state.rems if i.field.key == key), "")
        if (value or "").strip() == current:
            return
        self._call(self.services.answer_rems, key, value or "")

    # ------------------------------------------------------------------ overrides
    def selected_criterion(self) -> str | None:
        return self.criteria_section.selected_key()

    def _selected_result(self):
        key = self.selected_criterion()
        return next((c for c in self.state.evaluation.criteria if c.key == key), None)

    def _on_criteria_selection_changed(self) -> None:
        self.criteria_section.show_override_state(self._selected_result(), self.signed)

    def _on_override_clicked(self) -> None:
        c = self._selected_result()
        if c is None or c.ok or c.not_overridable:
            return
        dialog = OverrideDialog(self.session, self.episode_id, c.key, c.label, self)
        recorded = dialog.ask()
        dialog.deleteLater()
        if recorded:
            self.show_message("")
            self.refresh()
            self.session.notify(self.episode_id)

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
            except StorageError as exc:
                self.show_message(f"Not signed: {exc}")
                self.refresh()
                return None
            break
        self.sign_result = result
        self.show_message("")
        if result.archive_problem or result.export_problem:
            self._show_problems(result)
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
            if result.archive_problem or result.export_problem:
                self._show_problems(result)
            self.refresh()

    def _show_problems(self, result: SignResult) -> None:
        problems = (result.archive_problem, result.export_problem)
        self._show_note("\n".join("⚠ " + p for p in problems if p), warning=True)

    def _on_export_fhir_clicked(self) -> None:
        view = self.state.episode
        dialog = ExportFhirDialog(self, f"{view.patient.mrn}_{view.episode.number}.fhir.json")
        path = dialog.ask()
        dialog.deleteLater()
        if path is None:
            return
        try:  # the save dialog has already asked before replacing a file
            written = self.services.exports.export_fhir(self.episode_id, path, force=True)
        except ValidationError as exc:
            self.show_message(f"Not exported: {exc.message}")
            return
        except OSError as exc:
            self.show_message(f"Not exported: {exc.strerror or exc}")
            return
        self.show_message("")
        self._show_note(f"FHIR bundle for the EHR saved to {written}", warning=False)

    # ------------------------------------------------------------------ the documents
    @property
    def preview_window(self) -> QWidget | None:
        return self.documents.preview_window

    def _on_documents_report(self, text: str, warning: bool) -> None:
        if warning:
            self.show_message(text)
        else:
            self.show_message("")
            self._show_note(text, warning=False)

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
