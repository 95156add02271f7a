"""The history's and the REMS queue's queries go through indexes, never a full scan of
the episodes (the 5-year history holds 60,000): each statement they run is explained."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from monitor_app.storage.statement_trace import statements_of

T = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_db(tmp_path / "plans.db")


def plans_of(db: Database, call) -> list[str]:  # type: ignore[no-untyped-def]
    details = []
    for sql in statements_of(db, call):
        # FTS5 reads its own shadow tables (a few rows of settings) for every MATCH
        if sql.lstrip().upper().startswith("SELECT") and "_patient_search_" not in sql:
            details += [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)]
    return details


def full_scans(details: list[str]) -> list[str]:
    """Plan steps that read a whole table (json_each's list of ids is not a table; a
    full-text MATCH is a look-up in the FTS index: 'VIRTUAL TABLE INDEX 0:M')."""
    return [d for d in details if d.startswith("SCAN") and "json_each" not in d
            and "VIRTUAL TABLE INDEX 0:M" not in d]


@pytest.mark.parametrize("call", [
    lambda db: repo.closed_episodes(db, created_from=T, created_before=T, limit=10),
    lambda db: repo.closed_episodes(db, patient_ids=[1, 2], limit=10),
    lambda db: repo.closed_episodes(db, protocol_id="esketamine-rems", limit=10),
    lambda db: repo.closed_episodes(db, protocol_id="esketamine-rems", created_from=T),
    lambda db: repo.signed_sessions(db, ["esketamine-rems"]),
    lambda db: repo.discharge_times(db, [1, 2]),
    lambda db: repo.rems_submissions(db, [1, 2]),
    lambda db: repo.find_patients(db, "smi jo"),
    lambda db: repo.episodes_closed_since(db, T),
    lambda db: repo.unfiled_sessions(db, ["esketamine-rems"]),
    lambda db: repo.sessions_filed_since(db, ["esketamine-rems"], T.date()),
], ids=["dates", "patients", "protocol", "protocol+dates", "rems sessions", "signed at",
        "filing notes", "patient search", "closed today", "forms to file", "filed lately"])
def test_every_history_query_is_an_index_look_up(db: Database, call) -> None:  # type: ignore[no-untyped-def]
    details = plans_of(db, lambda: call(db))
    assert details, "no query ran"
    assert full_scans(details) == []
