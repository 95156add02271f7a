"""Exports of signed episodes: the FHIR R4 bundle for the EHR and CSV for spreadsheets.

Only signed episodes leave the app: an open record may still change, and an EHR that
imported it would keep values the nurse later corrected. The documents themselves are
made by ``reports`` from plain data gathered here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from monitor_app.domain.documents import DocumentCopy, archive_suffix
from monitor_app.domain.models import Episode, ValidationError
from monitor_app.reports.csv_export import CsvEpisode, CsvObservation, episodes_csv
from monitor_app.reports.fhir_bundle import EpisodeExport, SignatureFacts, episode_bundle
from monitor_app.reports.fhir_codes import FhirCodes, load_fhir_codes
from monitor_app.services.context import ServiceContext
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.services.errors import NotAllowed
from monitor_app.services.settings import placeholder_system_uri
from monitor_app.services.sheet import SheetUseCases, record_file_name
from monitor_app.services.views import EpisodeView, ObservationRow
from monitor_app.storage import audit, file_guard
from monitor_app.storage import repository as repo
from monitor_app.storage.db import make_private_dirs

_PAGE = 500


def write_new_file(path: Path, data: bytes, force: bool = False,
                   db_path: Path | None = None) -> Path:
    """Write ``data`` (mode 0600); an existing regular file is replaced only with
    ``force``; never the database, a link, a device or a pipe (``output_file``)."""
    from monitor_app.services import output_file

    return output_file.write_new_file(path, data, force=force,
                                      protected=output_file.database_files(db_path))


@dataclass(frozen=True)
class CsvResult:
    path: Path
    episodes: int
    rows: int
    unsigned_left_out: int


class ExportUseCases:
    def __init__(self, ctx: ServiceContext, episodes: EpisodeUseCases,
                 sheets: SheetUseCases) -> None:
        self.ctx = ctx
        self.episodes = episodes
        self.sheets = sheets

    def fhir_codes(self) -> FhirCodes:
        return load_fhir_codes(self.ctx.resources / "fhir" / "codes.toml")

    def mrn_system(self) -> str:
        settings = self.ctx.settings()
        return settings.fhir_system_uri or placeholder_system_uri(settings.clinic_name)

    def signed_view(self, episode_id: int) -> EpisodeView:
        view = self.episodes.episode_view(episode_id)
        if not view.signed:
            raise NotAllowed("export", f"episode {view.episode.number} is not signed; only "
                             "a signed record is exported (it could still change)")
        return view

    def signed_sheet_pdf(self, view: EpisodeView) -> bytes:
        """The archived sheet as it was written at signing; made again (and signed with
        the clinic's key, as the archive does) when the file is missing."""
        version = sum(1 for a in view.addenda if a.signature is not None)
        suffix = archive_suffix(DocumentCopy.CHART, version)  # the latest version
        archived = self.ctx.archive_dir() / record_file_name(self.ctx, view, suffix)
        try:
            return archived.read_bytes()
        except OSError:
            return self.sheets.signed_pdf(view.episode.id)[0]

    def fhir_bundle(self, episode_id: int) -> dict[str, Any]:
        view = self.signed_view(episode_id)
        e = view.episode
        signatures = sorted(repo.list_signatures(self.ctx.db, episode_id),
                            key=lambda s: (s.kind != "discharge", s.id))
        data = EpisodeExport(
            mrn_system=self.mrn_system(), patient=view.patient, episode=e,
            protocol_name=view.protocol.name, drug=view.protocol.drug,
            route=view.protocol.route, observations=view.observations,
            staff={s.id: s for s in repo.list_staff(self.ctx.db, include_inactive=True)},
            dosing_by=self._dosing_by(e),
            signatures=tuple(SignatureFacts(s.id, s.kind, s.signer_id, s.meaning,
                                            s.signed_at, s.content_hash) for s in signatures),
            sheet_pdf=self.signed_sheet_pdf(view),
            sheet_title=f"Discharge sheet {e.number}", generated_at=self.ctx.clock.now())
        return episode_bundle(data, self.fhir_codes())

    def fhir_bundle_bytes(self, episode_id: int) -> bytes:
        bundle = self.fhir_bundle(episode_id)
        return json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    def export_fhir(self, episode_id: int, path: Path, force: bool = False) -> Path:
        file_guard.flush(self.ctx.db)  # nothing leaves the app ahead of its head file
        return write_new_file(path, self.fhir_bundle_bytes(episode_id), force, self.ctx.db_path)

    def _dosing_by(self, episode: Episode) -> int:
        for event in audit.events(self.ctx.db, table_name="episodes", row_id=episode.id):
            if (event.action == "update_episode_phase" and event.after
                    and event.after.get("phase") == "dosing" and event.actor_id is not None):
                return event.actor_id
        return episode.created_by

    def auto_export_fhir(self, episode_id: int) -> tuple[Path | None, str]:
        """At signing: the bundle to the EHR folder set in Settings (off when empty).
        A problem is reported, never raised: the signature is already saved."""
        try:
            folder_text = self.ctx.settings().fhir_export_dir.strip()
        except Exception as exc:  # the signature stands whatever happens here
            return None, f"The record is signed and saved, but its FHIR bundle was not " \
                         f"written ({type(exc).__name__})."
        if not folder_text:
            return None, ""
        folder = Path(folder_text)
        try:
            view = self.signed_view(episode_id)
            addenda = sum(1 for s in view.signatures if s.kind == "addendum")
            suffix = f".addendum-{addenda}.fhir.json" if addenda else ".fhir.json"
            make_private_dirs(folder)
            path = folder / record_file_name(self.ctx, view, suffix)
            return write_new_file(path, self.fhir_bundle_bytes(episode_id),
                                  db_path=self.ctx.db_path), ""
        except Exception as exc:  # the signature stands whatever happens here
            reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or (
                f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}")
            return None, (f"The record is signed and saved, but its FHIR bundle could not "
                          f"be written to the EHR export folder {folder}: {reason}. Check "
                          "the folder in Settings, then use Export for EHR… on the episode.")

    # ------------------------------------------------------------------ CSV
    def export_csv(self, path: Path, start: date | None = None,
                   end: date | None = None, per_episode: bool = False,
                   force: bool = False) -> CsvResult:
        """Signed episodes opened from ``start`` to ``end`` (local dates, inclusive)."""
        if start and end and end < start:
            raise ValidationError("to", "the end date is before the start date")
        file_guard.flush(self.ctx.db)  # nothing leaves the app ahead of its head file
        tz = self.ctx.local_zone()
        staff = {s.id: s.display for s in repo.list_staff(self.ctx.db, include_inactive=True)}
        chosen: list[CsvEpisode] = []
        unsigned = 0
        offset = 0
        while True:
            page = repo.list_episodes(self.ctx.db, limit=_PAGE, offset=offset)
            offset += len(page)
            for e in page:
                day = e.created_at.astimezone(tz).date()
                if (start and day < start) or (end and day > end):
                    continue
                if not repo.is_signed(self.ctx.db, e.id):
                    unsigned += 1
                    continue
                chosen.append(self._csv_episode(self.episodes.episode_view(e.id), staff))
            if len(page) < _PAGE or (start and page
                                     and page[-1].created_at.astimezone(tz).date() < start):
                break
        chosen.reverse()  # oldest first
        data = episodes_csv(chosen, tz, per_episode)
        rows = len(chosen) if per_episode else sum(len(c.observations) for c in chosen)
        return CsvResult(write_new_file(path, data, force, self.ctx.db_path), len(chosen), rows,
                         unsigned)

    def _csv_episode(self, view: EpisodeView, staff: dict[int, str]) -> CsvEpisode:
        e = view.episode
        signature = next(s for s in view.signatures if s.kind == "discharge")
        return CsvEpisode(
            number=e.number, mrn=view.patient.mrn,
            protocol=f"{e.protocol_id} {e.protocol_version}", chair=e.chair,
            opened_at=e.created_at, dosing_start=e.dosing_start, dosing_end=e.dosing_end,
            closed_at=e.closed_at, weight_kg=e.weight_kg, dose_mg=e.dose_mg,
            lot_number=e.lot_number,
            signed_by=", ".join(x for x in (signature.signer_name,
                                            signature.signer_credentials) if x),
            signed_at=signature.signed_at, record_sha256=signature.content_hash,
            observations=tuple(_csv_observation(r, staff) for r in view.rows))


def _csv_observation(row: ObservationRow, staff: dict[int, str]) -> CsvObservation:
    o, v = row.observation, row.observation.vitals
    return CsvObservation(
        observation_id=o.id, taken_at=o.taken_at, entered_at=o.entered_at,
        by=staff.get(o.recorded_by, row.recorded_by), hr=v.hr, sbp=v.sbp, dbp=v.dbp,
        spo2=v.spo2, rr=v.rr, temp_c=v.temp_c, on_oxygen=v.on_oxygen, moaas=v.moaas,
        dissociation=v.dissociation, side_effects=v.side_effects,
        flags=tuple(a.message for a in row.alerts),
        news2=row.news2.total if row.news2 else None, late=row.late, voided=o.voided,
        void_reason=o.void_reason, corrects=o.supersedes, note=v.note,
        missing_reason=v.missing_reason)
