"""History: today's discharged and cancelled episodes, and a search of all past ones by
name, MRN, episode number, date range and protocol.

A name or MRN goes through the patient search (the MRN index and the full-text index of
names), the rest through the episodes' indexes: the cost follows what is found, not
the years the file holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from monitor_app.domain.models import Episode, Phase, ValidationError
from monitor_app.services.context import ServiceContext
from monitor_app.storage import repository as repo

SEARCH_LIMIT = 200
PATIENT_LIMIT = 500
EPISODE_NUMBER = re.compile(r"^\s*E-\d{4}-\d+\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class HistoryRow:
    episode_id: int
    number: str
    patient_name: str
    mrn: str
    protocol_id: str
    protocol_name: str
    phase: Phase
    started_at: datetime
    closed_at: datetime | None
    signed_at: datetime | None
    closed_reason: str = ""

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    @property
    def outcome(self) -> str:
        """'discharged (signed)', 'cancelled: patient unwell'."""
        if self.phase == Phase.CANCELLED:
            return f"cancelled: {self.closed_reason}" if self.closed_reason else "cancelled"
        return "discharged (signed)" if self.signed else "discharged (not signed)"


@dataclass(frozen=True)
class HistoryQuery:
    text: str = ""  # a name, an MRN or an episode number
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    protocol_id: str = ""


class HistoryUseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.ctx.local_zone())

    def today(self) -> list[HistoryRow]:
        """Episodes discharged or cancelled today (station time), however many days
        before they were opened; the latest opened first."""
        now = self.ctx.clock.now()
        start = self._day_start(now.astimezone(self.ctx.local_zone()).date())
        return self._rows(repo.episodes_closed_since(self.ctx.db, start, limit=SEARCH_LIMIT))

    def search(self, query: HistoryQuery) -> list[HistoryRow]:
        """Closed episodes matching every part of ``query``, newest first (at most
        ``SEARCH_LIMIT``). Refused: an empty search, a range that ends before it starts,
        an unknown protocol."""
        text = query.text.strip()
        if not (text or query.date_from or query.date_to or query.protocol_id):
            raise ValidationError("history_search", "type a name, MRN or episode number, "
                                  "or choose dates or a protocol")
        if query.date_from and query.date_to and query.date_to < query.date_from:
            raise ValidationError("history_to", "the end date is before the start date")
        if query.protocol_id and query.protocol_id not in self.ctx.protocols:
            raise ValidationError("history_protocol", f"no protocol {query.protocol_id!r}")
        created_from = self._day_start(query.date_from) if query.date_from else None
        created_before = (self._day_start(query.date_to + timedelta(days=1))
                          if query.date_to else None)
        if text and EPISODE_NUMBER.match(text):
            episode = repo.get_episode_by_number(self.ctx.db, text.upper())
            found = [episode] if episode is not None and episode.phase in repo.CLOSED_PHASES \
                and (not query.protocol_id or episode.protocol_id == query.protocol_id) \
                and (created_from is None or episode.created_at >= created_from) \
                and (created_before is None or episode.created_at < created_before) else []
            return self._rows(found)
        patient_ids = None
        if text:
            patient_ids = [p.id for p in repo.find_patients(self.ctx.db, text, limit=PATIENT_LIMIT)]
            if not patient_ids:
                return []
        return self._rows(repo.closed_episodes(
            self.ctx.db, created_from=created_from, created_before=created_before,
            patient_ids=patient_ids, protocol_id=query.protocol_id or None,
            limit=SEARCH_LIMIT))

    def _rows(self, episodes: list[Episode]) -> list[HistoryRow]:
        ids = [e.id for e in episodes]
        signed = repo.discharge_times(self.ctx.db, ids)
        patients = repo.get_patients(self.ctx.db, [e.patient_id for e in episodes])
        rows = []
        for e in episodes:
            patient = patients[e.patient_id]
            protocol = self.ctx.protocols.get(e.protocol_id)
            rows.append(HistoryRow(
                episode_id=e.id, number=e.number, patient_name=patient.name, mrn=patient.mrn,
                protocol_id=e.protocol_id,
                protocol_name=protocol.name if protocol else e.protocol_id, phase=e.phase,
                started_at=e.dosing_start or e.created_at, closed_at=e.closed_at,
                signed_at=signed.get(e.id), closed_reason=e.closed_reason))
        return rows
