"""When the next observation is due. Pure: ``now`` is always a parameter.

Slots (due times) come from the protocol's ``Schedule``:

* every ``during_interval_min`` from dosing start while dosing (0: none). When the
  protocol wants one at the end of dosing, a during slot less than half an interval
  before the end is folded into the end slot (an infusion stopped at 40:30 asks for
  one check, not two 30 seconds apart);
* one at dosing end if ``at_dosing_end``;
* each of ``timepoints_min`` after dosing start;
* then every ``after_interval_min`` from dosing end or from the last timepoint, until
  discharge. Open-ended series are generated lazily, up to ``now`` (or the latest
  observation) plus two intervals, so the list is always finite.

Slot-satisfaction rule: every slot owns a window from halfway after the previous slot
(or after dosing start, for the first) up to halfway to the next one, so the windows
tile the time after dosing start and an observation belongs to the slot nearest to it
in time (at an exact midpoint, to the later slot). An observation fills its slot if the
slot is still open; a second one in the same window is an extra check and fills
nothing, so one observation fills at most one slot. A slot left unfilled when a later
observation has been recorded is *missed*. A slot that is merely late stays the next
due, so a chair stays overdue until the nurse records: the board never turns green by
itself. A late observation recorded before the midpoint fills the late slot and the next
one stays on the grid; one recorded after the midpoint counts for the next slot (the
late one is missed) and the one after it is due on the grid as usual.

The end-of-dosing slot is due the moment dosing ends and turns overdue only after the
protocol's ``dosing_end_grace_min``: pressing "End infusion" never makes a chair
overdue at once.

A flagged blood pressure (any BP alert on the latest observation that has a BP) asks
for a recheck ``recheck_after_flag_min`` after it was taken, unless a newer observation
with a BP exists. The recheck is not a grid slot: it is due beside the grid, and when it
comes before the next grid slot it is what is shown as next due.

Observations at or before dosing start are baseline, never slot fillers. Observations
later than ``now`` (a clock that stepped back) still count; the state is then "ok" with
a countdown longer than one interval, never a crash or a negative window.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from monitor_app.domain.models import Episode, Observation, Phase
from monitor_app.domain.protocol import Protocol, Schedule
from monitor_app.domain.vitals import alerts_for

MAX_SLOTS = 5000  # a guard against a wildly wrong clock: 5000 x 15 min is 52 days
_MINUTE = timedelta(minutes=1)
# When two slots fall at the same moment, keep the more meaningful label.
_PRIORITY = {"end": 0, "timepoint": 1, "after": 2, "during": 3}
RECHECK_LABEL = "BP recheck due"
_ACTIVE = (Phase.DOSING, Phase.RECOVERY, Phase.READY)

class ScheduleState(StrEnum):
    """What is due now. A StrEnum: it reads and prints as its value ("due_soon")."""

    OK = "ok"
    DUE_SOON = "due_soon"
    DUE = "due"
    OVERDUE = "overdue"
    BASELINE = "baseline"  # before dosing: a baseline is needed
    NONE = "none"  # nothing scheduled (not started, closed)


STATES = tuple(ScheduleState)


@dataclass(frozen=True)
class Slot:
    """One observation due at ``due``, with whether it was done, missed or is open."""

    due: datetime
    label: str  # "during infusion +20 min", "end of infusion", "recovery +15 min"...
    kind: str  # "during" | "end" | "timepoint" | "after" | "recheck"
    window_start: datetime  # the earliest taken_at that counts for this slot
    status: str = "open"  # "done" | "missed" | "open"
    taken_at: datetime | None = None  # the observation that filled it


@dataclass(frozen=True)
class ScheduleStatus:
    """An episode's schedule at one moment: its state and what is due next."""

    state: ScheduleState
    next_due: datetime | None
    next_label: str
    seconds_to_due: int | None  # floor of (next_due - now); negative when late
    missed: tuple[Slot, ...] = ()
    slots: tuple[Slot, ...] = ()
    next_kind: str = ""  # the next due slot's kind; "recheck" for a BP recheck


def baseline_of(
    observations: Sequence[Observation], dosing_start: datetime | None
) -> Observation | None:
    """The latest non-voided observation with a BP taken at or before dosing start
    (before dosing has started: the latest so far)."""
    best: Observation | None = None
    for obs in observations:
        if obs.voided or obs.vitals.sbp is None or obs.vitals.dbp is None:
            continue
        if dosing_start is not None and obs.taken_at > dosing_start:
            continue
        if best is None or (obs.taken_at, obs.id) > (best.taken_at, best.id):
            best = obs
    return best


def episode_schedule(
    protocol: Protocol, episode: Episode, observations: Iterable[Observation], now: datetime
) -> ScheduleStatus:
    """``schedule_status`` for an episode and its observations (voided ones ignored)."""
    valid = [o for o in observations if not o.voided]
    return schedule_status(
        protocol.schedule,
        phase=episode.phase,
        dosing_start=episode.dosing_start,
        dosing_end=episode.dosing_end,
        taken_at=[o.taken_at for o in valid],
        now=now,
        dosing_label=protocol.dosing_label,
        bp_flagged_at=flagged_bp_at(protocol, valid, episode.dosing_start),
    )


