"""The end-of-dosing check is due (not overdue) when dosing ends, and a flagged blood
pressure asks for a recheck after the protocol's minutes."""

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from monitor_app.domain.models import Phase
from monitor_app.domain.protocol import ProtocolError, parse_protocol
from monitor_app.domain.schedule import RECHECK_LABEL, episode_schedule, flagged_bp_at
from tests.helpers.clinical import at, esketamine, good_obs, iv, make_episode

IV_OBS = [good_obs(-5), good_obs(10), good_obs(20), good_obs(30)]


def test_the_shipped_protocols_give_the_end_check_a_grace_and_a_bp_recheck():
    assert iv().schedule.dosing_end_grace_min == 5
    assert iv().schedule.overdue_grace_min == 0  # every other check is red when due
    assert iv().schedule.recheck_after_flag_min == 5
    assert esketamine().schedule.recheck_after_flag_min == 5


@pytest.mark.parametrize(("seconds_after_end", "state"), [
    (0, "due"), (1, "due"), (60, "due"), (4 * 60 + 59, "due"), (5 * 60, "overdue")])
def test_end_of_infusion_is_due_right_after_it_ends_until_the_grace_passes(
        seconds_after_end, state):
    episode = make_episode(end=43)  # ended between two 10-min checks
    now = at(43, seconds_after_end)
    result = episode_schedule(iv(), episode, IV_OBS, now)
    assert result.next_label == "end of infusion"
    assert result.next_due == at(43)
    assert result.state == state


def test_a_regular_check_is_still_overdue_as_soon_as_it_is_late():
    episode = make_episode(phase=Phase.DOSING, end=None)
    result = episode_schedule(iv(), episode, IV_OBS, at(40, 1))
    assert result.next_label == "during infusion +40 min"
    assert result.state == "overdue"


def test_a_flagged_bp_asks_for_a_recheck_five_minutes_later():
    episode = make_episode(end=40)
    obs = [*IV_OBS, good_obs(40), good_obs(47, sbp=184, dbp=96)]
    result = episode_schedule(iv(), episode, obs, at(48))
    assert result.next_label == RECHECK_LABEL
    assert result.next_due == at(52)
    assert result.state == "ok"
    assert episode_schedule(iv(), episode, obs, at(51)).state == "due_soon"
    assert episode_schedule(iv(), episode, obs, at(52, 30)).state == "overdue"


def test_a_rise_from_baseline_counts_as_a_flagged_bp():
    episode = make_episode(end=40)
    obs = [good_obs(-5, sbp=110, dbp=70), good_obs(10), good_obs(20), good_obs(30),
           good_obs(40), good_obs(45, sbp=152, dbp=80)]  # +42 systolic
    assert flagged_bp_at(iv(), obs, episode.dosing_start) == at(45)
    assert episode_schedule(iv(), episode, obs, at(46)).next_label == RECHECK_LABEL


def test_a_newer_bp_clears_the_recheck_and_a_voided_flag_asks_for_none():
    episode = make_episode(end=40)
    flagged = good_obs(47, sbp=184, dbp=96)
    obs = [*IV_OBS, good_obs(40), flagged, good_obs(50)]  # 50 fills the +15 check
    result = episode_schedule(iv(), episode, obs, at(51))
    assert result.next_label == "recovery +30 min"
    assert result.next_due == at(70)
    voided = replace(flagged, voided_at=at(48), voided_by=7, void_reason="wrong chair")
    assert flagged_bp_at(iv(), [*IV_OBS, voided], episode.dosing_start) is None


def test_an_observation_without_bp_does_not_clear_the_recheck():
    episode = make_episode(end=40)
    no_bp = good_obs(50)
    no_bp = replace(no_bp, vitals=replace(no_bp.vitals, sbp=None, dbp=None))
    obs = [*IV_OBS, good_obs(40), good_obs(47, sbp=184, dbp=96), no_bp]
    result = episode_schedule(iv(), episode, obs, at(53))
    assert (result.next_label, result.state) == (RECHECK_LABEL, "overdue")


def test_a_grid_check_earlier_than_the_recheck_stays_next():
    protocol = replace(iv(), schedule=replace(iv().schedule, recheck_after_flag_min=10))
    episode = make_episode(end=40)
    obs = [*IV_OBS, good_obs(40), good_obs(47, sbp=184, dbp=96)]  # recheck at 57
    result = episode_schedule(protocol, episode, obs, at(54))
    assert (result.next_label, result.next_due) == ("recovery +15 min", at(55))


def test_no_recheck_when_the_protocol_sets_none():
    protocol = replace(iv(), schedule=replace(iv().schedule, recheck_after_flag_min=0))
    episode = make_episode(end=40)
    obs = [*IV_OBS, good_obs(40), good_obs(47, sbp=184, dbp=96)]
    assert episode_schedule(protocol, episode, obs, at(48)).next_label == "recovery +15 min"


@pytest.mark.parametrize("key", ["dosing_end_grace_min", "recheck_after_flag_min"])
def test_the_loader_refuses_a_negative_grace_or_recheck(key):
    data = tomllib.loads(Path(iv().source).read_text(encoding="utf-8"))
    data["schedule"][key] = -1
    with pytest.raises(ProtocolError, match=rf"\[schedule.{key}\] must not be negative"):
        parse_protocol(data)
    data["schedule"][key] = "5"
    with pytest.raises(ProtocolError, match=rf"\[schedule.{key}\] expected an integer"):
        parse_protocol(data)
