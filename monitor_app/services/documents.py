"""The three documents of one record: chart copy, patient copy, REMS form.

``DocumentUseCases`` renders each from the sheet's data (``sheet.build_sheet`` with
``chart_record``), saves a copy where the user says, and keeps the language of the
patient's instructions. Signing archives all of them (``SheetUseCases.archive_sheet``);
an archived file is never replaced: each addendum adds ``..._addendum-N.pdf`` files
beside the ones written before.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from monitor_app.domain.discharge import ManualAnswer
from monitor_app.domain.documents import DocumentCopy, archive_suffix, save_file_name
from monitor_app.domain.models import ValidationError
from monitor_app.reports import sheet_data as sd
from monitor_app.services.chart_record import LANGUAGE_KEY, instructions_language
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.services.output_file import database_files, write_new_file
from monitor_app.services.sheet import (
    SheetUseCases,
    build_sheet,
    copies_of,
    record_file_name,
    render_copy,
)
from monitor_app.storage import repository as repo


class DocumentUseCases:
    def __init__(self, ctx: ServiceContext, sheets: SheetUseCases, episodes: EpisodeUseCases,
                 credentials: CredentialUseCases) -> None:
        self.ctx = ctx
        self.sheets = sheets
        self.episodes = episodes
        self.credentials = credentials

    # ------------------------------------------------------------------ language
    def languages(self, episode_id: int) -> tuple[str, ...]:
        """The languages the episode's protocol has instructions in, default first."""
        return self.ctx.protocol_of(self.episodes.episode(episode_id)).languages

    def instructions_language(self, episode_id: int) -> str:
        protocol = self.ctx.protocol_of(self.episodes.episode(episode_id))
        return instructions_language(self.ctx, episode_id, protocol)

    def set_instructions_language(self, actor_id: int, episode_id: int, language: str) -> None:
        """The language of the patient's instructions for this episode (audited)."""
        self.ctx.active_actor(actor_id)
        episode = self.episodes.writable(episode_id)
        protocol = self.ctx.protocol_of(episode)
        if language not in protocol.languages:
            raise ValidationError("language", f"{protocol.name} has instructions in "
                                  f"{', '.join(protocol.languages)}, not {language!r}")
        repo.save_checklist_answer(self.ctx.db, episode_id, LANGUAGE_KEY,
                                   ManualAnswer(True, False, {"language": language}),
                                   actor_id=actor_id, at=self.ctx.clock.now())

    # ------------------------------------------------------------------ documents
    def copies(self, episode_id: int) -> tuple[DocumentCopy, ...]:
        """The documents this episode has: the REMS form only under a REMS protocol."""
        return copies_of(self.ctx.protocol_of(self.episodes.episode(episode_id)))

    def document_data(self, episode_id: int) -> sd.SheetData:
        return build_sheet(self.ctx, self.sheets.discharge.discharge_view(episode_id))

    def document_pdf(self, episode_id: int, copy: DocumentCopy | str = DocumentCopy.CHART,
                     *, language: str | None = None) -> bytes:
        """One of the documents as it stands (DRAFT across every page until signed).
        ``language`` prints the patient copy's instructions in another of the
        protocol's languages, for this print only: the record keeps its own."""
        chosen = self._copy(episode_id, copy)
        data = self.document_data(episode_id)
        if language is not None and chosen == DocumentCopy.PATIENT \
                and language != data.language:
            protocol = self.ctx.protocol_of(self.episodes.episode(episode_id))
            if language not in protocol.languages:
                raise ValidationError("language", f"{protocol.name} has instructions in "
                                      f"{', '.join(protocol.languages)}, not {language!r}")
            text = protocol.instructions_in(language)
            data = replace(data, language=language, instructions_title=text.title,
                           instructions=text.lines)
        return render_copy(self.ctx, data, chosen)

    def _copy(self, episode_id: int, copy: DocumentCopy | str) -> DocumentCopy:
        try:
            chosen = DocumentCopy(copy)
        except ValueError:
            raise ValidationError("copy", "copy must be one of "
                                  f"{', '.join(c.value for c in DocumentCopy)}") from None
        if chosen not in self.copies(episode_id):
            raise ValidationError("copy", "this episode's protocol has no REMS form")
        return chosen

    def save_document_as(self, episode_id: int, copy: DocumentCopy | str, path: Path, *,
                         force: bool = False) -> Path:
        """A document written to a path the user named (the rules of ``pdf -o``)."""
        return write_new_file(path, self.document_pdf(episode_id, copy),
                              protected=database_files(self.ctx.db_path), force=force)

    def archive_name(self, episode_id: int, copy: DocumentCopy, version: int) -> str:
        view = self.episodes.episode_view(episode_id)
        return record_file_name(self.ctx, view, archive_suffix(copy, version))

    def save_name(self, episode_id: int, copy: DocumentCopy = DocumentCopy.CHART) -> str:
        """The file name Save PDF suggests: ``MRN_DATE_COPY.pdf``, ``_DRAFT`` until signed."""
        view = self.episodes.episode_view(episode_id)
        started = view.episode.dosing_start or view.episode.created_at
        return save_file_name(view.patient.mrn, started.astimezone(self.ctx.local_zone()).date(),
                              copy, draft=not view.signed)
