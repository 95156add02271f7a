"""The app's own database object behaves as sqlite-utils' did for everything the app
does with it: each test runs on both, so a save is kept or undone exactly as before."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from monitor_app.storage.connection import Database, SqliteDatabase, first_keyword

MAKERS: dict[str, Callable[[sqlite3.Connection], Database]] = {
    "app": SqliteDatabase,
    "sqlite-utils": lambda conn: sqlite_utils.Database(conn, execute_plugins=False),
}


@pytest.fixture(params=sorted(MAKERS))
def pair(request: pytest.FixtureRequest, tmp_path: Path):
    """(the database under test, another program's connection to the same file)."""
    path = tmp_path / "t.db"
    db = MAKERS[request.param](sqlite3.connect(str(path)))
    db.execute("CREATE TABLE saves (id INTEGER PRIMARY KEY, what TEXT NOT NULL)")
    db.execute("CREATE TABLE log (what TEXT)")
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON saves WHEN NEW.what = 'forbidden' "
               "BEGIN SELECT RAISE(ROLLBACK, 'refused'); END")
    other = sqlite3.connect(str(path))
    yield db, other
    other.close()
    db.close()


def saved(conn: sqlite3.Connection) -> list[str]:
    return [w for (w,) in conn.execute("SELECT what FROM saves ORDER BY id")]


def test_a_write_outside_a_transaction_is_committed_at_once(pair):
    db, other = pair
    db.execute("INSERT INTO saves (what) VALUES (?)", ["pulse 80"])
    assert not db.conn.in_transaction
    assert saved(other) == ["pulse 80"]  # another station sees it


def test_a_failed_write_leaves_no_transaction_open_to_catch_later_ones(pair):
    db, other = pair
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO saves (what) VALUES (NULL)")
    assert not db.conn.in_transaction
    db.execute("INSERT INTO saves (what) VALUES ('next')")
    assert saved(other) == ["next"]


def test_a_nested_block_that_fails_undoes_only_itself(pair):
    db, other = pair
    with db.atomic():
        db.execute("INSERT INTO saves (what) VALUES ('kept')")
        with pytest.raises(sqlite3.IntegrityError), db.atomic():
            db.execute("INSERT INTO saves (what) VALUES ('undone')")
            db.execute("INSERT INTO saves (what) VALUES (NULL)")
        assert saved(other) == []  # nothing visible before the commit
    assert saved(other) == ["kept"]
    assert not db.conn.in_transaction


def test_a_failing_block_saves_nothing(pair):
    db, other = pair
    with pytest.raises(RuntimeError), db.atomic():
        db.execute("INSERT INTO saves (what) VALUES ('half')")
        raise RuntimeError("the action failed")
    assert saved(other) == [] and not db.conn.in_transaction


def test_a_trigger_that_rolls_back_everything_reports_its_own_error(pair):
    db, other = pair
    with pytest.raises(sqlite3.IntegrityError, match="refused"), db.atomic():
        db.execute("INSERT INTO saves (what) VALUES ('first')")
        with db.atomic():
            db.execute("INSERT INTO saves (what) VALUES ('forbidden')")
    assert saved(other) == [] and not db.conn.in_transaction


def test_triggers_fire_recursively_as_with_sqlite_utils(pair):
    db, _other = pair
    assert db.execute("PRAGMA recursive_triggers").fetchone()[0] == 1


def test_rollback_outside_a_transaction_is_harmless(pair):
    db, _other = pair
    db.rollback()
    assert not db.conn.in_transaction


@pytest.mark.parametrize(("sql", "keyword"), [
    ("  insert into x values (1)", "INSERT"),
    ("-- note\nBEGIN IMMEDIATE", "BEGIN"),
    ("/* a */ ; savepoint s", "SAVEPOINT"),
    ("\ufeffRELEASE s", "RELEASE"),
    ("-- only a comment", ""),
])
def test_the_first_keyword_is_read_past_comments(sql, keyword):
    assert first_keyword(sql) == keyword == sqlite_utils.db._first_keyword(sql)
