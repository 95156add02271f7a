"""A save while another program holds the database's write lock: a typo still gets
its field's error (the form is checked before the lock is asked for); only a form that
would be saved is refused as "in use by another program", and then nothing is saved."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from monitor_app.domain.models import Episode, ValidationError
from monitor_app.services.errors import DatabaseBusy
from monitor_app.storage.statement_trace import statements_of
from tests.helpers.world import World, count_rows, good, open_iv

pytestmark = pytest.mark.usefixtures("fast_pins")


@pytest.fixture
def w(w: World) -> World:
    w.s.db.execute("PRAGMA busy_timeout = 100")  # a refused lock answers quickly
    return w


def hold(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")


def open_episode(w: World, saved_before: bool) -> Episode:
    """An IV episode, with one observation saved already for the "next save" cases."""
    episode = open_iv(w)
    if saved_before:
        w.clock.advance(minutes=1)
        w.s.record_observation(w.nurse.id, episode.id, good())
    return episode


TYPOS = [
    ({"hr": "7O"}, "hr"),                         # a letter O for a zero
    ({"hr": "720"}, "hr"),                        # outside the protocol's plausible range
    ({"bp": "120-80"}, "bp"),
    ({"spo2": ""}, "missing_reason"),             # left out without saying why
]


@pytest.mark.parametrize(("changes", "field"), TYPOS)
@pytest.mark.parametrize("saved_before", [False, True], ids=["first save", "next save"])
def test_a_typo_gets_its_field_error_while_the_database_is_held(
        w: World, other_program: sqlite3.Connection, changes: dict[str, object],
        field: str, saved_before: bool) -> None:
    episode = open_episode(w, saved_before)
    before = count_rows(w.path, "observations")
    hold(other_program)
    w.clock.advance(minutes=1)
    with pytest.raises(ValidationError) as refused:
        w.s.record_observation(w.nurse.id, episode.id, good(**changes))
    assert not isinstance(refused.value, DatabaseBusy)
    assert refused.value.field == field, refused.value
    other_program.execute("ROLLBACK")
    assert count_rows(w.path, "observations") == before


@pytest.mark.parametrize("saved_before", [False, True], ids=["first save", "next save"])
def test_a_time_in_the_future_gets_its_field_error_while_held(
        w: World, other_program: sqlite3.Connection, saved_before: bool) -> None:
    episode = open_episode(w, saved_before)
    hold(other_program)
    later = w.clock.now() + timedelta(minutes=5)
    with pytest.raises(ValidationError, match="future") as refused:
        w.s.record_observation(w.nurse.id, episode.id, good(), later)
    assert refused.value.field == "taken_at"


@pytest.mark.parametrize("saved_before", [False, True], ids=["first save", "next save"])
def test_a_good_form_is_refused_as_busy_and_nothing_is_saved(
        w: World, other_program: sqlite3.Connection, saved_before: bool) -> None:
    episode = open_episode(w, saved_before)
    before = count_rows(w.path, "observations")
    hold(other_program)
    w.clock.advance(minutes=1)
    with pytest.raises(DatabaseBusy, match="in use by another program"):
        w.s.record_observation(w.nurse.id, episode.id, good(hr="58"))
    other_program.execute("ROLLBACK")
    assert count_rows(w.path, "observations") == before
    # Once the other program lets go, the same form is saved.
    w.s.record_observation(w.nurse.id, episode.id, good(hr="58"))
    assert count_rows(w.path, "observations") == before + 1


def test_a_typo_on_the_next_save_asks_nothing_of_the_database(w: World) -> None:
    episode = open_episode(w, saved_before=True)
    w.clock.advance(minutes=1)

    def save_a_typo() -> None:
        with pytest.raises(ValidationError, match="hr"):
            w.s.record_observation(w.nurse.id, episode.id, good(hr="7O"))

    assert statements_of(w.s.db, save_a_typo) == []  # refused before the write lock was asked for
