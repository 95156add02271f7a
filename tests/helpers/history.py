"""A small built history: the demo clinic at a fixed time, plus older signed sessions
on a FixedClock: esketamine 9 days back (Oliver Brandt: its form overdue by 2 days),
6 days back (Sofía Ramírez, who is in chair 9 today: due in 1 day), 1 day back
(Oliver again: 6 days left), and IV 3 days back (Oliver)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from monitor_app.clock import FixedClock
from monitor_app.demo import STAFF, DemoBuilder, vitals
from monitor_app.domain import pins
from monitor_app.services import Services

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
DAY = 24 * 60


OLIVER, SOFIA, NOAH = 9, 5, 7


class HistoryBuilder(DemoBuilder):
    def _episodes(self) -> None:
        nurse, md = self.staff["2222"], self.staff["4444"]
        self.signed_rems(self.patients[OLIVER], "6", nurse, md, start=9 * DAY)
        self.signed_rems(self.patients[SOFIA], "6", nurse, md, start=6 * DAY)
        self.signed_iv(self.patients[OLIVER], "4", nurse, md, start=3 * DAY)
        self.signed_rems(self.patients[OLIVER], "6", nurse, md, start=1 * DAY)
        super()._episodes()


@dataclass
class History:
    services: Services
    clock: FixedClock
    builder: DemoBuilder

    @property
    def s(self) -> Services:
        return self.services

    def staff(self, pin: str) -> int:
        return self.builder.staff["admin" if pin == STAFF[0].pin else pin]

    def number_of(self, patient: int) -> str:
        """The newest closed episode of the demo's patient ``patient``."""
        pid = self.builder.patients[patient]
        return next(e.number for e in self.s.episodes(include_closed=True)
                    if e.patient_id == pid)


def build_history(folder: Path) -> History:
    pins.COST = pins.TEST_COST
    services = Services.open(folder / "history.db")
    builder = HistoryBuilder(services, NOW)
    builder.build()
    clock = FixedClock(NOW)
    services.clock = clock
    return History(services, clock, builder)


def long_stay_closed_today(h: History) -> int:
    """Oliver's IV stay opened two days ago and discharged, signed, this morning: its id.
    Each step at its own time before NOW (the builder's clock), then the history's clock
    again."""
    b, s = h.builder, h.s
    s.clock = b.clock
    nurse, md = b.staff["2222"], b.staff["4444"]
    long_stay = b.iv(b.patients[OLIVER], "4", nurse, start=2 * DAY, end=2 * DAY - 45,
                     settled=True, until=2 * DAY - 120)
    b._obs(nurse, long_stay, 20, vitals(76, "124/80"))
    b._discharge(long_stay, nurse, md, 15)
    s.clock = h.clock
    return long_stay


def add_todays_records(h: History) -> float:
    """Ten minutes on: chair 7's newest flagged observation acknowledged, its blood
    pressure criterion overridden, a wrong observation voided on chair 2, a late entry
    on chair 8, and the REMS form of Oliver's session of yesterday filed. Returns the
    minutes from that observation's entry to its acknowledgement."""
    s, nurse, admin = h.s, h.staff("2222"), h.staff("1111")
    chairs = {r.chair: r.episode_id for r in s.board()}
    flagged = [r for r in s.episode_view(chairs["7"]).current_rows if r.alerts][-1]
    h.clock.advance(minutes=10)
    s.acknowledge_alerts(nurse, flagged.observation.id, [a.code for a in flagged.alerts],
                         "rechecked")
    s.add_override(nurse, chairs["7"], "blood_pressure",
                   "Usual BP for this patient per GP letter", h.staff("4444"), "4444")
    wrong = s.episode_view(chairs["2"]).current_rows[-1].observation.id
    s.void_observation(nurse, wrong, "entered on the wrong chair")
    s.record_observation(nurse, chairs["8"], {
        "hr": "70", "bp": "120/80", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"}, taken_at=h.clock.now() - timedelta(minutes=12))
    oliver_last = next(i for i in s.rems_queue.queue() if i.days_left == 6)
    s.rems_queue.mark_submitted(admin, oliver_last.episode_id, date(2026, 11, 20), "R-77")
    return round((h.clock.now() - flagged.observation.entered_at).total_seconds() / 60, 1)
