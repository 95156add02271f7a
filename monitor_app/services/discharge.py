"""Discharge: the live criteria, the nurse's answers and the prescriber's overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor_app.domain import discharge as rules
from monitor_app.domain import schedule
from monitor_app.domain.discharge import ManualAnswer, Override
from monitor_app.domain.models import Episode, Observation, Role, ValidationError, Vitals
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.rems_checks import contradiction
from monitor_app.domain.scores import AldreteResult, aldrete
from monitor_app.domain.text import clean_text
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.services.rems import RemsUseCases
from monitor_app.services.views import DischargeView, EpisodeView
from monitor_app.storage import repository as repo

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
    def __init__(self, ctx: ServiceContext, episodes: EpisodeUseCases,
                 credentials: CredentialUseCases, rems: RemsUseCases) -> None:
        self.ctx = ctx
        self.episodes = episodes
        self.credentials = credentials
        self.rems = rems

    def discharge_view(self, episode_id: int, at: datetime | None = None) -> DischargeView:
        """The criteria, answers and REMS form of the episode, evaluated ``at`` (default
        now; a signed record as it was at its signature)."""
        view = self.episodes.episode_view(episode_id)
        a = self._assess(view.episode, view.protocol, view.observations, view.baseline,
                         self._evaluated_at(view, at))
        override_by = {key: self.ctx.staff_member(o.prescriber_id).display
                       for key, o in a.overrides.items()}
        rems = self.rems.rems_items(view)
        missing = tuple(i.field.label for i in rems if i.field.required and not i.value.strip())
        contradicted = tuple(t for i in rems if (t := contradiction(
            i.field, i.value, view.protocol, view.observations, self.ctx.local_zone())))
        return DischargeView(view, a.evaluation, a.aldrete, a.activity, a.respiration,
                             a.manual, a.overrides, override_by, rems, missing, contradicted)

    def _assess(self, episode: Episode, protocol: Protocol,
                observations: Sequence[Observation], baseline: Observation | None,
                at: datetime, checklist: Mapping[str, repo.ChecklistAnswer] | None = None,
                overrides_in_force: Sequence[repo.OverrideRecord] | None = None) -> _Assessment:
        """The discharge criteria from the record and the answers given so far (read
        here unless the caller read them already)."""
        if checklist is None:
            checklist = repo.current_checklist(self.ctx.db, episode.id)
        if overrides_in_force is None:
            overrides_in_force = repo.current_overrides(self.ctx.db, episode.id)
        activity = _score(checklist.get(ALDRETE_ACTIVITY))
        respiration = _score(checklist.get(ALDRETE_RESPIRATION))
        base = baseline.vitals if baseline else None
        aldrete_result = self._aldrete(observations, base, activity, respiration)
        manual = {k: ManualAnswer(v.confirmed, v.not_applicable, v.details)
                  for k, v in checklist.items()
                  if k not in (ALDRETE_ACTIVITY, ALDRETE_RESPIRATION)}
        overrides = {o.criterion: Override(o.criterion, o.reason, o.prescriber_id)
                     for o in overrides_in_force}
        evaluation = rules.evaluate_discharge(
            protocol, episode, observations, base,
            aldrete_result.total if aldrete_result else None, manual, overrides, at)
        return _Assessment(evaluation, aldrete_result, activity, respiration, manual,
                           overrides)

    def _aldrete(self, observations: Sequence[Observation], base: Vitals | None,
                 activity: int | None, respiration: int | None) -> AldreteResult | None:
        latest = next((o for o in reversed(observations) if not o.voided), None)
        if latest is None or activity is None or respiration is None:
            return None
        return aldrete(latest.vitals, base, activity, respiration, self.ctx.aldrete_table)

    def _evaluated_at(self, view: EpisodeView, at: datetime | None = None) -> datetime:
        """A signed record is shown as it was signed: criteria evaluated at that moment."""
        signed = next((s for s in view.signatures if s.kind == "discharge"), None)
        if signed is not None:
            return signed.signed_at
        return at or self.ctx.clock.now()

    def automatic_criteria_met(self, episode_id: int) -> bool:
        """Every automatic criterion met, the nurse-answered Aldrete items aside."""
        state = repo.episode_state(self.ctx.db, episode_id, discharge_inputs=True)
        if state is None:
            raise ValidationError("episode", f"no episode with id {episode_id}")
        return self.criteria_met(state, repo.list_observations(self.ctx.db, episode_id))

    def criteria_met(self, state: repo.EpisodeState,
                     observations: Sequence[Observation]) -> bool:
        """``automatic_criteria_met`` from what a save has read already: no reads."""
        return self.criteria_met_from(
            state, observations, schedule.baseline_of(observations, state.episode.dosing_start))

    def criteria_met_from(self, state: repo.EpisodeState, observations: Sequence[Observation],
                          baseline: Observation | None) -> bool:
        """``criteria_met`` with the baseline the caller worked out already; the
        criteria of ``_assess``, worked out until one is not met."""
        episode = state.episode
        checklist = state.checklist
        if checklist is None:
            checklist = repo.current_checklist(self.ctx.db, episode.id)
        in_force = state.overrides
        if in_force is None:
            in_force = repo.current_overrides(self.ctx.db, episode.id)
        base = baseline.vitals if baseline else None
        scored = self._aldrete(observations, base, _score(checklist.get(ALDRETE_ACTIVITY)),
                               _score(checklist.get(ALDRETE_RESPIRATION)))
        overrides = {o.criterion: Override(o.criterion, o.reason, o.prescriber_id)
                     for o in in_force}
        return rules.automatic_criteria_ok(
            self.ctx.protocol_of(episode), episode, observations, base,
            scored.total if scored else None, overrides, self.ctx.clock.now())

    # ------------------------------------------------------------------ answers
    def answer_aldrete(self, actor_id: int, episode_id: int, activity: int,
                       respiration: int) -> None:
        self.ctx.active_actor(actor_id)
        self.episodes.writable(episode_id)
        for key, value in ((ALDRETE_ACTIVITY, activity), (ALDRETE_RESPIRATION, respiration)):
            if value not in (0, 1, 2):
                raise ValidationError(key.removeprefix("aldrete_"), "choose 0, 1 or 2")
            repo.save_checklist_answer(self.ctx.db, episode_id, key,
                                       ManualAnswer(True, False, {"score": str(value)}),
                                       actor_id=actor_id, at=self.ctx.clock.now())

    def answer_manual(self, actor_id: int, episode_id: int, key: str,
                      answer: ManualAnswer) -> None:
        self.ctx.active_actor(actor_id)
        episode = self.episodes.writable(episode_id)
        protocol = self.ctx.protocol_of(episode)
        item = next((i for i in protocol.manual if i.key == key), None)
        if item is None:
            raise ValidationError(key, f"'{key}' is not a checklist item of {protocol.name}")
        if answer.not_applicable and not item.allow_na:
            raise ValidationError(key, f"{item.label} cannot be marked N/A")
        details = {name: clean_text(str(answer.details.get(name, "")), name,
                                      name.replace("_", " "), required=False)
                   for name in item.details}
        repo.save_checklist_answer(self.ctx.db, episode_id, key,
                                   ManualAnswer(answer.confirmed, answer.not_applicable,
                                                details),
                                   actor_id=actor_id, at=self.ctx.clock.now())

    def add_override(self, actor_id: int, episode_id: int, criterion: str,
                     reason: str, prescriber_id: int, pin: str) -> None:
        """A prescriber authorises an unmet criterion with a written reason and their
        PIN (a wrong PIN counts as a failed attempt on their account)."""
        self.ctx.active_actor(actor_id)
        override = self.check_override(episode_id, criterion, reason, prescriber_id)
        self.credentials.authenticate(prescriber_id, pin)
        repo.add_override(self.ctx.db, episode_id, override, actor_id=actor_id,
                          at=self.ctx.clock.now())

    def check_override(self, episode_id: int, criterion: str, reason: str,
                       prescriber_id: int) -> Override:
        """Everything an override needs except the PIN, checked without writing: the
        dialog says what is missing before a PIN is asked for or counted."""
        episode = self.episodes.writable(episode_id)
        protocol = self.ctx.protocol_of(episode)
        rules.check_overridable(criterion, protocol)
        reason = clean_text(reason, "reason", "written reason for the override",
                              multiline=True)
        override = Override(criterion, reason, prescriber_id or 0)
        rules.validate_override(override, protocol)
        prescriber = repo.get_staff(self.ctx.db, prescriber_id)
        if prescriber is None or prescriber.role != Role.PRESCRIBER:
            raise ValidationError("prescriber", "only a prescriber can authorise an override")
        if not prescriber.active:
            raise ValidationError("prescriber", f"{prescriber.name}'s account is not active")
        return override

    def remove_override(self, actor_id: int, episode_id: int, criterion: str) -> None:
        self.ctx.active_actor(actor_id)
        self.episodes.writable(episode_id)
        repo.void_override(self.ctx.db, episode_id, criterion, actor_id=actor_id,
                           at=self.ctx.clock.now())


def _score(answer: Any) -> int | None:
    if answer is None:
        return None
    text = str(answer.details.get("score", ""))
    return int(text) if text in ("0", "1", "2") else None
