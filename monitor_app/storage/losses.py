"""Accepting saves that were lost outside the app (``monitor-app accept-loss``).

The head file beside the database said the record reached event N; the database
ends before it (or holds another event N). Someone decides to go on with what is
left: the loss is recorded as an audited row of ``accepted_losses`` (what the head
file said, where the database ended, why), the old head file is kept beside the
database as ``<db>.head.lost-<N>``, and a new head file is written.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from monitor_app.storage import anchors, file_guard
from monitor_app.storage.connection import Database
from monitor_app.storage.db import StorageError, utc_text
from monitor_app.storage.repository_base import insert_row, transaction

TABLE = "accepted_losses"


@dataclass(frozen=True)
class AcceptedLoss:
    kept_event_id: int
    lost_event_id: int
    lost_at: str
    accepted_at: str
    reason: str


def accept_loss(db: Database, reason: str, *, at: datetime) -> AcceptedLoss:
    guard = file_guard.guard_of(db)
    if guard is None:
        raise StorageError("only a database file has a head file")
    file_guard.flush(db)
    differs = file_guard.head_vs_database(db.conn, guard.path)
    if differs is None:
        raise StorageError(f"{guard.path} agrees with its head file: no loss to accept")
    head, kept = differs
    os.replace(head.source, head.source.with_name(f"{head.source.name}.lost-{head.event_id}"))
    guard.head_id = guard.submitted_id = 0  # the next commit writes a new head file
    with transaction(db):
        insert_row(db, TABLE, {"accepted_at": utc_text(at), "reason": reason,
                               "kept_event_id": kept, "lost_event_id": head.event_id,
                               "lost_hash": head.hash, "lost_at": head.at},
                   action="accept_loss", actor_id=None, at=at)
    return AcceptedLoss(kept, head.event_id, head.at, utc_text(at), reason)


def accepted_losses(conn: sqlite3.Connection) -> list[AcceptedLoss]:
    """Every accepted loss (none when the table does not exist yet)."""
    try:
        rows = conn.execute(f"SELECT kept_event_id, lost_event_id, lost_at, accepted_at, "
                            f"reason FROM {TABLE} ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # an older file without the table
        return []
    return [AcceptedLoss(*row) for row in rows]


def predates(anchor: anchors.Anchor, loss: AcceptedLoss) -> bool:
    """An anchor made before the loss was accepted, of an event that was lost."""
    return anchor.event_id > loss.kept_event_id and bool(anchor.at) and (
        anchor.at < loss.accepted_at)
