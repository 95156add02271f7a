"""Signing: the discharge signature and the addendum, each with its archived sheet."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor_app.domain import schedule
from monitor_app.domain.models import Phase, Staff
from monitor_app.domain.text import clean_text
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases
from monitor_app.services.discharge import (
    ADDENDUM_MEANING,
    DISCHARGE_MEANING,
    DischargeUseCases,
)
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.services.errors import DischargeRefused, NotAllowed
from monitor_app.services.exports import ExportUseCases
from monitor_app.services.sheet import SheetUseCases
from monitor_app.services.verification import IntegrityUseCases
from monitor_app.services.views import DischargeView, SignatureView, SignResult
from monitor_app.storage import repository as repo


class SigningUseCases:
    def __init__(self, ctx: ServiceContext, episodes: EpisodeUseCases,
                 credentials: CredentialUseCases, discharge: DischargeUseCases,
                 sheets: SheetUseCases, exports: ExportUseCases,
                 integrity: IntegrityUseCases) -> None:
        self.ctx = ctx
        self.episodes = episodes
        self.credentials = credentials
        self.discharge = discharge
        self.sheets = sheets
        self.exports = exports
        self.integrity = integrity

    def sign_discharge(self, signer_id: int, pin: str, episode_id: int) -> SignResult:
        """Re-ask the PIN, check every criterion, sign, lock, archive the sheet."""
        signer = self.credentials.authenticate(signer_id, pin)
        self.integrity.require_sound_file()
        # The write lock is held from the check to the signature, so what another
        # station saves lands before the check (and is checked) or after (and is refused).
        with repo.transaction(self.ctx.db):
            self.episodes.writable(episode_id)
            now = self.ctx.clock.now()
            state = self.discharge.discharge_view(episode_id, at=now)  # the one build of it
            reasons = list(state.evaluation.blocking)
            reasons += [f"REMS form: {label} is required" for label in state.missing_rems]
            reasons += [f"REMS form: {text}" for text in state.rems_contradictions]
            if state.episode.episode.phase not in (Phase.RECOVERY, Phase.READY):
                reasons.insert(0, "dosing has not ended")
            if reasons:
                raise DischargeRefused(reasons)
            content = self._content(state, signer, DISCHARGE_MEANING, now)
            stored = repo.sign_discharge(self.ctx.db, episode_id, signer.id,
                                         DISCHARGE_MEANING, content, at=now)
        signature = SignatureView(stored.id, stored.kind, stored.signer_name,
                                  stored.signer_credentials, stored.meaning, stored.signed_at,
                                  stored.content_hash, stored.addendum_id)
        archived, problem = self.archive_after_signing(episode_id,
                                                       self.as_signed(state, signature))
        return SignResult(signature, archived, problem,
                          self.exports.auto_export_fhir(episode_id)[1])

    def as_signed(self, state: DischargeView, signature: SignatureView) -> DischargeView:
        """The discharge view as it reads once ``signature`` is saved, without building
        it again: the episode closed at the signature, the REMS items that name the
        signer filled in; criteria stay as evaluated at that moment."""
        view = state.episode
        episode = replace(view.episode, phase=Phase.DISCHARGED, closed_at=signature.signed_at)
        status = schedule.episode_schedule(view.protocol, episode, view.observations,
                                           signature.signed_at)
        view = replace(view, episode=episode, signed=True, status=status,
                       signatures=(*view.signatures, signature))
        rems = self.discharge.rems.rems_items(view)
        missing = tuple(i.field.label for i in rems if i.field.required and not i.value.strip())
        return replace(state, episode=view, rems=rems, missing_rems=missing)

    def add_addendum(self, signer_id: int, pin: str, episode_id: int,
                     text: str) -> SignResult:
        signer = self.credentials.authenticate(signer_id, pin)
        self.integrity.require_sound_file()
        episode = self.episodes.episode(episode_id)
        if not repo.is_signed(self.ctx.db, episode_id):
            raise NotAllowed("addendum", "an addendum is for a signed episode; "
                             "edit the record instead")
        text = clean_text(text, "addendum", "addendum", multiline=True)
        now = self.ctx.clock.now()
        content = {"episode": episode.number, "addendum": text, "signer": signer.name,
                   "credentials": signer.credentials, "meaning": ADDENDUM_MEANING,
                   "signed_at": now.isoformat()}
        _addendum, stored = repo.sign_addendum(self.ctx.db, episode_id, text, signer.id,
                                               ADDENDUM_MEANING, content, at=now)
        return self._result(episode_id, stored.id)

    def _result(self, episode_id: int, signature_id: int) -> SignResult:
        """What the signer is told: the signature, where the sheet went, any problem."""
        signature = next(s for s in self.episodes.signature_views(episode_id)
                         if s.id == signature_id)
        archived, problem = self.archive_after_signing(episode_id)
        return SignResult(signature, archived, problem,
                          self.exports.auto_export_fhir(episode_id)[1])

    def archive_after_signing(self, episode_id: int, state: DischargeView | None = None
                              ) -> tuple[Path | None, str]:
        """The signature is saved: from here nothing may raise. Any failure to render or
        write the sheet is reported as an archive problem (``recover`` writes it later)."""
        try:
            return self.sheets.archive_sheet(episode_id, state)
        except Exception as exc:
            detail = " ".join(str(exc).split())[:160]
            return None, ("The record is signed and saved, but its sheet could not be "
                          f"made for the archive ({type(exc).__name__}: {detail}). Print or "
                          "save the sheet from the episode; the app tries again at its "
                          "next start.")

    def signed_content(self, episode_id: int, signer_id: int, meaning: str,
                       at: datetime) -> dict[str, Any]:
        """Exactly what a discharge signature covers: the record as the signer saw it."""
        return self._content(self.discharge.discharge_view(episode_id, at=at),
                             self.ctx.staff_member(signer_id), meaning, at)

    def _content(self, state: DischargeView, signer: Staff, meaning: str,
                 at: datetime) -> dict[str, Any]:
        view = state.episode
        e, p = view.episode, view.patient
        return {
            "episode": {"number": e.number, "protocol": f"{e.protocol_id} {e.protocol_version}",
                        "chair": e.chair, "weight_kg": e.weight_kg, "dose_mg": e.dose_mg,
                        "lot_number": e.lot_number,
                        "dosing_start": _iso(e.dosing_start), "dosing_end": _iso(e.dosing_end),
                        "escort": [e.escort.name, e.escort.relationship, e.escort.phone]},
            "patient": {"mrn": p.mrn, "name": p.name, "dob": p.dob.isoformat(), "sex": p.sex},
            "observations": [_obs_content(r.observation) for r in view.rows],
            "alert_responses": [[a.observation_id, list(a.codes), str(a.action), a.note,
                                 a.recorded_by, a.recorded_at.isoformat()]
                                for r in view.rows for a in r.responses],
            "criteria": [[c.key, c.status, c.value, c.detail,
                          [c.override.reason, c.override.prescriber_id] if c.override else None]
                         for c in state.evaluation.criteria],
            "manual": [[m.key, m.status, dict(m.details)] for m in state.evaluation.manual],
            "aldrete": ({k: list(v) for k, v in state.aldrete.items.items()}
                        if state.aldrete else None),
            "rems": [[i.field.key, (signer.display if i.field.source == "signer.name"
                                    else i.value)] for i in state.rems],
            "signer": {"id": signer.id, "name": signer.name, "credentials": signer.credentials},
            "meaning": meaning,
            "signed_at": at.isoformat(),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _obs_content(o: Any) -> dict[str, Any]:
    v = o.vitals
    return {"id": o.id, "taken_at": o.taken_at.isoformat(), "hr": v.hr, "sbp": v.sbp,
            "dbp": v.dbp, "spo2": v.spo2, "rr": v.rr, "temp_c": v.temp_c,
            "on_oxygen": v.on_oxygen, "moaas": v.moaas, "dissociation": v.dissociation,
            "side_effects": list(v.side_effects), "note": v.note,
            "voided": o.voided, "void_reason": o.void_reason, "supersedes": o.supersedes}
