"""The audit trail: an append-only, hash-chained log of every change, and its checker.

Every change the app makes writes, in the same transaction, one event with who,
when, what action, which table and row, and the full row before and after as
canonical JSON. Events form a chain: each event's ``hash`` is the SHA-256 (hex) of
the canonical JSON of the object

    {"prev_hash", "at", "actor_id", "action", "table_name", "row_id", "before", "after"}

where ``before`` and ``after`` are the stored JSON texts (or null) and ``prev_hash``
is the previous event's hash (64 zeros for the first). Canonical JSON: keys sorted,
no spaces (``,`` and ``:``), UTF-8, no NaN. An outside auditor can recompute it.

Columns named in ``SECRET_COLUMNS`` (the PIN hash) are recorded as a SHA-256
fingerprint, so the log proves a PIN changed without keeping old PIN hashes.

``verify(db)`` reads the whole log once and every audited table once, and returns
a list of problems (empty when the record is intact).

This module owns the ``audit`` table; it also reads ``signatures`` to re-check the
signed content hashes. All other SQL lives in ``repository``. The hashing itself (no
database) is ``audit_hash``'s; its names are reachable here too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor_app.storage import file_guard
from monitor_app.storage.audit_hash import GENESIS_HASH as GENESIS_HASH
from monitor_app.storage.audit_hash import SECRET_COLUMNS as SECRET_COLUMNS
from monitor_app.storage.audit_hash import Row as Row
from monitor_app.storage.audit_hash import canonical_json as canonical_json
from monitor_app.storage.audit_hash import event_hash as event_hash
from monitor_app.storage.audit_hash import row_json as row_json
from monitor_app.storage.audit_hash import sha256_hex as sha256_hex
from monitor_app.storage.audit_hash import signature_content_hash as signature_content_hash
from monitor_app.storage.connection import Database
from monitor_app.storage.times import parse_utc, utc_text

AUDIT_TABLE = "audit"
SIGNATURES_TABLE = "signatures"
HEAD_HASH_SQL = f"SELECT hash FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1"  # the chain's head


@dataclass(frozen=True)
class AuditEvent:
    """One row of the audit log: who did what to which row, with the row before and after."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    table_name: str
    row_id: int
    before: Row | None
    after: Row | None
    prev_hash: str
    hash: str


def record(
    db: Database,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    table_name: str,
    row_id: int,
    before: Row | None,
    after: Row | None,
    prev_hash: str | None = None,
) -> int:
    """Append one event to the chain; call it inside the transaction of the change.
    ``prev_hash``: the chain's head if the caller read it (``HEAD_HASH_SQL``) in it."""
    at_text = utc_text(at)
    before_text = None if before is None else row_json(before)
    after_text = None if after is None else row_json(after)
    if prev_hash is None:
        prev_hash = (db.execute(HEAD_HASH_SQL).fetchone() or [GENESIS_HASH])[0]
    digest = event_hash(
        prev_hash, at_text, actor_id, action, table_name, row_id, before_text, after_text
    )
    cursor = db.execute(f'INSERT INTO {AUDIT_TABLE} (at, actor_id, action, table_name, row_id, '
                        '"before", "after", prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                        [at_text, actor_id, action, table_name, row_id, before_text,
                         after_text, prev_hash, digest])
    event_id = int(cursor.lastrowid or 0)
    db.__dict__[file_guard.WRITTEN] = (event_id, digest, at_text)  # for the head file
    return event_id


