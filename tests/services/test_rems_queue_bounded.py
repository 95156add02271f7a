"""The board's REMS count and the queue read the forms still to file (and the queue's
window of forms filed lately), never every session the clinic signed and filed over
the years; and they list exactly what reading every session listed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor_app.clock import FixedClock
from monitor_app.domain.models import Escort
from monitor_app.services import Services
from monitor_app.services.rems_queue import (
    FILED_SHOWN_DAYS,
    RemsFormState,
    RemsQueueCounts,
    RemsQueueItem,
)
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from monitor_app.storage.statement_trace import statements_of
from tests.helpers.history import OLIVER, History
from tests.helpers.rems_filed import NOW, build_rems_history

ADMIN = "1111"


def read_in_full(s: Services) -> tuple[list[RemsQueueItem], RemsQueueCounts]:
    """The queue and the count as they were read before ``_rems_unfiled``: every
    signed session of a REMS protocol with all its notes, then filtered."""
    q = s.rems_queue
    protocols = [pid for pid, p in s.protocols.items() if p.rems_filing is not None]
    today = s.clock.now().astimezone(q.ctx.local_zone()).date()
    items = q.items(repo.signed_sessions(s.db, protocols), today)
    recent = today - timedelta(days=FILED_SHOWN_DAYS)
    outstanding = sorted((i for i in items if i.outstanding),
                         key=lambda i: (i.days_left, i.number))
    filed = sorted((i for i in items if not i.outstanding and i.submitted_on is not None
                    and i.submitted_on >= recent),
                   key=lambda i: (i.submitted_on, i.number), reverse=True)
    counts = RemsQueueCounts(
        due_soon=sum(i.state == RemsFormState.DUE_SOON for i in outstanding),
        overdue=sum(i.state == RemsFormState.OVERDUE for i in outstanding))
    return outstanding + filed, counts


def assert_same_as_read_in_full(s: Services) -> list[RemsQueueItem]:
    queue, counts = read_in_full(s)
    assert s.rems_queue.queue() == queue
    assert s.rems_queue.counts() == counts
    return queue


def test_filed_withdrawn_and_filed_again_list_as_before(history: History) -> None:
    s, admin = history.s, history.staff(ADMIN)
    first = assert_same_as_read_in_full(s)
    assert len(first) == 4
    oliver = next(i for i in first if i.state == RemsFormState.OVERDUE)
    s.rems_queue.mark_submitted(admin, oliver.episode_id, date(2026, 11, 19), "R-1")
    assert oliver.episode_id not in {i.episode_id for i in s.rems_queue.queue()
                                     if i.outstanding}
    assert assert_same_as_read_in_full(s)[-1].state == RemsFormState.FILED_LATE
    s.rems_queue.withdraw_submission(admin, oliver.episode_id, "filed for the wrong session")
    assert assert_same_as_read_in_full(s)[0].episode_id == oliver.episode_id  # back, overdue
    assert s.rems_queue.counts().overdue == 1
    s.rems_queue.mark_submitted(admin, oliver.episode_id, date(2026, 11, 20), "R-2",
                                reason="filed again after the withdrawal")
    s.rems_queue.mark_submitted(admin, oliver.episode_id, date(2026, 11, 20), "R-22",
                                reason="typo in the number")
    again = assert_same_as_read_in_full(s)
    assert [i.confirmation for i in again if i.episode_id == oliver.episode_id] == ["R-22"]
    assert s.rems_queue.counts().overdue == 0
    history.clock.advance(days=FILED_SHOWN_DAYS + 2)  # the filing leaves the window
    later = assert_same_as_read_in_full(s)
    assert oliver.episode_id not in {i.episode_id for i in later}
    assert all(i.state == RemsFormState.OVERDUE for i in later)
    assert s.verify() == []


def test_a_cancelled_esketamine_session_has_no_form(history: History) -> None:
    s, nurse = history.s, history.staff("2222")
    patient = history.builder.patients[OLIVER]
    keys = [i.key for i in s.protocols["esketamine-rems"].precheck]
    episode = s.open_episode(nurse, patient, "esketamine-rems", "10", 70, 84,
                             Escort("Sam", "partner", "555"), dict.fromkeys(keys, True), "L-1")
    s.cancel_episode(nurse, episode.id, "patient felt unwell before dosing")
    queue = assert_same_as_read_in_full(s)
    assert episode.id not in {i.episode_id for i in queue}


def plan_steps(s: Services, call: Callable[[], object]) -> list[str]:
    details = []
    for sql in statements_of(s.db, call):
        if sql.lstrip().upper().startswith("SELECT"):
            details += [row[3] for row in s.db.execute("EXPLAIN QUERY PLAN " + sql)]
    return details


def test_the_count_reads_the_unfiled_sessions_not_every_signed_one(
        built_history: History) -> None:
    steps = plan_steps(built_history.s, built_history.s.rems_queue.counts)
    assert any("_rems_unfiled" in step for step in steps), steps
    assert not [step for step in steps if "episodes_protocol" in step  # all the sessions
                or "TEMP B-TREE" in step or (step.startswith("SCAN")
                and "json_each" not in step)], steps


def test_the_queue_reads_the_unfiled_and_the_lately_filed(built_history: History) -> None:
    steps = plan_steps(built_history.s, built_history.s.rems_queue.queue)
    assert any("rems_submissions_filed_on" in step for step in steps), steps
    assert not [step for step in steps if "episodes_protocol" in step
                or "TEMP B-TREE" in step or (step.startswith("SCAN")
                and "json_each" not in step)], steps


def sqlite_steps(s: Services, call: Callable[[], object]) -> int:
    """SQLite virtual-machine instructions ``call`` runs: the work, without a clock."""
    done = [0]

    def count() -> int:
        done[0] += 1
        return 0

    s.db.conn.set_progress_handler(count, 1)
    try:
        call()
    finally:
        s.db.conn.set_progress_handler(None, 1)
    return done[0]


@pytest.fixture(scope="module")
def filed_years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Services]]:
    """Two clinics with the same 4 forms to file and 20 or 200 forms filed before the
    queue's window."""
    folder = tmp_path_factory.mktemp("rems")
    clinics = {}
    for filed in (20, 200):
        path = build_rems_history(folder / f"rems-{filed}.db", filed, 4,
                                  filed_until=NOW - timedelta(days=60))
        clinics[filed] = Services.open(path, clock=FixedClock(NOW))
    yield clinics
    for s in clinics.values():
        s.close()


