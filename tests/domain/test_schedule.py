import itertools
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor_app.domain.models import Phase
from monitor_app.domain.schedule import (
    MAX_SLOTS,
    STATES,
    baseline_of,
    episode_schedule,
    schedule_status,
)
from tests.helpers.clinical import at, esketamine, iv, make_episode, make_obs


def status(protocol=None, *, phase=Phase.RECOVERY, start=0, end=40, taken=(), now=0.0,
           schedule=None):
    """schedule_status with minutes after T0 for every time."""
    protocol = protocol or iv()
    return schedule_status(
        schedule or protocol.schedule,
        phase=phase,
        dosing_start=None if start is None else at(start),
        dosing_end=None if end is None else at(end),
        taken_at=[at(m) for m in taken],
        now=at(now) if isinstance(now, (int, float)) else now,
        dosing_label=protocol.dosing_label,
    )


def dues(result):
    return [(s.due - at(0)).total_seconds() / 60 for s in result.slots]


def labels(result):
    return [s.label for s in result.slots]


# --- slots of the shipped protocols ------------------------------------------


def test_iv_while_infusing_every_10_min_generated_lazily():
    result = status(phase=Phase.DOSING, end=None, taken=[10, 20, 30], now=35)
    assert dues(result) == [10, 20, 30, 40, 50, 60]  # lazily: up to now + 2 intervals
    assert labels(result)[:2] == ["during infusion +10 min", "during infusion +20 min"]
    assert result.next_due == at(40)
    assert result.next_label == "during infusion +40 min"
    assert result.state == "ok"


def test_iv_end_of_infusion_then_every_15_min():
    result = status(taken=[10, 20, 30, 40], now=41)
    assert dues(result) == [10, 20, 30, 40, 55, 70]
    assert labels(result)[3:] == ["end of infusion", "recovery +15 min", "recovery +30 min"]
    assert result.next_due == at(55)
    assert result.next_label == "recovery +15 min"


def test_iv_after_slots_continue_until_discharge():
    result = status(phase=Phase.READY, taken=[10, 20, 30, 40, 55, 70, 85, 100], now=101)
    assert dues(result)[-3:] == [100, 115, 130]
    assert result.next_label == "recovery +75 min"


@pytest.mark.parametrize(("end", "expected"), [
    (40.5, [10, 20, 30, 40.5]),  # stopped 30 s late: one check, not two
    (44 + 59 / 60, [10, 20, 30, 44 + 59 / 60]),
    (45, [10, 20, 30, 40, 45]),  # exactly half an interval: both kept
    (33, [10, 20, 33]),  # aborted early
])
def test_during_slot_close_to_the_end_is_folded_into_the_end_slot(end, expected):
    result = status(end=end, now=end)
    assert dues(result)[:len(expected)] == pytest.approx(expected)
    assert result.slots[len(expected) - 1].label == "end of infusion"


def test_without_an_end_slot_a_during_slot_at_the_end_is_dropped():
    schedule = replace(iv().schedule, at_dosing_end=False)
    result = status(schedule=schedule, end=40, now=41)
    assert dues(result) == [10, 20, 30, 55, 70]
    assert "end of infusion" not in labels(result)


def test_esketamine_40_min_after_first_device_then_every_30():
    result = status(esketamine(), end=3, taken=[-5, 40], now=41)
    assert dues(result) == [40, 70, 100]
    assert labels(result)[:2] == ["40 min after dosing start", "70 min after dosing start"]
    result = status(esketamine(), end=3, taken=[-5, 40, 70, 100], now=101)
    assert dues(result)[:4] == [40, 70, 100, 130]
    assert result.next_due == at(130)


def test_esketamine_timepoint_due_while_still_in_dosing_phase():
    result = status(esketamine(), phase=Phase.DOSING, end=None, now=1)
    assert result.next_due == at(40)
    assert result.next_label == "40 min after dosing start"
    assert result.seconds_to_due == 39 * 60


@pytest.mark.parametrize("now", [41, 200, 600])
def test_slot_list_stops_two_intervals_ahead(now):
    result = status(taken=[10, 20, 30, 40], now=now)
    assert max(dues(result)) <= now + 2 * 15
    assert max(dues(result)) > now


def test_slots_that_coincide_keep_one_slot_with_the_best_label():
    schedule = replace(iv().schedule, timepoints_min=(40,))
    result = status(schedule=schedule, end=40, now=41)
    assert dues(result).count(40) == 1
    assert result.slots[3].label == "end of infusion"


# --- state edges, to the second ----------------------------------------------