def events(
    db: Database,
    *,
    table_name: str | None = None,
    row_id: int | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Audit events in order, optionally for one table or one row."""
    where = ["id > ?"]
    params: list[Any] = [after_id]
    if table_name is not None:
        where.append("table_name = ?")
        params.append(table_name)
    if row_id is not None:
        where.append("row_id = ?")
        params.append(row_id)
    sql = (
        f'SELECT id, at, actor_id, action, table_name, row_id, "before", "after", prev_hash, '
        f"hash FROM {AUDIT_TABLE} WHERE {' AND '.join(where)} ORDER BY id"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [
        AuditEvent(
            id=r[0],
            at=parse_utc(r[1]),
            actor_id=r[2],
            action=r[3],
            table_name=r[4],
            row_id=r[5],
            before=None if r[6] is None else json.loads(r[6]),
            after=None if r[7] is None else json.loads(r[7]),
            prev_hash=r[8],
            hash=r[9],
        )
        for r in db.execute(sql, params)
    ]


def head(db: Database) -> tuple[int, str] | None:
    """The latest event's id and hash: print or export it to anchor the chain outside."""
    row = db.execute(f"SELECT id, hash FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else None


def snapshot_rows(
    db: Database, table_name: str, *, at: datetime, actor_id: int | None = None,
    action: str = "migrate",
) -> int:
    """Record every row of ``table_name`` whose current state differs from the log.

    For migrations that change the shape of an audited table; returns the number of
    events written. Call inside the migration's transaction.
    """
    written = 0
    for row_id, row, logged in _rows_with_latest(db, table_name):
        if row is None or logged == row_json(row):
            continue
        before = None if logged is None else json.loads(logged)
        record(db, at=at, actor_id=actor_id, action=action, table_name=table_name,
               row_id=row_id, before=before, after=row)
        written += 1
    return written


def verify(db: Database) -> list[str]:
    """Every problem found in the record; an empty list means it is intact.

    Checks that the hash chain is whole (each hash recomputes, each event links to
    the one before, no event is missing), that every row of every audited table
    equals the ``after`` of its latest event, and that every signature's hash still
    matches its signed content.
    """
    own_transaction = not db.conn.in_transaction
    if own_transaction:
        db.execute("BEGIN")  # one consistent snapshot for the whole check
    try:
        problems = _verify_chain(db)
        for table in _audited_tables(db):
            problems += _verify_table(db, table)
        problems += _verify_signatures(db)
    finally:
        if own_transaction:
            db.conn.rollback()
    return problems


# --- internals -------------------------------------------------------------------


def _verify_chain(db: Database) -> list[str]:
    problems: list[str] = []
    expected_id = 1
    prev_hash = GENESIS_HASH
    cursor = db.execute(
        f'SELECT id, at, actor_id, action, table_name, row_id, "before", "after", prev_hash, '
        f"hash FROM {AUDIT_TABLE} ORDER BY id"
    )
    for event_id, at, actor, action, table, row_id, before, after, stored_prev, stored in cursor:
        if event_id != expected_id:
            span = (
                f"event {expected_id} is"
                if event_id == expected_id + 1
                else f"events {expected_id} to {event_id - 1} are"
            )
            problems.append(f"audit {span} missing (deleted outside the app)")
        elif stored_prev != prev_hash:
            where = f"event {event_id - 1}" if event_id > 1 else "the start of the chain"
            problems.append(
                f"audit event {event_id}: prev_hash does not match the hash of {where}"
            )
        if event_hash(stored_prev, at, actor, action, table, row_id, before, after) != stored:
            problems.append(f"audit event {event_id}: hash does not match its content")
        expected_id = event_id + 1
        prev_hash = stored
    last_id = expected_id - 1
    written = db.execute(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", [AUDIT_TABLE]
    ).fetchone()
    if written and written[0] > last_id:
        problems.append(
            f"the audit log ends at event {last_id} but events up to {written[0]} were "
            "written (the latest events were deleted outside the app)"
        )
    return problems


def _audited_tables(db: Database) -> list[str]:
    in_schema = {
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            r"AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_%' ESCAPE '\'"
        )
        if name != AUDIT_TABLE
    }
    in_log = {name for (name,) in db.execute(f"SELECT DISTINCT table_name FROM {AUDIT_TABLE}")}
    return sorted(in_schema | in_log)


def _table_exists(db: Database, table: str) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    return found is not None


def _rows_with_latest(
    db: Database, table: str
) -> Iterator[tuple[int, Row | None, str | None]]:
    """Merge-join the table (by rowid) with the latest logged ``after`` of each row.

    Yields (row_id, current row or None, latest logged after-text or None); both
    sides are streamed in row order, so memory stays flat however big the table.
    """
    quoted = '"' + table.replace('"', '""') + '"'
    rows: sqlite3.Cursor = db.conn.execute(f"SELECT rowid, * FROM {quoted} ORDER BY rowid")
    names = [d[0] for d in rows.description][1:]
    logged = db.conn.execute(
        f'SELECT row_id, "after", max(id) FROM {AUDIT_TABLE} WHERE table_name = ? '
        "GROUP BY row_id ORDER BY row_id",
        [table],
    )
    row = next(rows, None)
    log = next(logged, None)
    while row is not None or log is not None:
        if log is None or (row is not None and row[0] < log[0]):
            yield row[0], dict(zip(names, row[1:], strict=True)), None  # type: ignore[index]
            row = next(rows, None)
        elif row is None or log[0] < row[0]:
            yield log[0], None, log[1]
            log = next(logged, None)
        else:
            yield row[0], dict(zip(names, row[1:], strict=True)), log[1]
            row = next(rows, None)
            log = next(logged, None)


def _verify_table(db: Database, table: str) -> list[str]:
    if not _table_exists(db, table):
        return [f"table {table} is in the audit log but not in the database (dropped?)"]
    problems = []
    for row_id, row, logged in _rows_with_latest(db, table):
        where = f"{table} row {row_id}"
        if row is None:
            if logged is not None:
                problems.append(f"{where}: deleted outside the app (in the audit log only)")
            continue
        if logged is None:
            problems.append(f"{where}: inserted outside the app (no audit event)")
            continue
        current = row_json(row)
        if current != logged:
            problems += [f"{where}: {p}" for p in _differences(json.loads(current), logged)]
    return problems


def _differences(current: Row, logged_text: str) -> list[str]:
    try:
        logged = json.loads(logged_text)
    except ValueError:
        return ["its audit event holds no readable row"]
    if not isinstance(logged, dict):
        return ["its audit event holds no readable row"]
    found = []
    for column in sorted(current.keys() | logged.keys()):
        if column not in logged:
            found.append(f"{column} is in the table but not in the audit log")
        elif column not in current:
            found.append(f"{column} is in the audit log but not in the table")
        elif current[column] != logged[column] or type(current[column]) is not type(
            logged[column]
        ):
            if column in SECRET_COLUMNS:
                found.append(f"{column} differs from the audit log")
            else:
                found.append(
                    f"{column} is {_show(current[column])} in the table but "
                    f"{_show(logged[column])} in the audit log"
                )
    return found or ["differs from the audit log"]


def _show(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _verify_signatures(db: Database) -> list[str]:
    if not _table_exists(db, SIGNATURES_TABLE):
        return []
    problems = []
    cursor = db.conn.execute(
        f"SELECT id, content, content_hash FROM {SIGNATURES_TABLE} ORDER BY id"
    )
    for sig_id, content, content_hash in cursor:
        try:
            parsed = json.loads(content)
        except (TypeError, ValueError):
            problems.append(f"signatures row {sig_id}: the signed content is not readable")
            continue
        if not isinstance(parsed, dict) or signature_content_hash(parsed) != content_hash:
            problems.append(
                f"signatures row {sig_id}: content_hash does not match the signed content"
            )
    return problems
