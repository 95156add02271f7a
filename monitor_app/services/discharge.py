"""Discharge: live criteria, overrides, REMS answers, the signature and the addendum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor_app.domain import discharge as rules
from monitor_app.domain import schedule
from monitor_app.domain.discharge import ManualAnswer, Override
from monitor_app.domain.models import Episode, Observation, Phase, Role, ValidationError
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.scores import AldreteResult, aldrete
from monitor_app.services.errors import DischargeRefused, NotAllowed
from monitor_app.services.sheet import rems_source_value
from monitor_app.services.text import checked_text
from monitor_app.services.views import (
    AddendumView,
    DischargeView,
    EpisodeView,
    RemsItem,
    SignatureView,
    SignResult,
)
from monitor_app.storage import repository as repo

if TYPE_CHECKING:
    from pathlib import Path

    from monitor_app.services.app import Services

ALDRETE_ACTIVITY = "aldrete_activity"
ALDRETE_RESPIRATION = "aldrete_respiration"
DISCHARGE_MEANING = "Discharged by"
ADDENDUM_MEANING = "Addendum by"


@dataclass(frozen=True)
class _Assessment:
    evaluation: rules.DischargeEvaluation
    aldrete: AldreteResult | None
    activity: int | None
    respiration: int | None
    manual: dict[str, ManualAnswer]
    overrides: dict[str, Override]


class DischargeUseCases:
    def discharge_view(self: Services, episode_id: int) -> DischargeView:
        view = self.episode_view(episode_id)
        a = self._assess(view.episode, view.protocol, view.observations, view.baseline,
                         self._evaluated_at(view))
        override_by = {key: self.staff_member(o.prescriber_id).display
                       for key, o in a.overrides.items()}
        rems = self._rems_items(view)
        missing = tuple(i.field.label for i in rems if i.field.required and not i.value.strip())
        return DischargeView(view, a.evaluation, a.aldrete, a.activity, a.respiration,
                             a.manual, a.overrides, override_by, rems, missing)

    def _assess(self: Services, episode: Episode, protocol: Protocol,
                observations: Sequence[Observation], baseline: Observation | None,
                at: datetime) -> _Assessment:
        """The discharge criteria from the record and the answers given so far."""
        checklist = repo.current_checklist(self.db, episode.id)
        activity = _score(checklist.get(ALDRETE_ACTIVITY))
        respiration = _score(checklist.get(ALDRETE_RESPIRATION))
        latest = next((o for o in reversed(observations) if not o.voided), None)
        base = baseline.vitals if baseline else None
        aldrete_result = None
        if latest is not None and activity is not None and respiration is not None:
            aldrete_result = aldrete(latest.vitals, base, activity, respiration,
                                     self.aldrete_table)
        manual = {k: ManualAnswer(v.confirmed, v.not_applicable, v.details)
                  for k, v in checklist.items()
                  if k not in (ALDRETE_ACTIVITY, ALDRETE_RESPIRATION)}
        overrides = {o.criterion: Override(o.criterion, o.reason, o.prescriber_id)
                     for o in repo.current_overrides(self.db, episode.id)}
        evaluation = rules.evaluate_discharge(
            protocol, episode, observations, base,
            aldrete_result.total if aldrete_result else None, manual, overrides, at)
        return _Assessment(evaluation, aldrete_result, activity, respiration, manual,
                           overrides)

    def _evaluated_at(self: Services, view: EpisodeView) -> datetime:
        """A signed record is shown as it was signed: criteria evaluated at that moment."""
        signed = next((s for s in view.signatures if s.kind == "discharge"), None)
        return signed.signed_at if signed is not None else self.clock.now()

    def automatic_criteria_met(self: Services, episode_id: int) -> bool:
        """Every automatic criterion met, the nurse-answered Aldrete items aside.

        Runs after every save in recovery, so it reads only what the criteria need,
        not the whole episode view."""
        episode = self.episode(episode_id)
        observations = repo.list_observations(self.db, episode_id)
        baseline = schedule.baseline_of(observations, episode.dosing_start)
        evaluation = self._assess(episode, self.protocol_of(episode), observations, baseline,
                                  self.clock.now()).evaluation
        return all(c.ok for c in evaluation.criteria
                   if not (c.key == "aldrete" and c.status == rules.UNKNOWN))

    # ------------------------------------------------------------------ answers
    def answer_aldrete(self: Services, actor_id: int, episode_id: int, activity: int,
                       respiration: int) -> None:
        self._active_actor(actor_id)
        self._writable(episode_id)
        for key, value in ((ALDRETE_ACTIVITY, activity), (ALDRETE_RESPIRATION, respiration)):
            if value not in (0, 1, 2):
                raise ValidationError(key.removeprefix("aldrete_"), "choose 0, 1 or 2")
            repo.save_checklist_answer(self.db, episode_id, key,
                                       ManualAnswer(True, False, {"score": str(value)}),
                                       actor_id=actor_id, at=self.clock.now())

    def answer_manual(self: Services, actor_id: int, episode_id: int, key: str,
                      answer: ManualAnswer) -> None:
        self._active_actor(actor_id)
        episode = self._writable(episode_id)
        protocol = self.protocol_of(episode)
        item = next((i for i in protocol.manual if i.key == key), None)
        if item is None:
            raise ValidationError(key, f"'{key}' is not a checklist item of {protocol.name}")
        if answer.not_applicable and not item.allow_na:
            raise ValidationError(key, f"{item.label} cannot be marked N/A")
        details = {name: checked_text(str(answer.details.get(name, "")), name,
                                      name.replace("_", " "), required=False)
                   for name in item.details}
        repo.save_checklist_answer(self.db, episode_id, key,
                                   ManualAnswer(answer.confirmed, answer.not_applicable,
                                                details),
                                   actor_id=actor_id, at=self.clock.now())

    def add_override(self: Services, actor_id: int, episode_id: int, criterion: str,
                     reason: str, prescriber_id: int, pin: str) -> None:
        """A prescriber authorises an unmet criterion with a written reason and their
        PIN (a wrong PIN counts as a failed attempt on their account)."""
        self._active_actor(actor_id)
        override = self.check_override(episode_id, criterion, reason, prescriber_id)
        self.authenticate(prescriber_id, pin)
        repo.add_override(self.db, episode_id, override, actor_id=actor_id, at=self.clock.now())

    def check_override(self: Services, episode_id: int, criterion: str, reason: str,
                       prescriber_id: int) -> Override:
        """Everything an override needs except the PIN, checked without writing: the
        dialog says what is missing before a PIN is asked for or counted."""
        episode = self._writable(episode_id)
        protocol = self.protocol_of(episode)
        rules.check_overridable(criterion, protocol)
        reason = checked_text(reason, "reason", "written reason for the override", size=1000,
                              multiline=True)
        override = Override(criterion, reason, prescriber_id or 0)
        rules.validate_override(override, protocol)
        prescriber = repo.get_staff(self.db, prescriber_id)
        if prescriber is None or prescriber.role != Role.PRESCRIBER:
            raise ValidationError("prescriber", "only a prescriber can authorise an override")
        if not prescriber.active:
            raise ValidationError("prescriber", f"{prescriber.name}'s account is not active")
        return override

    def remove_override(self: Services, actor_id: int, episode_id: int, criterion: str) -> None:
        self._active_actor(actor_id)
        self._writable(episode_id)
        repo.void_override(self.db, episode_id, criterion, actor_id=actor_id,
                           at=self.clock.now())

    def answer_rems(self: Services, actor_id: int, episode_id: int, key: str,
                    value: str) -> None:
        self._active_actor(actor_id)
        episode = self._writable(episode_id)
        protocol = self.protocol_of(episode)
        field = next((f for f in protocol.rems_form if f.key == key), None)
        if field is None:
            raise ValidationError(key, "not a REMS form field of this protocol")
        value = checked_text(value, key, field.label, required=False, size=500,
                             multiline=True)
        if field.type == "yes_no" and value not in ("", "yes", "no"):
            raise ValidationError(key, f"{field.label}: answer yes or no")
        if field.type == "integer" and value and not (value.isascii() and value.isdigit()
                                                      and int(value) <= 10000):
            raise ValidationError(key, f"{field.label}: a whole number of minutes")
        if key == "lot_number":
            repo.set_episode_fields(self.db, episode_id, lot_number=value,
                                    actor_id=actor_id, at=self.clock.now())
            return
        repo.save_rems_answer(self.db, episode_id, key, value, actor_id=actor_id,
                              at=self.clock.now())

    def _rems_items(self: Services, view: EpisodeView) -> tuple[RemsItem, ...]:
        if not view.protocol.rems:
            return ()
        answers = repo.current_rems_answers(self.db, view.episode.id)
        earlier = self._previous_rems_answers(view)
        items = []
        for field in view.protocol.rems_form:
            known = rems_source_value(self, view, field.source) if field.source else ""
            if known:
                items.append(RemsItem(field, known, True))
            else:
                items.append(RemsItem(field, str(answers.get(field.key, "") or ""), False,
                                      str(earlier.get(field.key, "") or "")
                                      if field.offer_previous else ""))
        return tuple(items)

    def _previous_rems_answers(self: Services, view: EpisodeView) -> dict[str, object]:
        """The REMS answers of the patient's latest earlier episode on this protocol."""
        if not any(f.offer_previous for f in view.protocol.rems_form):
            return {}
        for episode in repo.list_episodes(self.db, limit=20, patient_id=view.episode.patient_id):
            if episode.id != view.episode.id and episode.protocol_id == view.protocol.id \
                    and episode.id < view.episode.id:  # opened before this one
                answers = repo.current_rems_answers(self.db, episode.id)
                if answers:
                    return answers
        return {}

    # ------------------------------------------------------------------ signing
    def sign_discharge(self: Services, signer_id: int, pin: str, episode_id: int) -> SignResult:
        """Re-ask the PIN, check every criterion, sign, lock, archive the sheet."""
        signer = self.authenticate(signer_id, pin)
        self.require_sound_file()
        self._writable(episode_id)
        state = self.discharge_view(episode_id)
        reasons = list(state.evaluation.blocking)
        reasons += [f"REMS form: {label} is required" for label in state.missing_rems]
        if state.episode.episode.phase not in (Phase.RECOVERY, Phase.READY):
            reasons.insert(0, "dosing has not ended")
        if reasons:
            raise DischargeRefused(reasons)
        now = self.clock.now()
        content = self.signed_content(episode_id, signer_id, DISCHARGE_MEANING, now)
        stored = repo.sign_discharge(self.db, episode_id, signer.id, DISCHARGE_MEANING, content,
                                     at=now)
        signature = next(s for s in self._signature_views(episode_id) if s.id == stored.id)
        archived, problem = self._archive_after_signing(episode_id)
        return SignResult(signature, archived, problem, self.auto_export_fhir(episode_id)[1])

    def add_addendum(self: Services, signer_id: int, pin: str, episode_id: int,
                     text: str) -> SignResult:
        signer = self.authenticate(signer_id, pin)
        self.require_sound_file()
        episode = self.episode(episode_id)
        if not repo.is_signed(self.db, episode_id):
            raise NotAllowed("addendum", "an addendum is for a signed episode; "
                             "edit the record instead")
        text = checked_text(text, "addendum", "addendum", size=4000, multiline=True)
        now = self.clock.now()
        content = {"episode": episode.number, "addendum": text, "signer": signer.name,
                   "credentials": signer.credentials, "meaning": ADDENDUM_MEANING,
                   "signed_at": now.isoformat()}
        _addendum, stored = repo.sign_addendum(self.db, episode_id, text, signer.id,
                                               ADDENDUM_MEANING, content, at=now)
        signature = next(s for s in self._signature_views(episode_id) if s.id == stored.id)
        archived, problem = self._archive_after_signing(episode_id)
        return SignResult(signature, archived, problem, self.auto_export_fhir(episode_id)[1])

    def _archive_after_signing(self: Services, episode_id: int) -> tuple[Path | None, str]:
        """The signature is saved: from here nothing may raise. Any failure to render or
        write the sheet is reported as an archive problem (``recover`` writes it later)."""
        try:
            return self.archive_sheet(episode_id)
        except Exception as exc:
            detail = " ".join(str(exc).split())[:160]
            return None, ("The record is signed and saved, but its sheet could not be "
                          f"made for the archive ({type(exc).__name__}: {detail}). Print or "
                          "save the sheet from the episode; the app tries again at its "
                          "next start.")

    def signed_content(self: Services, episode_id: int, signer_id: int, meaning: str,
                       at: datetime) -> dict[str, Any]:
        """Exactly what a discharge signature covers: the record as the signer saw it."""
        state = self.discharge_view(episode_id)
        view = state.episode
        e, p = view.episode, view.patient
        signer = self.staff_member(signer_id)
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

    def _signature_views(self: Services, episode_id: int) -> list[SignatureView]:
        return [SignatureView(s.id, s.kind, s.signer_name, s.signer_credentials, s.meaning,
                              s.signed_at, s.content_hash, s.addendum_id)
                for s in repo.list_signatures(self.db, episode_id)]

    def _addendum_views(self: Services, episode_id: int) -> list[AddendumView]:
        signatures = {s.addendum_id: s for s in self._signature_views(episode_id)
                      if s.addendum_id is not None}
        return [AddendumView(a.id, a.text, a.created_at, signatures.get(a.id))
                for a in repo.list_addenda(self.db, episode_id)]


def _score(answer: Any) -> int | None:
    if answer is None:
        return None
    text = str(answer.details.get("score", ""))
    return int(text) if text in ("0", "1", "2") else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _obs_content(o: Any) -> dict[str, Any]:
    v = o.vitals
    return {"id": o.id, "taken_at": o.taken_at.isoformat(), "hr": v.hr, "sbp": v.sbp,
            "dbp": v.dbp, "spo2": v.spo2, "rr": v.rr, "temp_c": v.temp_c,
            "on_oxygen": v.on_oxygen, "moaas": v.moaas, "dissociation": v.dissociation,
            "side_effects": list(v.side_effects), "note": v.note,
            "voided": o.voided, "void_reason": o.void_reason, "supersedes": o.supersedes}
