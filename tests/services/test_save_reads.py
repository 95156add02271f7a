"""A save keeps what it read for the next save on the same connection, and only while
nothing was written since: by this station or by any other (a second ``Services`` on
the same file is a second station)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor_app.clock import FixedClock
from monitor_app.domain.models import Role
from monitor_app.services import Services
from monitor_app.services.errors import NotAllowed
from monitor_app.storage.statement_trace import statements_of
from tests.helpers.world import FULL, one_episode


@pytest.fixture
def two_stations(tmp_path: Path, fast_pins: None):  # type: ignore[no-untyped-def]
    clock = FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    here, admin, nurse, episode = one_episode(tmp_path / "clinic.db", clock)
    there = Services.open(tmp_path / "clinic.db", clock=clock)
    yield here, there, admin, nurse, episode
    there.close()
    here.close()


def _save(services: Services, nurse: int, episode: int) -> list[str]:
    services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    return statements_of(services.db, lambda: services.record_observation(nurse, episode, FULL))


def _reads(run: list[str]) -> list[str]:
    return [s for s in run if s.startswith("SELECT")]


def test_the_next_save_reads_nothing_again_when_nothing_changed(two_stations) -> None:
    here, _there, _admin, nurse, episode = two_stations
    _save(here, nurse, episode)
    run = _save(here, nurse, episode)
    assert _reads(run) == [], run
    assert len(run) <= 5, run  # BEGIN, data_version, INSERT, audit, COMMIT
    observations = here.episode_view(episode).observations
    assert len(observations) == 2


def test_a_write_by_another_station_is_seen_by_the_next_save(two_stations) -> None:
    here, there, _admin, nurse, episode = two_stations
    _save(here, nurse, episode)
    _save(there, nurse, episode)  # the other station's observation
    run = _save(here, nurse, episode)
    assert len(_reads(run)) == 3, run  # the actor, the episode, its observations
    assert len(run) <= 8, run  # everything read under the write lock
    there.cancel_episode(nurse, episode, "patient left")
    with pytest.raises(NotAllowed, match="cancelled"):
        _save(here, nurse, episode)
    assert len(here.episode_view(episode).observations) == 3


def test_an_account_deactivated_at_another_station_cannot_save(two_stations) -> None:
    here, there, admin, nurse, episode = two_stations
    _save(here, nurse, episode)
    there.update_staff(admin, nurse, "Nurse", "RN", Role.NURSE, active=False)
    with pytest.raises(NotAllowed, match="not active"):
        _save(here, nurse, episode)
    assert len(here.episode_view(episode).observations) == 1


def test_a_write_on_this_station_is_seen_by_the_next_save(two_stations) -> None:
    here, _there, _admin, nurse, episode = two_stations
    _save(here, nurse, episode)
    here.cancel_episode(nurse, episode, "patient left")
    with pytest.raises(NotAllowed, match="cancelled"):
        _save(here, nurse, episode)
