"""Patients and episodes: opening, reading (the episode view), the phases of dosing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor_app.domain import phases, schedule, vitals
from monitor_app.domain.alert_response import AlertResponse
from monitor_app.domain.models import (
    Episode,
    Observation,
    Patient,
    Phase,
    Role,
    ValidationError,
)
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.scores import news2
from monitor_app.domain.text import clean_text, refused_character, text_limit
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases
from monitor_app.services.errors import NotAllowed
from monitor_app.services.views import AddendumView, EpisodeView, ObservationRow, SignatureView
from monitor_app.storage import repository as repo


def _check_dosing_time(at: datetime, now: datetime, earliest: datetime, what: str) -> None:
    """A dosing time typed late is accepted, but never in the future or before ``what``."""
    if at > now:
        raise ValidationError("dosing_time", "the time is in the future")
    if at < earliest - timedelta(minutes=1):
        raise ValidationError("dosing_time", f"the time is before {what} "
                              f"({earliest.astimezone():%H:%M})")


def _late(happened: datetime | None, entered: datetime | None, limit: timedelta) -> bool:
    return happened is not None and entered is not None and entered - happened > limit


CLOCK_SLACK = timedelta(minutes=1)


def clock_went_back(by: timedelta, last: datetime, now: datetime) -> str:
    minutes = round(by.total_seconds() / 60)
    amount = (f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60
              else f"{max(minutes, 1)} min")
    return (f"the computer's clock seems to have gone back by about {amount} (last save "
            f"{last:%d %b %H:%M}, clock now {now:%d %b %H:%M}). Nothing was saved. Check the "
            "system clock and time zone (or ask IT), then save again")


@dataclass(frozen=True)
class RowContext:
    late_after: timedelta  # typed this long after it was taken: a late entry
    initials: Mapping[int, str]  # staff id -> initials
    temp_unit: str = "C"  # the clinic's: alert messages say the temperature in it


class EpisodeUseCases:
    def __init__(self, ctx: ServiceContext, credentials: CredentialUseCases) -> None:
        self.ctx = ctx
        self.credentials = credentials

    # ------------------------------------------------------------------ patients
    def find_patients(self, query: str, limit: int = 50) -> list[Patient]:
        query = (query or "").strip()
        if not query or refused_character(query) is not None:
            return []  # no patient's name or MRN can hold such a character
        return repo.find_patients(self.ctx.db, query[:text_limit("patient_search")],
                                  limit=limit)

    def patient(self, patient_id: int) -> Patient:
        found = repo.get_patient(self.ctx.db, patient_id)
        if found is None:
            raise ValidationError("patient", f"no patient with id {patient_id}")
        return found

    # ------------------------------------------------------------------ episodes
    def protocol_of(self, episode: Episode) -> Protocol:
        return self.ctx.protocol_of(episode)

    def episode(self, episode_id: int) -> Episode:
        found = repo.get_episode(self.ctx.db, episode_id)
        if found is None:
            raise ValidationError("episode", f"no episode with id {episode_id}")
        return found

    def episode_by_number(self, number_or_id: str) -> Episode:
        text = (number_or_id or "").strip()
        if (not text or len(text) > text_limit("episode_number")
                or refused_character(text) is not None):
            raise ValidationError("episode", "give an episode number (E-2026-00042) or row id")
        found = repo.get_episode_by_number(self.ctx.db, text)
        # ASCII digits only, and few of them: int() accepts "²"-like digits (ValueError)
        # and SQLite refuses integers above 2**63 (OverflowError).
        if found is None and text.isascii() and text.isdigit() and len(text) <= 18:
            found = repo.get_episode(self.ctx.db, int(text))
        if found is None:
            raise ValidationError("episode", f"no episode {text!r}")
        return found

    def episodes(self, include_closed: bool = False, limit: int = 500) -> list[Episode]:
        if include_closed:
            return repo.list_episodes(self.ctx.db, limit=limit)
        return repo.list_active_episodes(self.ctx.db)

    def episode_view(self, episode_id: int) -> EpisodeView:
        episode = self.episode(episode_id)
        protocol = self.protocol_of(episode)
        observations = repo.list_observations(self.ctx.db, episode_id)
        acks = repo.alert_acks(self.ctx.db, episode_id)
        responses = repo.alert_responses(self.ctx.db, episode_id)
        base = schedule.baseline_of(observations, episode.dosing_start)
        context = self.row_context()
        rows = tuple(self.row(o, protocol, base, acks.get(o.id, frozenset()), context,
                              episode, responses.get(o.id, ()))
                     for o in observations)
        status = schedule.episode_schedule(protocol, episode, observations, self.ctx.clock.now())
        caution = vitals.predose_caution(base.vitals, protocol) if base else None
        signatures = tuple(self.signature_views(episode_id))
        return EpisodeView(
            episode=episode, patient=self.patient(episode.patient_id), protocol=protocol,
            rows=rows, baseline=base, status=status, predose_caution=caution,
            signed=any(s.kind == "discharge" for s in signatures),
            signatures=signatures,
            addenda=tuple(self.addendum_views(episode_id)),
            dose_caution=protocol.dose_caution(episode.weight_kg, episode.dose_mg),
            corrections=tuple(repo.list_episode_corrections(self.ctx.db, episode_id)),
            dosing_start_late=_late(episode.dosing_start, episode.dosing_start_entered_at,
                                    context.late_after),
            dosing_end_late=_late(episode.dosing_end, episode.dosing_end_entered_at,
                                  context.late_after),
        )

    def change_mark(self) -> tuple[int, int]:
        """Differs from an earlier value once anything was written since (by this
        station or another): an open window rebuilds its view only then."""
        return repo.change_mark(self.ctx.db)

    def row_context(self) -> RowContext:
        """What scoring rows needs besides the rows: read once per view, never cached."""
        initials = {s.id: s.initials for s in repo.list_staff(self.ctx.db, include_inactive=True)}
        settings = self.ctx.settings()
        return RowContext(timedelta(minutes=settings.late_entry_min), initials,
                          settings.temp_unit)

    def row(self, obs: Observation, protocol: Protocol, base: Observation | None,
             acked: frozenset[str], context: RowContext, episode: Episode,
             responses: tuple[AlertResponse, ...] = ()) -> ObservationRow:
        baseline_vitals = base.vitals if base is not None and base.id != obs.id else None
        return ObservationRow(
            observation=obs,
            alerts=tuple(vitals.alerts_for(obs.vitals, protocol, baseline_vitals,
                                           context.temp_unit)),
            news2=news2(obs.vitals, self.ctx.news2_table), acknowledged=acked,
            late=obs.entered_at - obs.taken_at > context.late_after,
            recorded_by=context.initials.get(obs.recorded_by, "?"), responses=responses,
            timepoint=schedule.timepoint_label(protocol, episode, obs.taken_at))

    def check_clock(self, key: str, now: datetime) -> None:
        """A time refused as out of order because the computer's clock went back (the
        newest save is later than "now") is refused with a message that says so."""
        last = repo.latest_event_time(self.ctx.db)
        if last is None or last - now <= CLOCK_SLACK:
            return
        zone = self.ctx.local_zone()
        raise ValidationError(key, clock_went_back(last - now, last.astimezone(zone),
                                                   now.astimezone(zone)))

    def earliest_taken_at(self, episode: Episode, protocol: Protocol) -> datetime:
        # A baseline may be taken a little before the episode was opened in the app.
        return episode.created_at - timedelta(minutes=protocol.schedule.baseline_window_min)

    def writable(self, episode_id: int) -> Episode:
        return self.writable_state(episode_id).episode

    def writable_state(self, episode_id: int, *,
                       discharge_inputs: bool = False) -> repo.EpisodeState:
        """The episode, read once with its signed state (and the answers its discharge
        criteria read); refused when signed, discharged or cancelled."""
        state = repo.episode_state(self.ctx.db, episode_id, discharge_inputs=discharge_inputs)
        if state is None:
            raise ValidationError("episode", f"no episode with id {episode_id}")
        episode = state.episode
        if state.signed:
            raise NotAllowed("episode", f"episode {episode.number} is signed and locked; "
                             "add an addendum instead")
        if episode.phase in (Phase.DISCHARGED, Phase.CANCELLED):
            raise NotAllowed("episode", f"episode {episode.number} is {episode.phase.value}")
        return state

    # ------------------------------------------------------------------ phases
    def acknowledge_predose(self, prescriber_id: int, pin: str,
                            episode_id: int) -> Episode:
        """A prescriber accepts a baseline above the pre-dose limit (PIN re-asked)."""
        prescriber = self.credentials.authenticate(prescriber_id, pin)
        if prescriber.role != Role.PRESCRIBER:
            raise NotAllowed("prescriber", "only a prescriber can acknowledge a high baseline")
        self.writable(episode_id)
        return repo.set_episode_fields(self.ctx.db, episode_id, predose_ack_by=prescriber_id,
                                       actor_id=prescriber_id, at=self.ctx.clock.now())

    def start_dosing(self, actor_id: int, episode_id: int,
                     at: datetime | None = None) -> Episode:
        self.ctx.active_actor(actor_id)
        episode = self.writable(episode_id)
        phases.check_transition(episode.phase, Phase.DOSING)
        view = self.episode_view(episode_id)
        now = self.ctx.clock.now()
        at = at or now
        _check_dosing_time(at, now, episode.created_at, "the episode was opened")
        window = timedelta(minutes=view.protocol.schedule.baseline_window_min)
        if view.baseline is None:
            raise NotAllowed("start_dosing", "record baseline vitals (with BP) first")
        if view.baseline.taken_at < at - window:
            raise NotAllowed("start_dosing", "the baseline is older than "
                             f"{window.seconds // 60} min: record a new one")
        if view.predose_caution is not None and episode.predose_ack_by is None:
            raise NotAllowed("start_dosing", f"{view.predose_caution.message}: a prescriber "
                             "must acknowledge the baseline before dosing starts")
        return repo.update_episode_phase(self.ctx.db, episode_id, Phase.DOSING, dosing_start=at,
                                         actor_id=actor_id, at=now)

    def end_dosing(self, actor_id: int, episode_id: int,
                   at: datetime | None = None) -> Episode:
        self.ctx.active_actor(actor_id)
        episode = self.writable(episode_id)
        phases.check_transition(episode.phase, Phase.RECOVERY)
        now = self.ctx.clock.now()
        at = at or now
        if episode.dosing_start and at < episode.dosing_start:
            self.check_clock("end_dosing", now)
            raise ValidationError("dosing_time", "dosing cannot end before it started "
                                  f"({episode.dosing_start.astimezone():%H:%M})")
        _check_dosing_time(at, now, episode.created_at, "the episode was opened")
        return repo.update_episode_phase(self.ctx.db, episode_id, Phase.RECOVERY, dosing_end=at,
                                         actor_id=actor_id, at=now)

    def cancel_episode(self, actor_id: int, episode_id: int, reason: str) -> Episode:
        self.ctx.active_actor(actor_id)
        episode = self.writable(episode_id)
        phases.check_transition(episode.phase, Phase.CANCELLED)
        reason = clean_text(reason, "cancel_reason", "reason for cancelling")
        now = self.ctx.clock.now()
        return repo.update_episode_phase(self.ctx.db, episode_id, Phase.CANCELLED, closed_at=now,
                                         reason=reason, actor_id=actor_id, at=now)

    # ------------------------------------------------------------------ signatures
    def signature_views(self, episode_id: int) -> list[SignatureView]:
        return [SignatureView(s.id, s.kind, s.signer_name, s.signer_credentials, s.meaning,
                              s.signed_at, s.content_hash, s.addendum_id)
                for s in repo.list_signatures(self.ctx.db, episode_id)]

    def addendum_views(self, episode_id: int) -> list[AddendumView]:
        signatures = {s.addendum_id: s for s in self.signature_views(episode_id)
                      if s.addendum_id is not None}
        return [AddendumView(a.id, a.text, a.created_at, signatures.get(a.id))
                for a in repo.list_addenda(self.ctx.db, episode_id)]
