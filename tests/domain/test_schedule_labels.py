"""A row's timepoint label is worked out from slots cached up to a coarser horizon (the
next saves reuse them): it must name the slot the exact horizon names, for any schedule
and any time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor_app.domain.models import Episode
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.schedule import _label_among, _make_slots, timepoint_label
from tests.helpers.clinical import at, iv, make_episode


def label_with_exact_horizon(protocol: Protocol, episode: Episode, taken_at: datetime) -> str:
    """The label as worked out before the cache: slots up to two steps past the row."""
    start, end = episode.dosing_start, episode.dosing_end
    if start is None or taken_at <= start:
        return "baseline"
    if end is not None and end < start:
        end = start
    schedule = protocol.schedule
    step = max(schedule.during_interval_min, schedule.after_interval_min)
    horizon = max(taken_at, end or start) + 2 * step * MINUTE
    slots = _make_slots(schedule, start, end, horizon, protocol.dosing_label)
    return _label_among((tuple(s.window_start for s in slots), tuple(slots)), schedule,
                        start, end, taken_at)


MINUTE = timedelta(minutes=1)

schedules: st.SearchStrategy[dict[str, object]] = st.builds(
    dict,
    during_interval_min=st.integers(0, 30),
    after_interval_min=st.integers(0, 45),
    at_dosing_end=st.booleans(),
    after_from=st.sampled_from(["dosing_end", "last_timepoint"]),
    timepoints_min=st.lists(st.integers(1, 400), max_size=5, unique=True).map(
        lambda minutes: tuple(sorted(minutes))),
)


@settings(max_examples=300, deadline=None)
@given(changes=schedules, end=st.one_of(st.none(), st.integers(0, 180)),
       minutes=st.lists(st.floats(0, 720, allow_nan=False), min_size=1, max_size=40))
def test_the_cached_label_is_the_exact_horizons(changes, end, minutes) -> None:
    if changes["after_from"] == "last_timepoint" and not changes["timepoints_min"]:
        changes["after_from"] = "dosing_end"
    protocol = replace(iv(), schedule=replace(iv().schedule, **changes))
    episode = make_episode(protocol, start=0, end=end)
    for minute in sorted(minutes):  # one save after another, as a nurse enters them
        taken_at = at(minute)
        assert timepoint_label(protocol, episode, taken_at) == label_with_exact_horizon(
            protocol, episode, taken_at), (changes, end, minute)