def flagged_bp_at(
    protocol: Protocol, observations: Sequence[Observation], dosing_start: datetime | None
) -> datetime | None:
    """When the latest non-voided observation with a BP was taken, if its BP was
    flagged (against the baseline, for a rise); None when it was not, or none has a BP."""
    with_bp = [o for o in observations
               if not o.voided and o.vitals.sbp is not None and o.vitals.dbp is not None]
    if not with_bp:
        return None
    latest = max(with_bp, key=lambda o: (o.taken_at, o.id))
    base = baseline_of(observations, dosing_start)
    base_vitals = base.vitals if base is not None and base.id != latest.id else None
    flagged = any(a.field == "bp" for a in alerts_for(latest.vitals, protocol, base_vitals))
    return latest.taken_at if flagged else None


def schedule_status(
    schedule: Schedule,
    *,
    phase: Phase,
    dosing_start: datetime | None,
    dosing_end: datetime | None,
    taken_at: Iterable[datetime],
    now: datetime,
    dosing_label: str = "dosing",
    bp_flagged_at: datetime | None = None,
) -> ScheduleStatus:
    """The episode's slots and what is due now. ``taken_at``: non-voided observations;
    ``bp_flagged_at``: see ``flagged_bp_at``."""
    times = sorted(taken_at)
    phase = Phase(phase)
    if phase == Phase.PRECHECK:
        return _precheck_status(schedule, times, now)
    if dosing_start is None:
        return ScheduleStatus(ScheduleState.NONE, None, "", None)
    if dosing_end is not None and dosing_end < dosing_start:
        dosing_end = dosing_start
    fillers = [t for t in times if t > dosing_start]
    step = max(schedule.during_interval_min, schedule.after_interval_min)
    latest = max(now, dosing_start, dosing_end or dosing_start, fillers[-1] if fillers else now)
    # Two intervals: an observation may fill a slot up to half an interval ahead of it,
    # and the slot after that must exist for "next due".
    horizon = latest + 2 * step * _MINUTE
    slots = _assign(_make_slots(schedule, dosing_start, dosing_end, horizon, dosing_label),
                    fillers)
    missed = tuple(s for s in slots if s.status == "missed")
    if phase not in _ACTIVE:  # discharged, cancelled
        kept = tuple(s for s in slots if s.status != "open")
        return ScheduleStatus(ScheduleState.NONE, None, "", None, missed, kept)
    upcoming = next((s for s in slots if s.status == "open"), None)
    recheck = _recheck(schedule, bp_flagged_at)
    if recheck is not None and (upcoming is None or recheck.due < upcoming.due):
        upcoming = recheck
    if upcoming is None:
        return ScheduleStatus(ScheduleState.NONE, None, "", None, missed, tuple(slots))
    return ScheduleStatus(
        state=_state(schedule, upcoming.due, now, upcoming.kind),
        next_due=upcoming.due,
        next_label=upcoming.label,
        seconds_to_due=math.floor((upcoming.due - now).total_seconds()),
        missed=missed,
        slots=tuple(slots),
        next_kind=upcoming.kind,
    )


def _state(schedule: Schedule, due: datetime, now: datetime, kind: str) -> ScheduleState:
    if now < due - schedule.due_soon_min * _MINUTE:
        return ScheduleState.OK
    if now < due:
        return ScheduleState.DUE_SOON
    if now < due + schedule.grace_min(kind) * _MINUTE:
        return ScheduleState.DUE
    return ScheduleState.OVERDUE


def _recheck(schedule: Schedule, bp_flagged_at: datetime | None) -> Slot | None:
    if bp_flagged_at is None or schedule.recheck_after_flag_min <= 0:
        return None
    due = bp_flagged_at + schedule.recheck_after_flag_min * _MINUTE
    return Slot(due, RECHECK_LABEL, "recheck", window_start=bp_flagged_at)


def _precheck_status(schedule: Schedule, times: list[datetime], now: datetime) -> ScheduleStatus:
    """Baseline due until one is recorded, and again once it is older than the window."""
    window = schedule.baseline_window_min
    if times and (window <= 0 or times[-1] >= now - window * _MINUTE):
        return ScheduleStatus(ScheduleState.OK, None, "baseline recorded", None)
    label = f"baseline older than {window} min: repeat" if times else "baseline due"
    return ScheduleStatus(ScheduleState.BASELINE, None, label, None)


