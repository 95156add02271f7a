"""Build the discharge sheet's plain data from the record, render and archive it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from monitor_app.domain.documents import DocumentCopy, archive_suffix
from monitor_app.domain.models import Observation, ObservationSource
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.vital_fields import form_key
from monitor_app.reports import sheet_data as sd
from monitor_app.services.chart_record import record_extras
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases
from monitor_app.services.discharge import DischargeUseCases
from monitor_app.services.output_file import write_new_file
from monitor_app.services.views import DischargeView, EpisodeView, ObservationRow, SignatureView
from monitor_app.storage import anchors
from monitor_app.storage.db import make_private_dirs

_ANSWERED = {"met": "Yes", "not_applicable": "N/A", "not_met": ""}
SHEET_STATUS: dict[str, sd.CriterionStatus] = {"met": "met", "not_met": "not_met",
                                               "unknown": "unknown"}


def _sheet_obs(row: ObservationRow) -> sd.SheetObservation:
    o: Observation = row.observation
    v = o.vitals
    abnormal = {form_key(a.field) for a in row.alerts}
    if row.news2 is not None and row.news2.total >= 5:
        abnormal.add("news2")
    if "nausea" in v.side_effects or "vomiting" in v.side_effects:
        abnormal.add("side_effects")
    return sd.SheetObservation(
        taken_at=o.taken_at, hr=_s(v.hr), bp=v.bp_text, spo2=_s(v.spo2), rr=_s(v.rr),
        temp=f"{v.temp_c:.1f}" if v.temp_c is not None else "", on_oxygen=v.on_oxygen,
        moaas=_s(v.moaas), dissociation=_s(v.dissociation),
        side_effects=", ".join(v.side_effects),
        news2=row.news2.total if row.news2 else None, initials=row.recorded_by,
        late=row.late, from_monitor=o.source == ObservationSource.MONITOR,
        abnormal=frozenset(abnormal), voided=o.voided,
        void_reason=o.void_reason,
        note="; ".join(t for t in (v.note, v.missing_reason and f"missing: {v.missing_reason}",
                                   row.responses and f"alerts: {row.responses_text}")
                       if t))


def record_file_name(ctx: ServiceContext, view: EpisodeView, suffix: str) -> str:
    """DATE_MRN_EPISODE<suffix>: the archived sheet's name, and its FHIR bundle's."""
    day = (view.episode.closed_at or ctx.clock.now()).astimezone(ctx.local_zone()).date()
    safe_mrn = re.sub(r"[^A-Za-z0-9_-]+", "_", view.patient.mrn)
    return f"{day.isoformat()}_{safe_mrn}_{view.episode.number}{suffix}"


def _s(value: object) -> str:
    return "" if value is None else str(value)


def build_sheet(ctx: ServiceContext, state: DischargeView) -> sd.SheetData:
    view = state.episode
    e, p, protocol = view.episode, view.patient, view.protocol
    settings = ctx.settings()
    discharge_sig = next((s for s in view.signatures if s.kind == "discharge"), None)
    criteria = []
    for c in state.evaluation.criteria:
        override = None
        if c.override is not None:
            override = sd.SheetOverride(c.override.reason,
                                        state.override_by.get(c.key, "prescriber"))
        criteria.append(sd.SheetCriterion(c.label, SHEET_STATUS[c.status], c.value, c.detail,
                                          override))
    aldrete_items = []
    if state.aldrete is not None:
        for name, (score, reason) in state.aldrete.items.items():
            aldrete_items.append(sd.SheetAldreteItem(name.capitalize(), score, reason))
    manual = [sd.SheetManualItem(m.label, _ANSWERED.get(m.status, ""),
                                 ", ".join(v for v in m.details.values() if v))
              for m in state.evaluation.manual]
    addenda = [sd.SheetAddendum(a.text, _sheet_sig(a.signature)) for a in view.addenda
               if a.signature is not None]
    base = view.baseline.vitals if view.baseline else None
    guides = []
    if base is not None and base.sbp is not None:
        guides.append(sd.TrendGuide("Baseline SBP", base.sbp, "baseline"))
    sbp_flag = protocol.limits["sbp"].flag_at_or_above
    if sbp_flag is not None:
        guides.append(sd.TrendGuide("SBP alert", sbp_flag, "alert"))
    current = [r.observation for r in view.current_rows]
    data = sd.SheetData(
        clinic=sd.SheetClinic(settings.clinic_name or "Clinic", settings.address,
                              settings.phone),
        patient=sd.SheetPatient(p.name, p.mrn, p.dob.isoformat(), p.sex),
        episode=sd.SheetEpisode(e.number, (e.dosing_start or e.created_at)
                                .astimezone(ctx.local_zone()).date().isoformat(), e.chair),
        protocol=sd.SheetProtocol(protocol.name, protocol.version, protocol.drug,
                                  protocol.route, protocol.dosing_label),
        tz=ctx.local_zone(), printed_at=ctx.clock.now(), paper=settings.paper,  # type: ignore[arg-type]
        dose_mg=f"{e.dose_mg:g}",
        dose_mg_per_kg=f"{e.dose_mg_per_kg:.2f}" if e.dose_mg_per_kg else "",
        lot_number=e.lot_number, record_notes=_record_notes(view, ctx.local_zone()),
        dosing_start=e.dosing_start, dosing_end=e.dosing_end,
        escort=sd.SheetEscort(e.escort.name, e.escort.relationship, e.escort.phone),
        observations=[_sheet_obs(r) for r in view.rows], criteria=criteria,
        aldrete_items=aldrete_items,
        aldrete_total=state.aldrete.total if state.aldrete else None,
        manual_items=manual, instructions_title=protocol.instructions_title,
        instructions=protocol.instructions,
        signature=_sheet_sig(discharge_sig) if discharge_sig else None, addenda=addenda,
        rems=[(i.field.label, i.value) for i in state.rems],
        trend=[sd.TrendPoint(o.taken_at, o.vitals.hr, o.vitals.sbp, o.vitals.dbp,
                             o.vitals.spo2) for o in current],
        trend_guides=guides, chain_head=_chain_head(ctx),
    )
    return replace(data, **record_extras(ctx, state, data))


def _chain_head(ctx: ServiceContext) -> sd.SheetChainHead | None:
    found = anchors.chain_head(ctx.db.conn)
    if found is None:
        return None
    event_id, digest, at = found
    return sd.SheetChainHead(event_id, digest, anchors.pdf_keyword(event_id, digest, at))


def _sheet_sig(s: SignatureView) -> sd.SheetSignature:
    return sd.SheetSignature(s.signer_name, s.signer_credentials, s.signed_at, s.meaning,
                             s.content_hash)


def sign_sheet(ctx: ServiceContext, credentials: CredentialUseCases,
               pdf: bytes) -> tuple[bytes, str]:
    """The sheet signed with the clinic's key (PAdES), and a note when something asked
    for could not be done: no key file (the sheet is archived unsigned), or a
    timestamp server that did not answer (signed without a timestamp)."""
    from monitor_app.reports.pdf_signing import SigningKey, sign_pdf  # pyHanko: lazy

    keys = credentials.signing_keys()
    if keys is None or keys.signing_key is None or keys.certificate is None:
        return pdf, ("The sheet was archived without its digital signature: "
                     f"{credentials.keys_problem}")
    settings = ctx.settings()
    try:
        signed = sign_pdf(pdf, SigningKey(keys.signing_key, keys.certificate, keys.chain),
                          reason="Discharge record signed in the post-infusion monitor",
                          location=settings.clinic_name or "Clinic",
                          timestamp_url=settings.timestamp_url.strip())
    except Exception as exc:  # a damaged key: the record stands, the file says so
        return pdf, ("The sheet was archived without its digital signature: the clinic's "
                     f"signing key could not be used ({exc}). Check the certificate in "
                     "Settings.")
    note = f"The sheet is archived and signed, but {signed.note}." if signed.note else ""
    return signed.pdf, note


class SheetUseCases:
    def __init__(self, ctx: ServiceContext, discharge: DischargeUseCases,
                 credentials: CredentialUseCases) -> None:
        self.ctx = ctx
        self.discharge = discharge
        self.credentials = credentials

    def sheet_pdf(self, episode_id: int, state: DischargeView | None = None) -> bytes:
        """The discharge sheet as it stands: DRAFT across every page until signed."""
        from monitor_app.reports.discharge_pdf import render_discharge_pdf  # reportlab: lazy

        state = state or self.discharge.discharge_view(episode_id)
        return render_discharge_pdf(build_sheet(self.ctx, state), self.ctx.resources / "fonts")

    def write_sheet(self, episode_id: int, path: Path) -> Path:
        from monitor_app.reports.discharge_pdf import write_pdf

        state = self.discharge.discharge_view(episode_id)
        return write_pdf(build_sheet(self.ctx, state), self.ctx.resources / "fonts", path)

    def save_sheet_as(self, episode_id: int, path: Path, *,
                      force: bool = False) -> Path:
        """The sheet written to a path the user named: a new file, or with ``force`` an
        existing regular file; never the database, a link, a device or a pipe
        (``ValidationError("output", ...)`` says which)."""
        from monitor_app.services.output_file import database_files, write_new_file

        return write_new_file(path, self.sheet_pdf(episode_id),
                              protected=database_files(self.ctx.db_path), force=force)

    def signed_pdf(self, episode_id: int,
                   state: DischargeView | None = None) -> tuple[bytes, str]:
        """The sheet signed with the clinic's key, and a note on what could not be done."""
        return sign_sheet(self.ctx, self.credentials, self.sheet_pdf(episode_id, state))

    def archive_sheet(self, episode_id: int,
                      state: DischargeView | None = None) -> tuple[Path | None, str]:
        """Every document of a signed episode (from ``state`` when the caller has it),
        signed with the clinic's key, into the archive folder as NEW files: a file
        already there is left exactly as it is, and each addendum's versions get names
        of their own (``..._addendum-N.pdf``). A problem is reported, never raised: the
        signed record stands whatever happens. Answers the chart copy's path (None when
        it was not written)."""
        state = state or self.discharge.discharge_view(episode_id)
        data = build_sheet(self.ctx, state)
        folder = self.ctx.archive_dir()
        written: dict[DocumentCopy, Path] = {}
        notes: list[str] = []
        try:
            make_private_dirs(folder)
            for copy in copies_of(state.episode.protocol):
                name = record_file_name(self.ctx, state.episode,
                                        archive_suffix(copy, data.version))
                if (folder / name).exists():
                    continue  # archived before (recovery ran again): never replaced
                pdf, note = sign_sheet(self.ctx, self.credentials,
                                       render_copy(self.ctx, data, copy))
                written[copy] = write_new_file(folder / name, pdf)
                if note and note not in notes:
                    notes.append(note)
        except OSError as exc:
            notes.append(f"The record is signed and saved, but its documents could not be "
                         f"written to the archive folder {folder}: {exc.strerror or exc}. "
                         "Check the folder in Settings, then print or save them from the "
                         "episode.")
        return written.get(DocumentCopy.CHART), " ".join(notes)