@pytest.mark.parametrize(("now", "state", "seconds"), [
    (at(7, 59), "ok", 121),
    (at(8), "due_soon", 120),
    (at(9, 59), "due_soon", 1),
    (at(10, -0.5), "due_soon", 0),
    (at(10), "overdue", 0),  # grace 0: not recorded by its due time is overdue
    (at(10, 1), "overdue", -1),
    (at(14, 59), "overdue", -299),
])
def test_iv_states_around_the_first_slot(now, state, seconds):
    result = status(phase=Phase.DOSING, end=None, now=now)
    assert result.next_due == at(10)
    assert (result.state, result.seconds_to_due) == (state, seconds)


@pytest.mark.parametrize(("now", "state"), [
    (at(9, 59), "due_soon"), (at(10), "due"), (at(12, 59), "due"), (at(13), "overdue"),
])
def test_grace_period_gives_a_due_state_before_overdue(now, state):
    schedule = replace(iv().schedule, overdue_grace_min=3)
    assert status(schedule=schedule, phase=Phase.DOSING, end=None, now=now).state == state


def test_overdue_stays_until_the_nurse_records():
    result = status(phase=Phase.DOSING, end=None, taken=[10], now=58)
    assert result.state == "overdue"
    assert result.next_due == at(20)
    assert result.seconds_to_due == -38 * 60
    assert result.missed == ()  # not missed while nothing later has been recorded


# --- filling slots -----------------------------------------------------------


def test_skipped_slot_is_missed_once_a_later_one_is_recorded():
    result = status(phase=Phase.DOSING, end=None, taken=[10, 30], now=31)
    assert [s.label for s in result.missed] == ["during infusion +20 min"]
    assert [s.status for s in result.slots[:3]] == ["done", "missed", "done"]
    assert result.next_due == at(40)


def test_late_recording_before_the_midpoint_fills_the_late_slot_and_keeps_the_grid():
    result = status(taken=[10, 20, 30, 40, 55 + 7], now=62)
    slot = result.slots[4]
    assert (slot.label, slot.status, slot.taken_at) == ("recovery +15 min", "done", at(62))
    assert result.next_due == at(70)  # on the grid, not 15 min after the late check
    assert result.missed == ()


def test_late_recording_after_the_midpoint_counts_for_the_next_slot():
    result = status(taken=[10, 20, 30, 40, 55 + 8], now=63)
    assert [s.label for s in result.missed] == ["recovery +15 min"]
    assert result.slots[5].taken_at == at(63)
    assert result.next_due == at(85)


def test_exact_midpoint_belongs_to_the_later_slot():
    result = status(phase=Phase.DOSING, end=None, taken=[10, 15], now=16)
    assert result.slots[1].taken_at == at(15)


def test_early_recording_within_half_an_interval_fills_the_slot():
    result = status(phase=Phase.DOSING, end=None, taken=[10, 16], now=17)
    assert result.slots[1].status == "done"
    assert result.next_due == at(30)


def test_extra_and_duplicate_observations_fill_only_one_slot():
    result = status(phase=Phase.DOSING, end=None, taken=[10, 10, 12, 14], now=15)
    assert [s.status for s in result.slots][:3] == ["done", "open", "open"]
    assert result.slots[0].taken_at == at(10)
    assert result.next_due == at(20)


def test_observations_at_or_before_dosing_start_are_baseline_not_fillers():
    result = status(phase=Phase.DOSING, end=None, taken=[-20, -1, 0], now=1)
    assert all(s.status == "open" for s in result.slots)
    assert result.next_due == at(10)


def test_observation_just_after_start_fills_nothing_and_misses_nothing():
    result = status(phase=Phase.DOSING, end=None, taken=[2], now=3)
    assert result.next_due == at(10)
    assert result.missed == ()


def test_esketamine_missing_40_min_check_then_recording_at_75():
    result = status(esketamine(), end=3, taken=[-5, 75], now=76)
    assert [s.label for s in result.missed] == ["40 min after dosing start"]
    assert result.next_due == at(100)


def test_input_order_of_times_does_not_matter():
    a = status(taken=[40, 10, 30, 20], now=41)
    b = status(taken=[10, 20, 30, 40], now=41)
    assert a == b


# --- clock trouble -----------------------------------------------------------


def test_clock_stepping_back_an_hour_is_sane():
    taken = [10, 20, 30, 40, 55]
    result = status(taken=taken, now=56 - 60)
    assert result.state == "ok"
    assert result.next_due == at(70)
    assert result.seconds_to_due == (70 - (56 - 60)) * 60
    assert all(s.window_start < s.due for s in result.slots)
    assert [s.status for s in result.slots[:5]] == ["done"] * 5


def test_clock_before_dosing_start_without_observations_is_sane():
    result = status(phase=Phase.DOSING, end=None, now=-60)
    assert result.state == "ok"
    assert result.next_due == at(10)


def test_wildly_wrong_clock_gives_a_bounded_list():
    result = status(taken=[10], now=60 * 24 * 365 * 3)
    assert len(result.slots) <= MAX_SLOTS
    assert result.state == "overdue"


