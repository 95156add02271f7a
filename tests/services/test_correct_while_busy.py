"""A correction while another program holds the database's write lock: a typo in the
corrected values, or no reason, gets its field's error; only a correction that would be
saved is refused as "in use by another program", and then nothing is changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from monitor_app.domain.models import ValidationError
from monitor_app.services import Services
from monitor_app.services.errors import DatabaseBusy
from tests.helpers.world import World, count_rows, good, open_iv

pytestmark = pytest.mark.usefixtures("fast_pins")


@pytest.fixture(params=["this station", "another station"])
def station(request: pytest.FixtureRequest, w: World) -> Iterator[Services]:
    """The station that saved the observation, or one that has not read its episode."""
    here = request.param == "this station"
    services = w.s if here else Services.open(w.path, clock=w.clock)
    services.db.execute("PRAGMA busy_timeout = 100")  # a refused lock answers quickly
    yield services
    if services is not w.s:
        services.close()


@pytest.mark.parametrize(("reason", "changes", "field"), [
    ("typed 82 for 72", {"hr": "7O"}, "hr"),
    ("typed 82 for 72", {"bp": "120-80"}, "bp"),
    ("   ", {"hr": "72"}, "void_reason"),
])
def test_a_typo_in_a_correction_gets_its_field_error_while_held(
        w: World, other_program: sqlite3.Connection, station: Services, reason: str,
        changes: dict[str, object], field: str) -> None:
    episode = open_iv(w)
    w.clock.advance(minutes=1)
    saved = w.s.record_observation(w.nurse.id, episode.id, good(hr="82"))
    other_program.execute("BEGIN IMMEDIATE")
    with pytest.raises(ValidationError) as refused:
        station.correct_observation(w.nurse.id, saved.observation.id, reason, good(**changes))
    assert not isinstance(refused.value, DatabaseBusy)
    assert refused.value.field == field, refused.value


def test_a_good_correction_is_refused_as_busy_and_nothing_changes(
        w: World, other_program: sqlite3.Connection, station: Services) -> None:
    episode = open_iv(w)
    w.clock.advance(minutes=1)
    saved = w.s.record_observation(w.nurse.id, episode.id, good(hr="82"))
    other_program.execute("BEGIN IMMEDIATE")
    with pytest.raises(DatabaseBusy, match="in use by another program"):
        station.correct_observation(w.nurse.id, saved.observation.id, "typed 82 for 72",
                                    good(hr="72"))
    other_program.execute("ROLLBACK")
    assert count_rows(w.path, "observations") == 1
    assert not w.s.episode_view(episode.id).observations[0].voided