def copies_of(protocol: Protocol) -> tuple[DocumentCopy, ...]:
    """The documents of an episode: the REMS form only under a REMS protocol."""
    return tuple(c for c in DocumentCopy if protocol.rems or c != DocumentCopy.REMS)


def render_copy(ctx: ServiceContext, data: sd.SheetData, copy: DocumentCopy) -> bytes:
    """One document as PDF bytes (reportlab is imported on first use)."""
    fonts = ctx.resources / "fonts"
    if copy == DocumentCopy.PATIENT:
        from monitor_app.reports.patient_copy import render_patient_copy

        return render_patient_copy(data, fonts)
    if copy == DocumentCopy.REMS:
        from monitor_app.reports.rems_form_pdf import render_rems_form

        return render_rems_form(data, fonts)
    from monitor_app.reports.discharge_pdf import render_discharge_pdf

    return render_discharge_pdf(data, fonts)


def _record_notes(view: EpisodeView, zone: tzinfo) -> list[str]:
    """What the sheet says about values changed or entered after the fact."""
    e = view.episode
    notes = []
    if e.dose_reason:
        notes.append(f"Dose other than the protocol's: {e.dose_reason}")
    names = {"weight_kg": ("Weight", "kg"), "dose_mg": ("Dose", "mg")}
    for c in view.corrections:
        name, unit = names.get(c.field, (c.field, ""))
        notes.append(f"{name} corrected {c.corrected_at.astimezone(zone):%H:%M} from "
                     f"{c.old_value:g} to {c.new_value:g} {unit}: {c.reason}")
    label = view.protocol.dosing_label.capitalize()
    for late, what, entered in ((view.dosing_start_late, "start", e.dosing_start_entered_at),
                                (view.dosing_end_late, "end", e.dosing_end_entered_at)):
        if late and entered is not None:
            notes.append(f"{label} {what} entered late, at {entered.astimezone(zone):%H:%M}")
    return notes
