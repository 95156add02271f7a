"""The documents of one episode, chosen and handed out: Patient copy, Chart copy or the
REMS form (only under a REMS protocol), the patient copy's language, and Preview,
Print, Save PDF. Used by the discharge dialog and the history window.

While the episode is open, choosing a language saves it as the episode's (audited), so
the copies archived at signing are in it. Once signed the record is locked: another
language only changes what is printed now.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from monitor_app.domain.documents import COPY_TITLES, DocumentCopy, language_name
from monitor_app.domain.models import ValidationError
from monitor_app.gui.common import printing
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import set_handle
from monitor_app.services.errors import NotSignedIn, StorageError

COPY_ORDER = (DocumentCopy.PATIENT, DocumentCopy.CHART, DocumentCopy.REMS)
SHORT_TITLES = {DocumentCopy.PATIENT: "Patient copy", DocumentCopy.CHART: "Chart copy",
                DocumentCopy.REMS: "REMS form"}
USER_ERRORS = (ValidationError, StorageError, OSError, NotSignedIn)


class DocumentsPanel(QWidget):
    """``report(text, warning)`` says what happened (saved to…, could not be made)."""

    def __init__(self, session: Session, key: str, report: Callable[[str, bool], None],
                 default: DocumentCopy = DocumentCopy.PATIENT,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.services = session.services
        self.report = report
        self.default = default
        self.episode_id: int | None = None
        self.name_stem = ""  # MRN_EPISODE, in the preview's title
        self.record_language = ""  # the language the record's patient copy is in
        self.signed = False
        self.writable = False
        self._loading = False
        self.preview_window: QWidget | None = None
        self.copy = set_handle(QComboBox(self), f"{key}_copy", "Document")
        self.language = set_handle(QComboBox(self), f"{key}_language",
                                   "Language of the patient copy")
        self.preview = set_handle(QPushButton("Preview", self), f"{key}_preview",
                                  "Preview the document")
        self.print_button = set_handle(QPushButton("Print", self), f"{key}_print",
                                       "Print the document")
        self.save = set_handle(QPushButton("Save PDF…", self), f"{key}_save",
                               "Save the document as PDF")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Document:", self))
        row.addWidget(self.copy)
        self.language_label = QLabel("Language:", self)
        row.addWidget(self.language_label)
        row.addWidget(self.language)
        for button in (self.preview, self.print_button, self.save):
            row.addWidget(button)
        row.addStretch(1)
        self.copy.currentIndexChanged.connect(self._on_copy_changed)
        self.language.currentIndexChanged.connect(self._on_language_changed)
        self.preview.clicked.connect(self._on_preview_clicked)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save.clicked.connect(self._on_save_clicked)
        self.set_episode(None)

    # ------------------------------------------------------------------ the episode
    def set_episode(self, episode_id: int | None, *, signed: bool = False,
                    writable: bool = False, name_stem: str = "") -> None:
        """Show the documents of ``episode_id`` (None: nothing chosen, all disabled)."""
        keep = self.chosen_copy()
        self.episode_id, self.signed, self.writable = episode_id, signed, writable
        self.name_stem = name_stem
        self._loading = True
        try:
            self.copy.clear()
            self.language.clear()
            if episode_id is not None:
                try:
                    copies = self.services.documents.copies(episode_id)
                    languages = self.services.documents.languages(episode_id)
                    chosen = self.services.documents.instructions_language(episode_id)
                except USER_ERRORS as exc:
                    self.report(f"The documents could not be read: {exc}", True)
                    copies, languages, chosen = (), (), ""
                self.record_language = chosen
                for copy in COPY_ORDER:
                    if copy in copies:
                        self.copy.addItem(SHORT_TITLES[copy], copy)
                for code in languages:
                    self.language.addItem(language_name(code), code)
                want = keep if keep in copies else self.default
                self.copy.setCurrentIndex(max(self.copy.findData(want), 0))
                self.language.setCurrentIndex(max(self.language.findData(chosen), 0))
        finally:
            self._loading = False
        draft = "" if signed else " (draft)"
        self.preview.setText(f"Preview{draft}")
        self.print_button.setText(f"Print{draft}")
        self.save.setText(f"Save PDF{draft}…")
        self._on_copy_changed()

    def chosen_copy(self) -> DocumentCopy | None:
        data = self.copy.currentData()
        return DocumentCopy(data) if data else None

    def chosen_language(self) -> str:
        return str(self.language.currentData() or "")

    def _on_copy_changed(self, *_args: object) -> None:
        there = self.episode_id is not None and self.copy.count() > 0
        for widget in (self.copy, self.preview, self.print_button, self.save):
            widget.setEnabled(there)
        patient = self.chosen_copy() == DocumentCopy.PATIENT
        self.language.setEnabled(there and patient and self.language.count() > 1)
        self.language.setToolTip(
            "" if not patient else "The language of the instructions on the patient copy"
            if self.writable else "The signed record keeps the language chosen at signing; "
            "another one changes only this print")

    def _on_language_changed(self, *_args: object) -> None:
        if self._loading or self.episode_id is None or not self.writable:
            return
        try:  # an open episode: the choice is the episode's, audited
            self.services.documents.set_instructions_language(
                self.session.staff_id, self.episode_id, self.chosen_language())
        except USER_ERRORS as exc:
            self.report(f"The language was not saved: {exc}", True)
            self._loading = True  # show the language the record keeps
            self.language.setCurrentIndex(max(self.language.findData(self.record_language), 0))
            self._loading = False
            return
        self.record_language = self.chosen_language()
        self.session.notify(self.episode_id)

    # ------------------------------------------------------------------ the PDF
    def pdf(self) -> bytes | None:
        copy = self.chosen_copy()
        if self.episode_id is None or copy is None:
            return None
        language = self.chosen_language() if copy == DocumentCopy.PATIENT else None
        try:
            return self.services.documents.document_pdf(self.episode_id, copy,
                                                        language=language or None)
        except USER_ERRORS as exc:
            self.report(f"The {SHORT_TITLES[copy].lower()} could not be made: {exc}", True)
            return None

    def file_name(self) -> str:
        """What Save PDF suggests (``MRN_DATE_COPY.pdf``, ``_DRAFT`` until signed); a
        patient copy in another language than the record's says which."""
        copy = self.chosen_copy()
        if self.episode_id is None or copy is None:
            return "document.pdf"
        name = self.services.documents.save_name(self.episode_id, copy)
        language = self.chosen_language()
        if copy == DocumentCopy.PATIENT and language and language != self.record_language:
            name = name.replace(f"_{copy.value}", f"_{copy.value}-{language}", 1)
        return name

    def title(self) -> str:
        copy = self.chosen_copy()
        return COPY_TITLES[copy] if copy is not None else "Document"

    def _on_preview_clicked(self) -> None:
        pdf = self.pdf()
        if pdf is not None:
            self.preview_window = printing.preview_pdf(
                self.window(), pdf, f"{self.title()} {self.name_stem}")

    def _on_print_clicked(self) -> None:
        pdf = self.pdf()
        if pdf is not None:
            printer = printing.print_pdf(self.window(), pdf, self.file_name(),
                                         self.services.settings())
            if printer is not None:
                self.report(f"{self.title()} sent to {printer}", False)

    def _on_save_clicked(self) -> None:
        pdf = self.pdf()
        if pdf is not None:
            path = printing.save_pdf(self.window(), pdf, self.file_name(),
                                     self.services.settings())
            if path is not None:
                self.report(f"{self.title()} saved to {path}", False)
