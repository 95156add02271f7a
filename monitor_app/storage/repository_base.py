"""Shared plumbing of the repository: one transaction per action, audited row writes.

Every write goes through ``insert_row`` / ``update_row``, which re-read the full row
after the change and append its audit event in the same transaction. Callers wrap
an action in ``transaction(db)``; nested ``transaction`` blocks become savepoints, so
a service can group several repository calls into one all-or-nothing action.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from monitor_app.errors import NotFound as NotFound
from monitor_app.storage import audit, file_guard
from monitor_app.storage.connection import Database
from monitor_app.storage.db import (
    ChangeRefused,
    StorageError,
    database_path,
    parse_utc,
    translate_error,
)

Row = dict[str, Any]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()  # "leave this field as it is" (None may be a real value)


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One all-or-nothing action: the changes and their audit events, or nothing.

    The outermost block starts with ``BEGIN IMMEDIATE`` so the write lock is taken
    before anything is read (no lost race with another writer); inner blocks are
    savepoints (``db.atomic()``). sqlite3 errors come out as
    ``StorageError`` (``DatabaseBusy`` when locked, ``ChangeRefused`` from a trigger).
    Before committing, the database path must still name the open file (else nothing
    is saved and ``StorageError`` says so); after it, the head file is updated.
    """
    try:
        if db.conn.in_transaction:
            try:
                with db.atomic():
                    yield db
            except BaseException:
                file_guard.forget_written(db)  # which events survive is for the log to say
                raise
            return
        replaced = file_guard.file_replaced(db)
        if replaced:
            raise StorageError(replaced)
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db  # no savepoint at the outermost level: BEGIN/ROLLBACK is enough
        except BaseException:
            _roll_back(db)
            raise
        replaced = file_guard.file_replaced(db)
        if replaced:
            _roll_back(db)
            raise StorageError(replaced)
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            _roll_back(db)
            raise
        file_guard.after_commit(db)
    except sqlite3.OperationalError as exc:
        raise translate_error(exc, database_path(db)) from exc
    except sqlite3.IntegrityError as exc:
        refused = translate_error(exc, database_path(db))
        if isinstance(refused, ChangeRefused):
            raise refused from exc
        raise


def _roll_back(db: Database) -> None:
    db.rollback()
    file_guard.take_written(db)  # those events are gone: the head file must not name them


def require_transaction(db: Database) -> None:
    if not db.conn.in_transaction:
        raise RuntimeError("repository writes must run inside transaction(db)")


def fetch_row(db: Database, table: str, row_id: int) -> Row | None:
    cursor = db.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
    values = cursor.fetchone()
    if values is None:
        return None
    return dict(zip([d[0] for d in cursor.description], values, strict=True))


def fetch_rows(db: Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def get_row(db: Database, table: str, row_id: int, what: str) -> Row:
    row = fetch_row(db, table, row_id)
    if row is None:
        raise NotFound(f"no {what} with id {row_id}")
    return row


def insert_row(
    db: Database, table: str, values: Row, *, action: str, actor_id: int | None, at: datetime,
    typed: bool = False,
) -> Row:
    """Insert one row and audit it; returns the row as stored.

    ``typed``: every value already has its column's type (int for INTEGER, float for
    REAL...), so the row comes back from the INSERT itself (RETURNING gives values before
    the column's type affinity: 35 would not read back as 35.0 from a REAL column)."""
    require_transaction(db)
    sql = _insert_sql(table, tuple(values), typed)
    prev_hash = None
    if typed:
        # The audit chain's head comes with the row: one statement fewer, read in the
        # same write transaction as audit.record would read it.
        cursor = db.execute(sql, list(values.values()))
        after = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
        cursor.fetchall()  # runs the statement to its end
        prev_hash = after.pop(_HEAD) or audit.GENESIS_HASH
        row_id = int(after["id"])
    else:
        cursor = db.execute(sql, list(values.values()))
        row_id = int(cursor.lastrowid or 0)
        after = get_row(db, table, row_id, table)
    audit.record(db, at=at, actor_id=actor_id, action=action, table_name=table, row_id=row_id,
                 before=None, after=after, prev_hash=prev_hash)
    return after


_HEAD = "_audit_head_hash"  # not a column of any table


@functools.lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...], typed: bool) -> str:
    """The INSERT of these columns (the same few on every save: written once)."""
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    return f"{sql} RETURNING *, ({audit.HEAD_HASH_SQL}) AS {_HEAD}" if typed else sql


def update_row(
    db: Database,
    table: str,
    row_id: int,
    changes: Row,
    *,
    action: str,
    actor_id: int | None,
    at: datetime,
    before: Row | None = None,
) -> Row:
    """Change some columns of one row and audit the full row before and after."""
    require_transaction(db)
    before = before if before is not None else get_row(db, table, row_id, table)
    if not changes:
        return before
    assignments = ", ".join(f'"{c}" = ?' for c in changes)
    db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*changes.values(), row_id])
    after = get_row(db, table, row_id, table)
    audit.record(db, at=at, actor_id=actor_id, action=action, table_name=table, row_id=row_id,
                 before=before, after=after)
    return after


def to_json(value: Any) -> str:
    return audit.canonical_json(value)


def from_json(text: str | None, default: Any) -> Any:
    if text is None or text == "":
        return default
    return json.loads(text)


def ids_json(ids: Any) -> str:
    """A list of ids as one JSON parameter, for ``IN (SELECT value FROM json_each(?))``."""
    return json.dumps([int(i) for i in ids])


def change_mark(db: Database) -> tuple[int, int]:
    """A cheap check that something was written since it was last read: SQLite's
    ``data_version`` (moves when another connection, another station, commits) and the
    count of rows this connection changed. No table is read."""
    version = db.execute("PRAGMA data_version").fetchone()[0]
    return int(version), int(db.conn.total_changes)


def latest_event_time(db: Database) -> datetime | None:
    """When the newest audit event was recorded (by the clock of the day)."""
    row = db.execute("SELECT at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return parse_utc(row[0]) if row else None