@pytest.mark.parametrize("read", ["counts", "queue"])
def test_years_of_filed_forms_add_no_work(filed_years: dict[int, Services],
                                          read: str) -> None:
    work = {}
    for filed, s in filed_years.items():
        assert [i.outstanding for i in s.rems_queue.queue()] == [True] * 4
        work[filed] = sqlite_steps(s, getattr(s.rems_queue, read))
    assert filed_years[20].rems_queue.counts() == filed_years[200].rems_queue.counts()
    assert work[200] == work[20], work


def as_before_m018(path: Path) -> None:
    """The file as the app left it before ``m018_rems_unfiled``."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    for statement in ("DROP TRIGGER signatures_rems_unfiled",
                      "DROP TRIGGER rems_submissions_filed",
                      "DROP TRIGGER rems_submissions_withdrawn",
                      "DROP INDEX rems_submissions_filed_on", "DROP TABLE _rems_unfiled",
                      "DELETE FROM _sqlite_migrations WHERE name = 'm018_rems_unfiled'"):
        conn.execute(statement)
    conn.close()


def test_the_forms_of_an_older_file_are_found(tmp_path: Path) -> None:
    """The migration fills ``_rems_unfiled`` from the record (a withdrawn filing is to
    file again), and ``verify`` holds the derived table to its source."""
    path = build_rems_history(tmp_path / "old.db", 30, 3)
    db = open_db(path)
    withdrawn = db.execute("SELECT max(episode_id) FROM rems_submissions").fetchone()[0]
    repo.add_rems_submission(db, withdrawn, submitted_on=None, confirmation="",
                             reason="wrong session", actor_id=1, at=NOW)
    db.close()
    as_before_m018(path)
    s = Services.open(path, clock=FixedClock(NOW))
    try:
        queue = assert_same_as_read_in_full(s)
        assert next(i.episode_id for i in queue if i.outstanding) == withdrawn
        assert len([i for i in queue if i.outstanding]) == 4
        assert s.verify_record().problems == []
        s.db.execute("DELETE FROM _rems_unfiled WHERE episode_id = ?", [withdrawn])
        assert any("_rems_unfiled does not match its source" in p
                   for p in s.verify_record().problems)
    finally:
        s.close()
