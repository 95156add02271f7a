"""The attacker's tools: a consistent rewrite of the record with the published recipe.

Everything here uses only sqlite3, hashlib and json, as someone at the shell would:
drop the triggers, change rows, make the audit log agree with them, recompute the
whole chain from the zero hash, fix ``sqlite_sequence`` and put the triggers back.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

GENESIS = "0" * 64


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def _row_json(row: dict) -> str:
    clean = dict(row)
    if clean.get("pin_hash") is not None:
        clean["pin_hash"] = "sha256:" + hashlib.sha256(str(clean["pin_hash"]).encode()
                                                       ).hexdigest()
    return _canonical(clean)


@contextmanager
def _triggers_dropped(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection like the sqlite3 shell's with every trigger dropped; the triggers are
    put back when the block ends without an error."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                                ).fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        yield conn
        for _name, sql in triggers:
            conn.execute(sql)
    finally:
        conn.close()


def rewrite(path: Path, edit: Callable[[sqlite3.Connection], None]) -> None:
    """Apply ``edit`` to the rows, then make the audit log consistent with them."""
    with _triggers_dropped(path) as conn:
        edit(conn)
        _follow_rows(conn)
        _rechain(conn)


def roll_back(path: Path, events: int) -> None:
    """Remove the newest ``events`` events (each an insert) and the rows they made,
    and lower ``sqlite_sequence`` so nothing looks missing."""
    with _triggers_dropped(path) as conn:
        tail = conn.execute('SELECT id, table_name, row_id, "before" FROM audit '
                            "ORDER BY id DESC LIMIT ?", [events]).fetchall()
        for event_id, table, row_id, before in tail:
            assert before is None, "roll_back only undoes inserts"
            conn.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])
            conn.execute("DELETE FROM audit WHERE id = ?", [event_id])
        conn.execute("UPDATE sqlite_sequence SET seq = (SELECT max(id) FROM audit) "
                     "WHERE name = 'audit'")


def _follow_rows(conn: sqlite3.Connection) -> None:
    """Each row's latest event gets the row as it now is; deleted rows lose their events."""
    tables = [t for (t,) in conn.execute("SELECT DISTINCT table_name FROM audit")]
    for table in tables:
        cursor = conn.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        rows = {r[0]: dict(zip(names, r, strict=True)) for r in cursor}
        latest = conn.execute('SELECT row_id, max(id), "after" FROM audit '
                              "WHERE table_name = ? GROUP BY row_id", [table]).fetchall()
        for row_id, event_id, after in latest:
            if row_id not in rows:
                conn.execute("DELETE FROM audit WHERE table_name = ? AND row_id = ?",
                             [table, row_id])
            elif after != _row_json(rows[row_id]):
                conn.execute('UPDATE audit SET "after" = ? WHERE id = ?',
                             [_row_json(rows[row_id]), event_id])


def _rechain(conn: sqlite3.Connection) -> None:
    events = conn.execute('SELECT at, actor_id, action, table_name, row_id, "before", '
                          '"after" FROM audit ORDER BY id').fetchall()
    conn.execute("DELETE FROM audit")
    prev = GENESIS
    for new_id, (at, actor, action, table, row_id, before, after) in enumerate(events, 1):
        digest = hashlib.sha256(_canonical(
            {"prev_hash": prev, "at": at, "actor_id": actor, "action": action,
             "table_name": table, "row_id": row_id, "before": before, "after": after}
        ).encode()).hexdigest()
        conn.execute('INSERT INTO audit (id, at, actor_id, action, table_name, row_id, '
                     '"before", "after", prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)',
                     [new_id, at, actor, action, table, row_id, before, after, prev, digest])
        prev = digest
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'", [len(events)])
