"""The REMS filing queue: every signed session of a protocol with a ``[rems_filing]``
rule has a Patient Monitoring Form due that many calendar days after the session.

The clinic files the form itself (the REMS website or fax); the app only tracks it: an
administrator records the date and the confirmation number, in an append-only audited
table; a correction or a withdrawal supersedes the earlier note with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from monitor_app.domain.models import Episode, Role, ValidationError
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.text import clean_text
from monitor_app.services.context import ServiceContext
from monitor_app.services.errors import NotAllowed
from monitor_app.storage import repository as repo

FILED_SHOWN_DAYS = 30  # the queue also lists forms filed this recently (to correct them)


class RemsFormState(StrEnum):
    DUE = "due"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"
    FILED = "filed"
    FILED_LATE = "filed late"


@dataclass(frozen=True)
class RemsQueueItem:
    """One signed session's REMS form: when it is due and whether it was filed."""

    episode_id: int
    number: str
    patient_name: str
    mrn: str
    protocol_id: str
    session_date: date
    due_on: date
    days_left: int  # negative: overdue by that many days
    state: RemsFormState
    submitted_on: date | None = None
    confirmation: str = ""

    @property
    def outstanding(self) -> bool:
        return self.state in (RemsFormState.DUE, RemsFormState.DUE_SOON, RemsFormState.OVERDUE)

    @property
    def days_text(self) -> str:
        """'3 days left', 'due today', 'OVERDUE by 2 days', 'filed 2026-11-30'."""
        if not self.outstanding:
            late = " (late)" if self.state == RemsFormState.FILED_LATE else ""
            return f"filed {self.submitted_on}{late}"
        if self.days_left > 0:
            return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"
        if self.days_left == 0:
            return "due today"
        overdue = -self.days_left
        return f"OVERDUE by {overdue} day{'s' if overdue != 1 else ''}"


@dataclass(frozen=True)
class RemsQueueCounts:
    """How many REMS forms are due soon and overdue."""

    due_soon: int
    overdue: int

    @property
    def text(self) -> str:
        """The board's summary part: 'REMS forms: 1 overdue, 2 due soon', or ''."""
        parts = [f"{self.overdue} overdue"] if self.overdue else []
        parts += [f"{self.due_soon} due soon"] if self.due_soon else []
        return f"REMS forms: {', '.join(parts)}" if parts else ""


def session_date(episode: Episode, zone: tzinfo) -> date:
    """The session's calendar day at the station: the day dosing started."""
    return (episode.dosing_start or episode.created_at).astimezone(zone).date()


class RemsQueueUseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _zone(self) -> tzinfo:
        return self.ctx.local_zone()

    def _rems_protocols(self) -> dict[str, Protocol]:
        return {pid: p for pid, p in self.ctx.protocols.items() if p.rems_filing is not None}

    def items(self, episodes: list[Episode], today: date) -> list[RemsQueueItem]:
        """Each signed session's form, with its state on ``today``."""
        protocols = self._rems_protocols()
        episodes = [e for e in episodes if e.protocol_id in protocols]
        ids = [e.id for e in episodes]
        notes = repo.rems_submissions(self.ctx.db, ids)
        patients = repo.get_patients(self.ctx.db, [e.patient_id for e in episodes])
        zone = self._zone()
        out = []
        for e in episodes:
            rule = protocols[e.protocol_id].rems_filing
            assert rule is not None
            day = session_date(e, zone)
            due = day + timedelta(days=rule.form_due_days)
            left = (due - today).days
            filed = repo.current_submission(notes.get(e.id, []))
            if filed is not None and filed.submitted_on is not None:
                state = (RemsFormState.FILED if filed.submitted_on <= due
                         else RemsFormState.FILED_LATE)
            elif left < 0:
                state = RemsFormState.OVERDUE
            elif left <= rule.due_soon_days:
                state = RemsFormState.DUE_SOON
            else:
                state = RemsFormState.DUE
            patient = patients[e.patient_id]
            out.append(RemsQueueItem(
                episode_id=e.id, number=e.number, patient_name=patient.name, mrn=patient.mrn,
                protocol_id=e.protocol_id, session_date=day, due_on=due, days_left=left,
                state=state, submitted_on=filed.submitted_on if filed else None,
                confirmation=filed.confirmation if filed else ""))
        return out

    def _today(self) -> date:
        return self.ctx.clock.now().astimezone(self._zone()).date()

    def _outstanding(self, protocols: dict[str, Protocol], today: date) -> list[RemsQueueItem]:
        """The forms still to file, most urgent first: read from the unfiled sessions
        only, however many forms the clinic filed over the years."""
        sessions = repo.unfiled_sessions(self.ctx.db, list(protocols))
        return sorted((i for i in self.items(sessions, today) if i.outstanding),
                      key=lambda i: (i.days_left, i.number))

    def queue(self) -> list[RemsQueueItem]:
        """Every outstanding form (most urgent first), then those filed in the last
        ``FILED_SHOWN_DAYS`` days."""
        protocols = self._rems_protocols()
        if not protocols:
            return []
        today = self._today()
        recent = today - timedelta(days=FILED_SHOWN_DAYS)
        filed = self.items(repo.sessions_filed_since(self.ctx.db, list(protocols), recent),
                           today)
        filed = sorted((i for i in filed if not i.outstanding
                        and i.submitted_on is not None and i.submitted_on >= recent),
                       key=lambda i: (i.submitted_on, i.number), reverse=True)
        return self._outstanding(protocols, today) + filed

    def counts(self) -> RemsQueueCounts:
        """How many forms are due soon or overdue (for the board's summary line)."""
        protocols = self._rems_protocols()
        items = self._outstanding(protocols, self._today()) if protocols else []
        return RemsQueueCounts(
            due_soon=sum(1 for i in items if i.state == RemsFormState.DUE_SOON),
            overdue=sum(1 for i in items if i.state == RemsFormState.OVERDUE))

    def mark_submitted(self, actor_id: int, episode_id: int, submitted_on: date | None,
                       confirmation: str, reason: str = "") -> RemsQueueItem:
        """An administrator records that the clinic filed the form (or, with
        ``submitted_on`` None, withdraws the earlier note). Over an earlier note it is
        a correction and needs ``reason``. One transaction with its audit row."""
        if self.ctx.active_actor(actor_id).role != Role.ADMIN:
            raise NotAllowed("role", "only an administrator can record a REMS filing")
        episode = repo.get_episode(self.ctx.db, episode_id)
        if episode is None or episode.protocol_id not in self._rems_protocols():
            raise ValidationError("episode", "this episode has no REMS form to file")
        if not repo.is_signed(self.ctx.db, episode_id):
            raise ValidationError("episode", "the episode is not signed yet: there is no "
                                  "form to file")
        now = self.ctx.clock.now()
        today = now.astimezone(self._zone()).date()
        if submitted_on is not None:
            if submitted_on > today:
                raise ValidationError("rems_submitted_on", "the filing date is in the future")
            if submitted_on < session_date(episode, self._zone()):
                raise ValidationError("rems_submitted_on",
                                      "the filing date is before the session")
            confirmation = clean_text(confirmation, "rems_confirmation",
                                        "confirmation number")
        reason = clean_text(reason, "reason", "reason", required=False)
        repo.add_rems_submission(self.ctx.db, episode_id, submitted_on=submitted_on,
                                 confirmation=confirmation if submitted_on else "",
                                 reason=reason, actor_id=actor_id, at=now)
        return self.items([episode], today)[0]

    def withdraw_submission(self, actor_id: int, episode_id: int,
                            reason: str) -> RemsQueueItem:
        """An administrator withdraws a filing note recorded in error (the form goes
        back to the queue); the note stays, superseded, with the reason. Audited."""
        if not reason.strip():
            raise ValidationError("reason", "say why the filing note is withdrawn")
        return self.mark_submitted(actor_id, episode_id, None, "", reason)

    def history(self, episode_id: int) -> list[repo.RemsSubmission]:
        """Every filing note of one episode, oldest first (superseded ones too)."""
        return repo.rems_submissions(self.ctx.db, [episode_id]).get(episode_id, [])


def parse_day(text: str, key: str) -> date:
    """A YYYY-MM-DD date typed on the command line or in a field."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError(key, f"{text!r} is not a date (YYYY-MM-DD)") from None
