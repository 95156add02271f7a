"""The raw baselines of one observation saved: the same two rows the app writes (the
observation and its audit event, values copied from the app's own last save), then
COMMIT, with the app's pragmas (WAL, synchronous=FULL, foreign_keys=ON), and nothing
else: no Python around it, no reads, no triggers, no foreign keys to check.

- ``RawSave(app, path)``: tables of the app's shape: its CREATE TABLE for
  ``observations`` and ``audit`` (STRICT, AUTOINCREMENT on the audit log) and their
  indexes, so the commit writes the pages any save of that row must write;
- ``RawSave(app, path, bare=True)``: the earlier baseline, two bare tables without
  indexes or AUTOINCREMENT (fewer pages per commit), reported beside it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from sqlite_utils import Database

PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")
TABLES = ("observations", "audit")
_REFERENCES = re.compile(r"\s+REFERENCES\s+\w+\s*\(\w+\)")


class RawSave:
    def __init__(self, app: Database, path: Path, *, bare: bool = False) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            self.conn.execute(f"PRAGMA {pragma}")
        self.rows: dict[str, tuple[object, ...]] = {}
        for table, which in zip(TABLES, ("1", "table_name = 'observations'"), strict=True):
            cursor = app.execute(f"SELECT * FROM {table} WHERE {which} ORDER BY id DESC LIMIT 1")
            columns = [d[0] for d in cursor.description]
            self.rows[table] = cursor.fetchone()[1:]  # the id comes from the table
            if bare:
                names = ", ".join(f'"{c}"' for c in columns[1:])
                self.conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {names})")
                continue
            for (sql,) in app.execute("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND "
                                      "type IN ('table', 'index') AND sql IS NOT NULL "
                                      "ORDER BY type DESC", [table]):
                self.conn.execute(_REFERENCES.sub("", sql))
        self.marks = {t: ", ".join("?" * (len(self.rows[t]) + 1)) for t in TABLES}

    def save(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        row_id = self.conn.execute(
            f"INSERT INTO observations VALUES ({self.marks['observations']})",
            (None, *self.rows["observations"])).lastrowid
        audit = list(self.rows["audit"])
        audit[4] = row_id  # row_id: at, actor_id, action, table_name, row_id, ...
        self.conn.execute(f"INSERT INTO audit VALUES ({self.marks['audit']})", (None, *audit))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
