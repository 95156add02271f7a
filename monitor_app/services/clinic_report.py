"""A month at a glance for the clinic manager: sessions by protocol, alerts and how soon
they were acknowledged, overrides and their reasons, REMS forms on time, late and voided
entries, and minutes from the end of dosing to discharge. Counted from the record for
episodes opened in a date range (station days, inclusive); laid out by reports/."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from monitor_app.domain import schedule, vitals
from monitor_app.domain.discharge import LABELS as CRITERION_LABELS
from monitor_app.domain.models import Episode, Observation, Phase, ValidationError
from monitor_app.reports.clinic_report import (
    ClinicReportData,
    OverrideLine,
    ProtocolCount,
    WeekCount,
    minutes_text,
    report_csv,
)
from monitor_app.services.context import ServiceContext
from monitor_app.services.rems_queue import RemsFormState, RemsQueueUseCases
from monitor_app.storage import repository as repo

MAX_DAYS = 366
__all__ = ["ClinicReportData", "ClinicReportUseCases", "minutes_text"]


class ClinicReportUseCases:
    def __init__(self, ctx: ServiceContext, rems_queue: RemsQueueUseCases) -> None:
        self.ctx = ctx
        self.rems_queue = rems_queue

    def _zone(self) -> tzinfo:
        return self.ctx.local_zone()

    def report(self, date_from: date, date_to: date) -> ClinicReportData:
        if date_to < date_from:
            raise ValidationError("report_to", "the end date is before the start date")
        if (date_to - date_from).days >= MAX_DAYS:
            raise ValidationError("report_to", f"choose at most {MAX_DAYS} days")
        zone = self._zone()
        start = datetime.combine(date_from, time(0), zone)
        end = datetime.combine(date_to + timedelta(days=1), time(0), zone)
        settings = self.ctx.settings()
        episodes = repo.episodes_between(self.ctx.db, start, end)
        ids = [e.id for e in episodes]
        observations = repo.observations_for_episodes(self.ctx.db, ids)
        signed = repo.discharge_times(self.ctx.db, ids)
        late_after = timedelta(minutes=settings.late_entry_min)
        flagged, by_kind, acked, unacked, ack_minutes = self._alerts(episodes, observations)
        override_rows = repo.overrides_for_episodes(self.ctx.db, ids)
        current = [o for o in override_rows if o["voided_at"] is None]
        staff = {s.id: s.display for s in repo.list_staff(self.ctx.db, include_inactive=True)}
        numbers = {e.id: e.number for e in episodes}
        rems = self._rems(episodes)
        return ClinicReportData(
            clinic=settings.clinic_name, date_from=date_from, date_to=date_to,
            made_at=f"{self.ctx.clock.now().astimezone(zone):%Y-%m-%d %H:%M}",
            by_protocol=self._by_protocol(episodes, signed),
            weeks=self._weeks(episodes, observations, flagged, date_from, date_to, zone),
            observations=sum(len([o for o in obs if not o.voided])
                             for obs in observations.values()),
            flagged_observations=len(flagged),
            alerts_by_kind=tuple(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
            acknowledged_alerts=acked, unacknowledged_alerts=unacked,
            ack_minutes=tuple(ack_minutes),
            overrides_by_criterion=tuple(sorted(Counter(
                _criterion_label(o["criterion"]) for o in current
            ).items(), key=lambda kv: (-kv[1], kv[0]))),
            overrides=tuple(OverrideLine(numbers[o["episode_id"]],
                                         _criterion_label(o["criterion"]),
                                         o["reason"], staff.get(o["prescriber_id"], "?"))
                            for o in current),
            rems_on_time=rems[0], rems_late=rems[1], rems_outstanding=rems[2],
            late_entries=self._late_entries(episodes, observations, late_after),
            late_entry_min=settings.late_entry_min,
            voided_entries=sum(1 for obs in observations.values() for o in obs if o.voided)
            + sum(1 for o in override_rows if o["voided_at"] is not None),
            discharge_minutes=tuple(
                round((signed[e.id] - e.dosing_end).total_seconds() / 60, 1)
                for e in episodes if e.id in signed and e.dosing_end is not None),
        )

    def _by_protocol(self, episodes: list[Episode], signed: Mapping[int, datetime]
                     ) -> tuple[ProtocolCount, ...]:
        out = []
        for pid in sorted({e.protocol_id for e in episodes}):
            mine = [e for e in episodes if e.protocol_id == pid]
            protocol = self.ctx.protocols.get(pid)
            out.append(ProtocolCount(
                protocol=protocol.name if protocol else pid, sessions=len(mine),
                signed=sum(1 for e in mine if e.id in signed),
                cancelled=sum(1 for e in mine if e.phase == Phase.CANCELLED),
                open=sum(1 for e in mine if e.phase in repo.ACTIVE_PHASES)))
        return tuple(out)

    def _alerts(self, episodes: list[Episode], observations: Mapping[int, list[Observation]]
                ) -> tuple[list[Observation], Counter[str], int, int, list[float]]:
        """The flagged observations, and per alert kind how many were raised, how many
        acknowledged, and minutes from entry to the first acknowledgement."""
        acks: dict[int, dict[str, datetime]] = {}
        for a in repo.acks_for_episodes(self.ctx.db, [e.id for e in episodes]):
            acks.setdefault(a.observation_id, {})[a.code] = a.acknowledged_at
        flagged: list[Observation] = []
        by_kind: Counter[str] = Counter()
        acked = unacked = 0
        minutes: list[float] = []
        for e in episodes:
            protocol = self.ctx.protocols.get(e.protocol_id)
            if protocol is None:
                continue
            current = [o for o in observations.get(e.id, []) if not o.voided]
            base = schedule.baseline_of(current, e.dosing_start)
            for o in current:
                base_vitals = base.vitals if base is not None and base.id != o.id else None
                raised = vitals.alerts_for(o.vitals, protocol, base_vitals)
                if not raised:
                    continue
                flagged.append(o)
                done = acks.get(o.id, {})
                for code in dict.fromkeys(a.code for a in raised):  # acknowledged per code
                    by_kind[code.replace("_", " ")] += 1
                    if code in done:
                        acked += 1
                    else:
                        unacked += 1
                if done:
                    first = min(done.values())
                    minutes.append(round(max(0.0, (first - o.entered_at).total_seconds()
                                             / 60), 1))
        return flagged, by_kind, acked, unacked, minutes

    @staticmethod
    def _weeks(episodes: list[Episode], observations: Mapping[int, list[Observation]],
               flagged: list[Observation], date_from: date, date_to: date, zone: tzinfo
               ) -> tuple[WeekCount, ...]:
        def monday(moment: datetime) -> date:
            day = moment.astimezone(zone).date()
            return day - timedelta(days=day.weekday())

        first = date_from - timedelta(days=date_from.weekday())
        weeks = [first + timedelta(weeks=i)
                 for i in range((date_to - first).days // 7 + 1)]
        sessions = Counter(monday(e.created_at) for e in episodes)
        counted = Counter(monday(o.taken_at) for obs in observations.values() for o in obs
                          if not o.voided)
        flags = Counter(monday(o.taken_at) for o in flagged)
        return tuple(WeekCount(w, sessions[w], counted[w], flags[w]) for w in weeks)

    @staticmethod
    def _late_entries(episodes: list[Episode], observations: Mapping[int, list[Observation]],
                      late_after: timedelta) -> int:
        late = sum(1 for obs in observations.values() for o in obs
                   if o.entered_at - o.taken_at > late_after)
        for e in episodes:
            for happened, typed in ((e.dosing_start, e.dosing_start_entered_at),
                                    (e.dosing_end, e.dosing_end_entered_at)):
                if happened is not None and typed is not None and typed - happened > late_after:
                    late += 1
        return late

    def _rems(self, episodes: list[Episode]) -> tuple[int, int, int]:
        """REMS forms of the signed sessions in the range: on time, late, outstanding."""
        queue = self.rems_queue
        today = self.ctx.clock.now().astimezone(self._zone()).date()
        signed = [e for e in episodes if e.phase == Phase.DISCHARGED
                  and repo.is_signed(self.ctx.db, e.id)]
        states = Counter(i.state for i in queue.items(signed, today))
        outstanding = sum(states[s] for s in (RemsFormState.DUE, RemsFormState.DUE_SOON,
                                              RemsFormState.OVERDUE))
        return states[RemsFormState.FILED], states[RemsFormState.FILED_LATE], outstanding

    # ------------------------------------------------------------------ the files
    def report_pdf(self, data: ClinicReportData) -> bytes:
        from monitor_app.reports.clinic_report_pdf import render_clinic_report

        return render_clinic_report(data, self.ctx.resources / "fonts", self.ctx.settings().paper)

    def report_csv(self, data: ClinicReportData) -> bytes:
        return report_csv(data)

    def write_report(self, date_from: date, date_to: date, path: Path, *,
                     protected: list[Path], force: bool = False) -> Path:
        """The report as PDF or CSV (by the file's suffix), through the output-file rule:
        a new file, or with ``force`` an existing regular file; never the database."""
        _check_suffix(path)
        return self.write_data(self.report(date_from, date_to), path, protected=protected,
                               force=force)

    def write_data(self, data: ClinicReportData, path: Path, *, protected: list[Path],
                   force: bool = False) -> Path:
        from monitor_app.services.output_file import write_new_file

        suffix = _check_suffix(path)
        content = self.report_pdf(data) if suffix == ".pdf" else self.report_csv(data)
        return write_new_file(Path(path), content, protected=protected, force=force)


def _check_suffix(path: Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".pdf", ".csv"):
        raise ValidationError("output", "name a .pdf or .csv file")
    return suffix


def _criterion_label(criterion: str) -> str:
    return CRITERION_LABELS.get(criterion, criterion)
