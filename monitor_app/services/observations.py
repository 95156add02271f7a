"""Observations: recorded, corrected, voided, their alerts acknowledged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from monitor_app.domain import vitals
from monitor_app.domain.alert_response import AlertResponse, check_response
from monitor_app.domain.models import Episode, Observation, Phase, ValidationError
from monitor_app.domain.protocol import Protocol
from monitor_app.services.context import ServiceContext
from monitor_app.services.discharge import DischargeUseCases
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.services.errors import NotAllowed
from monitor_app.services.text import checked_text
from monitor_app.services.views import ObservationRow
from monitor_app.storage import repository as repo


class ObservationUseCases:
    def __init__(self, ctx: ServiceContext, episodes: EpisodeUseCases,
                 discharge: DischargeUseCases) -> None:
        self.ctx = ctx
        self.episodes = episodes
        self.discharge = discharge

    def record_observation(self, actor_id: int, episode_id: int,
                           raw: Mapping[str, object],
                           taken_at: datetime | None = None) -> ObservationRow:
        """Validate and save one observation; returns it with its alerts and NEWS2."""
        self.ctx.active_actor(actor_id)
        episode = self.episodes.writable(episode_id)
        protocol = self.ctx.protocol_of(episode)
        now = self.ctx.clock.now()
        taken_at = taken_at or now
        self._validate_taken_at(taken_at, episode, protocol, now)
        parsed = vitals.parse_observation(raw, protocol)
        obs = repo.add_observation(self.ctx.db, episode_id, taken_at, now, parsed, actor_id,
                                   actor_id=actor_id, at=now)
        self._update_ready(actor_id, episode_id)
        return self._fresh_row(episode_id, obs.id)

    def correct_observation(self, actor_id: int, observation_id: int, reason: str,
                            raw: Mapping[str, object],
                            taken_at: datetime | None = None) -> ObservationRow:
        """Void the observation with a reason and record the corrected one, linked."""
        self.ctx.active_actor(actor_id)
        old = self._observation(observation_id)
        episode = self.episodes.writable(old.episode_id)
        protocol = self.ctx.protocol_of(episode)
        reason = checked_text(reason, "void_reason", "reason for the correction", size=500)
        now = self.ctx.clock.now()
        taken_at = taken_at or old.taken_at
        self._validate_taken_at(taken_at, episode, protocol, now)
        parsed = vitals.parse_observation(raw, protocol)
        new = repo.correct_observation(self.ctx.db, observation_id, reason, parsed, taken_at,
                                       entered_at=now, recorded_by=actor_id,
                                       actor_id=actor_id, at=now)
        self._update_ready(actor_id, old.episode_id)
        return self._fresh_row(old.episode_id, new.id)

    def void_observation(self, actor_id: int, observation_id: int, reason: str) -> None:
        self.ctx.active_actor(actor_id)
        old = self._observation(observation_id)
        self.episodes.writable(old.episode_id)
        reason = checked_text(reason, "void_reason", "reason for voiding", size=500)
        repo.void_observation(self.ctx.db, observation_id, reason=reason, actor_id=actor_id,
                              at=self.ctx.clock.now())
        self._update_ready(actor_id, old.episode_id)

    def acknowledge_alerts(self, actor_id: int, observation_id: int,
                           codes: Sequence[str], action: str, note: str = "") -> AlertResponse:
        """Acknowledge alerts of one observation with what was done about them
        (a note is required for "treatment given" and "other")."""
        self.ctx.active_actor(actor_id)
        obs = self._observation(observation_id)
        self.episodes.writable(obs.episode_id)
        note = checked_text(note, "ack_note", "note on what was done", required=False,
                            size=500)
        chosen = check_response(action, note)
        if not codes:
            raise ValidationError("ack_action", "no alert to acknowledge")
        return repo.acknowledge_alerts(self.ctx.db, observation_id, codes, chosen, note,
                                       actor_id=actor_id, at=self.ctx.clock.now())

    def _observation(self, observation_id: int) -> Observation:
        obs = repo.get_observation(self.ctx.db, observation_id)
        if obs is None:
            raise ValidationError("observation", f"no observation with id {observation_id}")
        if obs.voided:
            raise NotAllowed("observation", "this observation is already voided")
        return obs

    def _fresh_row(self, episode_id: int, observation_id: int) -> ObservationRow:
        """The saved observation with its alerts and NEWS2; only that one row is scored."""
        episode = self.episodes.episode(episode_id)
        base = repo.baseline_observation(self.ctx.db, episode_id, episode.dosing_start)
        obs = repo.get_observation(self.ctx.db, observation_id)
        assert obs is not None
        acks = repo.alert_acks(self.ctx.db, episode_id).get(observation_id, frozenset())
        responses = repo.alert_responses(self.ctx.db, episode_id).get(observation_id, ())
        return self.episodes.row(obs, self.ctx.protocol_of(episode), base, acks,
                                 self.episodes.row_context(), episode, responses)

    def _validate_taken_at(self, taken_at: datetime, episode: Episode,
                           protocol: Protocol, now: datetime) -> None:
        try:
            earliest = self.episodes.earliest_taken_at(episode, protocol)
            vitals.validate_taken_at(taken_at, earliest, now)
        except ValidationError:
            self.episodes.check_clock("taken_at", now)  # the likelier cause: say so
            raise

    def _update_ready(self, actor_id: int, episode_id: int) -> None:
        """Recovery <-> ready follows the automatic criteria, audited like any change."""
        episode = self.episodes.episode(episode_id)
        if episode.phase not in (Phase.RECOVERY, Phase.READY):
            return
        ready = self.discharge.automatic_criteria_met(episode_id)
        target = Phase.READY if ready else Phase.RECOVERY
        if target != episode.phase:
            repo.update_episode_phase(self.ctx.db, episode_id, target, actor_id=actor_id,
                                      at=self.ctx.clock.now())