def _make_slots(
    schedule: Schedule,
    start: datetime,
    end: datetime | None,
    horizon: datetime,
    label: str,
) -> list[Slot]:
    raw: list[tuple[datetime, str, str]] = []  # (due, kind, label)
    every = schedule.during_interval_min
    if every > 0:
        if end is None:  # still dosing: lazily, up to the horizon
            count = _count_until(horizon - start, every)
        else:
            margin = every / 2 if schedule.at_dosing_end else 0
            count = _count_until(end - start - margin * _MINUTE, every)
            if not schedule.at_dosing_end and count and start + count * every * _MINUTE == end:
                count -= 1  # a slot exactly at the end is not "during"
        raw += [(start + k * every * _MINUTE, "during", f"during {label} +{k * every} min")
                for k in range(1, count + 1)]
    if schedule.at_dosing_end and end is not None:
        raw.append((end, "end", f"end of {label}"))
    raw += [(start + m * _MINUTE, "timepoint", f"{m} min after {label} start")
            for m in schedule.timepoints_min]
    every = schedule.after_interval_min
    if schedule.after_from == "last_timepoint" and schedule.timepoints_min:
        last = schedule.timepoints_min[-1]
        anchor = start + last * _MINUTE
        count = _count_until(horizon - anchor, every)
        raw += [(anchor + k * every * _MINUTE, "after", f"{last + k * every} min after "
                 f"{label} start") for k in range(1, count + 1)]
    elif schedule.after_from == "dosing_end" and end is not None:
        count = _count_until(horizon - end, every)
        raw += [(end + k * every * _MINUTE, "after", f"recovery +{k * every} min")
                for k in range(1, count + 1)]
    raw.sort(key=lambda r: (r[0], _PRIORITY[r[1]]))
    slots: list[Slot] = []
    previous = start
    for due, kind, text in raw:
        if slots and due == slots[-1].due:
            continue  # same moment: one slot, the more meaningful label kept
        slots.append(Slot(due, text, kind, window_start=previous + (due - previous) / 2))
        previous = due
        if len(slots) >= MAX_SLOTS:
            break
    return slots


def _count_until(span: timedelta, every_min: int) -> int:
    """How many multiples k >= 1 of ``every_min`` minutes fit in ``span`` (inclusive)."""
    if every_min <= 0 or span <= timedelta(0):
        return 0
    return min(int(span // (every_min * _MINUTE)), MAX_SLOTS)


def _assign(slots: list[Slot], fillers: list[datetime]) -> list[Slot]:
    """Fill each slot with the first observation in its window; mark missed slots.

    ``fillers`` is sorted, so this is O(n log m) for n observations and m slots.
    """
    starts = [s.window_start for s in slots]
    filled: dict[int, datetime] = {}
    last = -1
    for t in fillers:
        index = bisect_right(starts, t) - 1
        if index < 0:
            continue  # soon after dosing start, before the first slot's window
        filled.setdefault(index, t)
        last = index
    result = []
    for index, slot in enumerate(slots):
        if index in filled:
            result.append(replace(slot, status="done", taken_at=filled[index]))
        elif index < last:
            result.append(replace(slot, status="missed"))
        else:
            result.append(slot)
    return result


def timepoint_label(protocol: Protocol, episode: Episode, taken_at: datetime) -> str:
    """Where an observation sits in the protocol's schedule, for the table: "baseline",
    "+10 min" (after dosing start), "end of infusion", "recovery +15 min" (after dosing
    end)... It is the label of the slot whose window holds ``taken_at`` (the same windows
    that decide which slot an observation fills), or minutes after dosing start before
    the first window."""
    start, end = episode.dosing_start, episode.dosing_end
    if start is None or taken_at <= start:
        return "baseline"
    if end is not None and end < start:
        end = start
    schedule = protocol.schedule
    step = max(schedule.during_interval_min, schedule.after_interval_min) * _MINUTE
    horizon = max(taken_at, end or start) + 2 * step
    if step:
        # Slots worked out up to a coarser horizon serve the next saves too (cached).
        # Slots past ``horizon`` open their windows after ``taken_at``: the interval
        # slots run up to it ``step`` apart, so the label is the same.
        grid = _LABEL_GRID_STEPS * step
        horizon = start + -(-(horizon - start) // grid) * grid
    return _label_among(_windows(schedule, start, end, horizon, protocol.dosing_label),
                        schedule, start, end, taken_at)


_LABEL_GRID_STEPS = 8


@lru_cache(maxsize=16)
def _windows(schedule: Schedule, start: datetime, end: datetime | None, horizon: datetime,
             label: str) -> tuple[tuple[datetime, ...], tuple[Slot, ...]]:
    slots = _make_slots(schedule, start, end, horizon, label)
    return tuple(s.window_start for s in slots), tuple(slots)


def _label_among(windows: tuple[tuple[datetime, ...], tuple[Slot, ...]], schedule: Schedule,
                 start: datetime, end: datetime | None, taken_at: datetime) -> str:
    starts, slots = windows
    index = bisect_right(starts, taken_at) - 1
    if index < 0:
        return f"+{_whole_minutes(taken_at - start)} min"
    slot = slots[index]
    if slot.kind == "end":
        return slot.label
    if slot.kind == "after" and schedule.after_from == "dosing_end" and end is not None:
        return f"recovery +{_whole_minutes(slot.due - end)} min"
    return f"+{_whole_minutes(slot.due - start)} min"


def _whole_minutes(span: timedelta) -> int:
    return max(0, round(span / _MINUTE))