def test_end_before_start_is_treated_as_ending_at_start():
    result = status(start=10, end=5, now=11)
    assert result.slots[0].label == "end of infusion"
    assert result.slots[0].due == at(10)


def test_a_twelve_hour_episode_keeps_a_finite_schedule():
    # Speed is measured in `make bench`; here: the slot list stays bounded and sane.
    taken = [10, 20, 30, 40, *range(55, 12 * 60, 15)]
    result = status(taken=taken, now=12 * 60)
    assert len(result.slots) < 12 * 60 // 10 + 10
    assert result.state in ("ok", "due_soon", "due", "overdue")


def test_precheck_without_observation_has_baseline_due_and_no_clock():
    result = status(phase=Phase.PRECHECK, start=None, end=None, now=-30)
    assert (result.state, result.next_label) == ("baseline", "baseline due")
    assert result.next_due is None and result.seconds_to_due is None
    assert result.slots == ()


@pytest.mark.parametrize(("taken", "state"), [(-35, "ok"), (-50, "ok"), (-50.01, "baseline")])
def test_precheck_baseline_must_be_recent(taken, state):
    result = status(phase=Phase.PRECHECK, start=None, end=None, taken=[taken], now=-20)
    assert result.state == state
    if state == "baseline":
        assert result.next_label == "baseline older than 30 min: repeat"


@pytest.mark.parametrize("phase", [Phase.DISCHARGED, Phase.CANCELLED])
def test_closed_episode_has_nothing_due_but_keeps_its_record(phase):
    result = status(phase=phase, taken=[10, 30, 40, 55], now=200)
    assert (result.state, result.next_due, result.next_label) == ("none", None, "")
    assert all(s.status != "open" for s in result.slots)
    assert [s.label for s in result.missed] == ["during infusion +20 min"]


def test_cancelled_in_precheck_has_nothing_due():
    result = status(phase=Phase.CANCELLED, start=None, end=None, now=0)
    assert (result.state, result.slots) == ("none", ())


def test_dosing_without_a_start_time_has_nothing_due():
    assert status(phase=Phase.DOSING, start=None, end=None, now=0).state == "none"


def test_episode_schedule_ignores_voided_observations():
    episode = make_episode(phase=Phase.DOSING, end=None)
    observations = [make_obs(10, hr=70), make_obs(20, hr=70, voided=True)]
    result = episode_schedule(iv(), episode, observations, at(21))
    assert result.next_due == at(20)
    assert result.state == "overdue"


# --- baseline ----------------------------------------------------------------


def test_baseline_is_latest_bp_at_or_before_dosing_start():
    observations = [
        make_obs(-20, sbp=130, dbp=80),
        make_obs(0, sbp=126, dbp=78),
        make_obs(-5, sbp=150, dbp=95, voided=True),
        make_obs(-2, hr=80),  # no BP
        make_obs(5, sbp=140, dbp=90),  # after start
    ]
    assert baseline_of(observations, at(0)).vitals.bp_text == "126/78"


def test_baseline_before_dosing_is_the_latest_so_far():
    observations = [make_obs(-20, sbp=130, dbp=80), make_obs(-10, sbp=132, dbp=84)]
    assert baseline_of(observations, None).vitals.bp_text == "132/84"


def test_no_baseline_without_a_bp():
    assert baseline_of([make_obs(-5, hr=70)], at(0)) is None
    assert baseline_of([], None) is None


# --- invariants, whatever the times ------------------------------------------

minutes = st.floats(min_value=-120, max_value=600, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(taken=st.lists(minutes, max_size=40), now=minutes,
       end=st.one_of(st.none(), st.floats(min_value=0, max_value=120)),
       phase=st.sampled_from([Phase.DOSING, Phase.RECOVERY, Phase.READY]),
       which=st.sampled_from(["ketamine-iv", "esketamine-rems"]))
def test_invariants_hold_for_any_times(taken, now, end, phase, which):
    protocol = iv() if which == "ketamine-iv" else esketamine()
    result = status(protocol, phase=phase, end=end, taken=taken, now=now)
    assert result.state in STATES
    slots = result.slots
    assert all(a.due < b.due and a.window_start < b.window_start
               for a, b in itertools.pairwise(slots))
    assert all(s.window_start <= s.due for s in slots)  # equal only for a slot at start
    fillers = [at(m) for m in taken if at(m) > at(0)]
    done = [s for s in slots if s.status == "done"]
    assert all(s.taken_at in fillers and s.taken_at >= s.window_start for s in done)
    assert len({s.taken_at for s in done}) == len(done)  # one observation, one slot
    open_slots = [s for s in slots if s.status == "open"]
    assert open_slots, "an active episode always has a next slot"
    assert result.next_due == open_slots[0].due
    assert all(s.due < open_slots[0].due for s in result.missed)
    assert result.seconds_to_due == math.floor((result.next_due - at(now)).total_seconds())
