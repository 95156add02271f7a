"""The SQL statements an action runs, from sqlite3's trace callback: a count, not a timing.

The one measure behind "a save runs at most 8 statements" in the tests and in
``make bench``; it lives with the SQL it measures, in the installed package, so the
tests and the benchmarks both import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable

from monitor_app.storage.connection import Database


def statements_of(db: Database, action: Callable[[], object]) -> list[str]:
    """The statements ``action`` runs on ``db``'s connection, in order. A trigger's
    program reports its statement to the callback again: a repeat of the statement
    just seen is counted once."""
    seen: list[str] = []

    def trace(sql: str) -> None:
        if not seen or seen[-1] != sql:
            seen.append(sql)

    db.conn.set_trace_callback(trace)
    try:
        action()
    finally:
        db.conn.set_trace_callback(None)
    return seen
