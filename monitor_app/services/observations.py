"""Observations: recorded, corrected, voided, their alerts acknowledged."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from monitor_app.domain import schedule, vitals
from monitor_app.domain.alert_response import AlertResponse, check_response
from monitor_app.domain.models import (
    Episode,
    Observation,
    ObservationSource,
    Phase,
    Staff,
    ValidationError,
    Vitals,
)
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.text import clean_text
from monitor_app.errors import DatabaseBusy, StorageError
from monitor_app.services.context import ServiceContext
from monitor_app.services.discharge import DischargeUseCases
from monitor_app.services.episodes import EpisodeUseCases, RowContext
from monitor_app.services.errors import NotAllowed
from monitor_app.services.save_reads import SaveReads, same_identity
from monitor_app.services.views import ObservationRow
from monitor_app.storage import repository as repo


class ObservationUseCases:
    def __init__(self, ctx: ServiceContext, episodes: EpisodeUseCases,
                 discharge: DischargeUseCases) -> None:
        self.ctx = ctx
        self.episodes = episodes
        self.discharge = discharge
        self._reads = SaveReads()

    def record_observation(self, actor_id: int, episode_id: int,
                           raw: Mapping[str, object],
                           taken_at: datetime | None = None, *,
                           source: ObservationSource = ObservationSource.MANUAL
                           ) -> ObservationRow:
        """Validate and save one observation; returns it with its alerts and NEWS2.
        ``source`` says whether the nurse typed it or confirmed a monitor's reading.

        Reads each row it needs once: the actor, the episode with its signed state and
        discharge answers, the episode's observations; then one write transaction, which
        also holds the move to ready (or back) when the criteria change, and commits
        last, after the returned row is scored."""
        db = self.ctx.db
        now = self.ctx.clock.now()
        taken_at = taken_at or now
        # The form is checked before the write lock, so a typo gets its field's error
        # even while another program holds the database: against this episode as an
        # earlier save read it (its protocol and opening time never change), else,
        # on its first save here, when the lock is refused (_check_while_busy).
        seen = self._reads.seen(episode_id)
        checked = None if seen is None else self._checked_form(raw, taken_at, seen, now)
        try:
            # Everything else is read under the write lock, so readiness is judged on
            # every observation saved, another station's too; what the last save read
            # is used again only while the change mark says nothing was written since.
            with repo.transaction(db):
                mark = repo.change_mark(db)
                kept = self._reads.get(mark, actor_id, episode_id)
                self._reads.forget()
                if kept is None:
                    actor = self.ctx.active_actor(actor_id)
                    state = self.episodes.writable_state(episode_id, discharge_inputs=True)
                    self._reads.saw(state.episode)
                else:  # nothing written since the last save read them (save_reads.py)
                    actor, state, earlier = kept
                episode = state.episode
                if checked is None or not same_identity(seen, episode):
                    checked = self._checked_form(raw, taken_at, episode, now)
                protocol, parsed = checked
                if kept is None:
                    earlier = tuple(repo.list_observations(db, episode_id))
                # The database's lock triggers refuse it if a signature came in meanwhile.
                obs = repo.add_observation(db, episode_id, taken_at, now, parsed,
                                           actor_id, actor_id=actor_id, at=now,
                                           episode_checked=True, source=source,
                                           in_caller_transaction=True)
                observations = _with(earlier, obs)
                base = schedule.baseline_of(observations, episode.dosing_start)
                moved = self._follow_readiness(actor_id, state, observations, base)
                row = self._new_row(actor, episode, protocol, base, obs)
        except DatabaseBusy:
            if checked is None:
                self._check_while_busy(raw, taken_at, episode_id, now)
            raise
        if not moved and not db.conn.in_transaction:  # committed, not a caller's savepoint
            self._reads.keep((mark[0], db.conn.total_changes), actor, state, observations)
        return row

    def correct_observation(self, actor_id: int, observation_id: int, reason: str,
                            raw: Mapping[str, object],
                            taken_at: datetime | None = None) -> ObservationRow:
        """Void the observation with a reason and record the corrected one, linked."""
        actor = self.ctx.active_actor(actor_id)
        old = self._observation(observation_id)
        # The reason and the form are checked before the write lock, as a save's are.
        reason = clean_text(reason, "void_reason", "reason for the correction")
        now = self.ctx.clock.now()
        taken_at = taken_at or old.taken_at
        seen = (self._reads.seen(old.episode_id)
                or repo.get_episode(self.ctx.db, old.episode_id))
        checked = None if seen is None else self._checked_form(raw, taken_at, seen, now)
        # One transaction with the move to ready or back, read under the write lock.
        with repo.transaction(self.ctx.db):
            state = self.episodes.writable_state(old.episode_id, discharge_inputs=True)
            episode = state.episode
            if checked is None or not same_identity(seen, episode):
                checked = self._checked_form(raw, taken_at, episode, now)
            protocol, parsed = checked
            new = repo.correct_observation(self.ctx.db, observation_id, reason, parsed,
                                           taken_at, entered_at=now, recorded_by=actor_id,
                                           actor_id=actor_id, at=now)
            observations = repo.list_observations(self.ctx.db, episode.id)
            base = schedule.baseline_of(observations, episode.dosing_start)
            self._follow_readiness(actor_id, state, observations, base)
            return self._new_row(actor, episode, protocol, base, new)

    def void_observation(self, actor_id: int, observation_id: int, reason: str) -> None:
        self.ctx.active_actor(actor_id)
        old = self._observation(observation_id)
        self.episodes.writable(old.episode_id)
        reason = clean_text(reason, "void_reason", "reason for voiding")
        with repo.transaction(self.ctx.db):  # the void and the move to ready or back
            repo.void_observation(self.ctx.db, observation_id, reason=reason,
                                  actor_id=actor_id, at=self.ctx.clock.now())
            self._update_ready(actor_id, old.episode_id)

    def acknowledge_alerts(self, actor_id: int, observation_id: int,
                           codes: Sequence[str], action: str, note: str = "") -> AlertResponse:
        """Acknowledge alerts of one observation with what was done about them
        (a note is required for "treatment given" and "other")."""
        self.ctx.active_actor(actor_id)
        obs = self._observation(observation_id)
        self.episodes.writable(obs.episode_id)
        note = clean_text(note, "ack_note", "note on what was done", required=False)
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

    def _new_row(self, actor: Staff, episode: Episode, protocol: Protocol,
                 base: Observation | None, obs: Observation) -> ObservationRow:
        """The saved observation with its alerts and NEWS2, from what the save read: it
        has no acknowledgement yet and was recorded by the actor."""
        late_after, temp_unit = timedelta(0), "C"
        # The clinic's settings matter only for an entry typed late or a temperature.
        if obs.entered_at > obs.taken_at or obs.vitals.temp_c is not None:
            settings = self.ctx.settings()
            late_after = timedelta(minutes=settings.late_entry_min)
            temp_unit = settings.temp_unit
        context = RowContext(late_after, {actor.id: actor.initials}, temp_unit)
        return self.episodes.row(obs, protocol, base, frozenset(), context, episode)

    def _checked_form(self, raw: Mapping[str, object], taken_at: datetime,
                      episode: Episode, now: datetime) -> tuple[Protocol, Vitals]:
        """The episode's protocol and the form parsed by it; ``ValidationError`` for a
        field. Reads nothing unless the time is refused (then the clock is checked)."""
        protocol = self.ctx.protocol_of(episode)
        self._validate_taken_at(taken_at, episode, protocol, now)
        return protocol, vitals.parse_observation(raw, protocol)

    def _check_while_busy(self, raw: Mapping[str, object], taken_at: datetime,
                          episode_id: int, now: datetime) -> None:
        """The write lock was refused before the form was checked: check it against the
        episode (a read needs no write lock), so a typo gets its field's error."""
        try:
            episode = repo.get_episode(self.ctx.db, episode_id)
        except (StorageError, sqlite3.Error):
            return  # the database cannot be read either: busy is the answer
        if episode is not None:
            self._checked_form(raw, taken_at, episode, now)

    def _validate_taken_at(self, taken_at: datetime, episode: Episode,
                           protocol: Protocol, now: datetime) -> None:
        try:
            earliest = self.episodes.earliest_taken_at(episode, protocol)
            vitals.validate_taken_at(taken_at, earliest, now)
        except ValidationError:
            self.episodes.check_clock("taken_at", now)  # the likelier cause: say so
            raise

    def _update_ready(self, actor_id: int, episode_id: int) -> None:
        state = self.episodes.writable_state(episode_id, discharge_inputs=True)
        observations = repo.list_observations(self.ctx.db, episode_id)
        self._follow_readiness(actor_id, state, observations, schedule.baseline_of(
            observations, state.episode.dosing_start))

    def _follow_readiness(self, actor_id: int, state: repo.EpisodeState,
                          observations: Sequence[Observation],
                          baseline: Observation | None) -> bool:
        """Recovery <-> ready follows the automatic criteria, audited like any change;
        True when the phase moved."""
        episode = state.episode
        if episode.phase not in (Phase.RECOVERY, Phase.READY):
            return False
        ready = self.discharge.criteria_met_from(state, observations, baseline)
        target = Phase.READY if ready else Phase.RECOVERY
        if target != episode.phase:
            repo.update_episode_phase(self.ctx.db, episode.id, target, actor_id=actor_id,
                                      at=self.ctx.clock.now())
            return True
        return False


def _with(earlier: Sequence[Observation], obs: Observation) -> tuple[Observation, ...]:
    """``earlier`` (by taken_at then id) with ``obs`` in its place: usually the last.
    A tuple, as the next save keeps it (save_reads.py), so it is not copied again."""
    if not earlier or (earlier[-1].taken_at, earlier[-1].id) < (obs.taken_at, obs.id):
        return (*earlier, obs)
    return tuple(sorted([*earlier, obs], key=lambda o: (o.taken_at, o.id)))
