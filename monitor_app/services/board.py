"""The board: every active chair, its countdown, last vitals, NEWS2 and flags."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from monitor_app.domain import schedule, vitals
from monitor_app.domain.models import Alert, Episode, Observation, Patient, Phase, Vitals
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.schedule import ScheduleState, ScheduleStatus
from monitor_app.domain.scores import news2
from monitor_app.domain.vitals import worst_alert
from monitor_app.services.context import ServiceContext
from monitor_app.storage import repository as repo

_URGENCY = {state: n for n, state in enumerate((
    ScheduleState.OVERDUE, ScheduleState.DUE, ScheduleState.DUE_SOON, ScheduleState.BASELINE,
    ScheduleState.OK, ScheduleState.NONE))}


@dataclass(frozen=True)
class BoardRow:
    """One active episode as the board shows it."""

    episode_id: int
    number: str
    chair: str
    patient_name: str
    mrn: str
    protocol_id: str
    protocol_name: str
    phase: Phase
    dosing_start: datetime | None
    dosing_end: datetime | None
    last_vitals: Vitals | None  # the newest current observation's values (screens format them)
    last_taken_at: datetime | None
    news2: int | None
    flags: tuple[str, ...]  # unacknowledged alert messages, newest observation first
    status: ScheduleStatus
    taken_at: tuple[datetime, ...] = field(default=(), repr=False)  # for the tick
    bp_flagged_at: datetime | None = field(default=None, repr=False)  # for the tick's recheck
    alerts: tuple[Alert, ...] = ()  # the unacknowledged alerts themselves, as ``flags``
    dosing_label: str = "dosing"  # the protocol's: "infusion"
    dosing_ended: str = "dosing ended"  # the protocol's: "infusion ended", "spray given"

    @property
    def worst_alert(self) -> Alert | None:
        """The most severe unacknowledged alert (domain severity order)."""
        return worst_alert(self.alerts)

    @property
    def urgency(self) -> int:
        """Sort key: overdue first, then due, due soon, baseline, ok, none."""
        return _URGENCY.get(self.status.state, len(_URGENCY))





class BoardUseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def board(self) -> list[BoardRow]:
        """Every active episode, in chair order. One query per table, not per chair."""
        episodes = repo.list_active_episodes(self.ctx.db)
        ids = [e.id for e in episodes]
        observations = repo.observations_for_episodes(self.ctx.db, ids)
        patients = repo.get_patients(self.ctx.db, [e.patient_id for e in episodes])
        acks = repo.alert_acks_for_episodes(self.ctx.db, ids)
        now = self.ctx.clock.now()
        temp_unit = self.ctx.settings().temp_unit if episodes else "C"
        rows = []
        for e in episodes:
            protocol = self.ctx.protocols.get(e.protocol_id)
            if protocol is None:
                continue
            obs = [o for o in observations.get(e.id, []) if not o.voided]
            rows.append(self._board_row(e, protocol, patients[e.patient_id], obs, now,
                                        _unacknowledged(obs, protocol, e, acks, temp_unit)))
        return sort_board(rows)

    def _board_row(self, e: Episode, protocol: Protocol, patient: Patient,
                   obs: list[Observation], now: datetime, alerts: tuple[Alert, ...]
                   ) -> BoardRow:
        last = obs[-1] if obs else None
        score = None
        if last is not None:
            result = news2(last.vitals, self.ctx.news2_table)
            score = result.total if result else None
        times = tuple(o.taken_at for o in obs)
        bp_flagged_at = schedule.flagged_bp_at(protocol, obs, e.dosing_start)
        return BoardRow(
            episode_id=e.id, number=e.number, chair=e.chair, patient_name=patient.name,
            mrn=patient.mrn, protocol_id=protocol.id, protocol_name=protocol.name,
            phase=e.phase, dosing_start=e.dosing_start, dosing_end=e.dosing_end,
            last_vitals=last.vitals if last else None,
            last_taken_at=last.taken_at if last else None,
            news2=score, flags=tuple(a.message for a in alerts), alerts=alerts,
            status=schedule.schedule_status(protocol.schedule, phase=e.phase,
                                            dosing_start=e.dosing_start,
                                            dosing_end=e.dosing_end, taken_at=times, now=now,
                                            dosing_label=protocol.dosing_label,
                                            bp_flagged_at=bp_flagged_at),
            taken_at=times, bp_flagged_at=bp_flagged_at, dosing_label=protocol.dosing_label,
            dosing_ended=protocol.dosing_ended)

    def board_tick(self, rows: Sequence[BoardRow]) -> list[BoardRow]:
        """Recompute every countdown from cached rows: no database access."""
        now = self.ctx.clock.now()
        out = []
        for row in rows:
            protocol = self.ctx.protocols[row.protocol_id]
            status = schedule.schedule_status(
                protocol.schedule, phase=row.phase, dosing_start=row.dosing_start,
                dosing_end=row.dosing_end, taken_at=row.taken_at, now=now,
                dosing_label=protocol.dosing_label, bp_flagged_at=row.bp_flagged_at)
            out.append(_with_status(row, status))
        return sort_board(out)


def _with_status(row: BoardRow, status: schedule.ScheduleStatus) -> BoardRow:
    return replace(row, status=status)


def _unacknowledged(obs: list[Observation], protocol: Protocol, e: Episode,
                    acks: dict[int, frozenset[str]], temp_unit: str = "C") -> tuple[Alert, ...]:
    """Every alert not yet acknowledged on the current observations, newest first."""
    base = schedule.baseline_of(obs, e.dosing_start)
    found: list[Alert] = []
    for o in reversed(obs):
        base_vitals = base.vitals if base is not None and base.id != o.id else None
        done = acks.get(o.id, frozenset())
        found += [a for a in vitals.alerts_for(o.vitals, protocol, base_vitals, temp_unit)
                  if a.code not in done]
    return tuple(found)


def chair_key(chair: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order: chair 2 before chair 10, "Bay 3" before "Bay 12"."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold())
                 for part in re.split(r"(\d+)", chair.strip()) if part)


def sort_board(rows: list[BoardRow]) -> list[BoardRow]:
    """Chair order, always: a row never moves under the nurse's pointer when a patient
    turns due (urgency is shown by colour and counted in the summary instead)."""
    return sorted(rows, key=lambda r: (chair_key(r.chair), r.episode_id))
