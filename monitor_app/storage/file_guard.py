"""No confirmed save lost without an alarm.

Two checks around the open database file:

- before each write transaction commits, the path must still name the file that
  was opened (same device and inode): a database deleted, moved or replaced (a
  backup renamed over it) while the app runs would otherwise take saves that
  vanish; the commit is refused instead;
- at open, the head file beside the database (see ``anchors``) must name an event
  the database holds with the same hash. A head beyond the database's last event
  means saves that were confirmed are gone (a deleted or damaged ``-wal`` after a
  crash, an older copy put in its place): the file is refused for writing until
  someone restores a backup or accepts the loss (``monitor-app accept-loss``).

After each commit that added audit events, the head file is rewritten, by a
background thread (``head_writer``): the save does not wait for its fsync.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from monitor_app.errors import StorageError
from monitor_app.storage import anchors, head_writer
from monitor_app.storage.connection import Database, SqliteDatabase

WRITTEN = "_monitor_audit_written"  # on the Database: the newest event of this transaction

_GUARD = "_monitor_file_guard"


@dataclass(eq=False)
class FileGuard:
    """The database file as this process opened it, and the head file beside it."""

    path: Path
    identity: tuple[int, int]
    head_id: int = 0  # the event the head file names (as this process wrote or read it)
    head_problem: str = ""  # the last failure to write the head file, if any
    submitted_id: int = 0  # the newest event handed to the head writer

    def write_anchor(self, anchor: tuple[int, str, str]) -> None:
        """Rewrite the head file (on the head writer's thread). A failure is kept on
        the guard, never raised: the save itself is committed and was reported saved."""
        event_id, digest, at = anchor
        if event_id <= self.head_id:
            return
        try:
            anchors.write_head(self.path, event_id, digest, at)
        except Exception as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.head_problem = f"could not update {anchors.head_path(self.path)} ({reason})"
            return
        self.head_id = event_id
        self.head_problem = ""


class LostTail(StorageError):
    """Raised by ``check_head`` (translated into ``StorageError`` by ``open_db``)."""


def attach(db: Database, path: Path) -> FileGuard:
    stat = os.stat(path)
    try:
        head_id = anchors.read_head_file(anchors.head_path(path)).event_id
    except anchors.AnchorUnreadable:
        head_id = 0
    guard = FileGuard(Path(path), (stat.st_dev, stat.st_ino), head_id)
    setattr(db, _GUARD, guard)
    return guard


def guard_of(db: Database) -> FileGuard | None:
    return getattr(db, _GUARD, None)


def moved_message(path: Path) -> str:
    return (f"the database file {path} was moved, deleted or replaced while the app was "
            "running; nothing was saved. Close the app, put the clinic's database back at "
            f"{path} (or find out who replaced it), then start the app again.")


def file_replaced(db: Database) -> str:
    """The message when the path no longer names the open file, else ""."""
    guard = guard_of(db)
    if guard is None:
        return ""
    try:
        stat = os.stat(guard.path)
    except OSError:
        return moved_message(guard.path)
    if (stat.st_dev, stat.st_ino) != guard.identity:
        return moved_message(guard.path)
    return ""


def take_written(db: Database) -> tuple[int, str, str] | Literal[True] | None:
    """The (id, hash, time) of the newest audit event written since the last call, and
    forget it: after a commit the head file names it without reading the log again;
    after a rollback it is dropped. ``True``: events were written but which of them
    survived a savepoint's rollback is unknown (read the log); ``None``: none were."""
    return db.__dict__.pop(WRITTEN, None)


def forget_written(db: Database) -> None:
    if WRITTEN in db.__dict__:
        db.__dict__[WRITTEN] = True


def after_commit(db: Database, *, read_log: bool = False) -> None:
    """Hand the head writer the newest event when the commit added audit events."""
    written = take_written(db)
    if read_log:  # at open: the log as it stands, whoever wrote it
        written = True
    guard = guard_of(db)
    if guard is None or written is None:
        return
    anchor = _last_event(db.conn) if written is True else written
    if anchor[0] <= max(guard.head_id, guard.submitted_id):
        return
    guard.submitted_id = anchor[0]
    head_writer.writer().submit(guard, anchor)


class GuardedDatabase(SqliteDatabase):
    """The database ``open_db`` returns: closing it waits for its head file."""

    def close(self) -> None:
        flush(self)
        super().close()


def flush(db: Database) -> None:
    """Wait until the head file names the newest event this process committed (or
    its write failed, which ``guard.head_problem`` says)."""
    guard = guard_of(db)
    if guard is not None:
        head_writer.writer().flush(guard)


def check_head(conn: sqlite3.Connection, path: Path) -> None:
    """Raise ``LostTail`` when the head file names an event this database lacks or
    holds with another hash. A missing or unreadable head file is not an error here
    (the next commit writes one; ``verify`` reports an unreadable one)."""
    head_file = anchors.head_path(path)
    if not head_file.exists():
        return
    try:
        head = anchors.read_head_file(head_file)
    except anchors.AnchorUnreadable:
        return
    last_id = _last_event(conn)[0]
    if head.event_id > last_id:
        saved = f" (saved at {head.at})" if head.at else ""
        raise LostTail(
            f"{path}: the newest saves are missing. The head file {head_file} says audit "
            f"event {head.event_id} was saved{saved}, but the database ends at event "
            f"{last_id}: {head.event_id - last_id} audit event(s) of confirmed saves were "
            "lost (for example its -wal file was deleted or damaged after a crash, or an "
            "older copy was put in its place). Nothing was changed. Restore the newest "
            "backup (keep this file for inspection); if none holds the lost saves, "
            "re-enter them from paper after running `monitor-app accept-loss --db "
            f"{path} --reason \"...\"`, which records the loss in the audit log.")
    stored = conn.execute("SELECT hash FROM audit WHERE id = ?", [head.event_id]).fetchone()
    if stored is None or stored[0] != head.hash:
        raise LostTail(
            f"{path} does not match its head file {head_file}: audit event "
            f"{head.event_id} differs, so this is a different database or its history "
            "was rewritten outside the app. Nothing was changed. Run `monitor-app verify "
            f"--db {path}`; restore the newest backup, or run `monitor-app accept-loss "
            f"--db {path} --reason \"...\"` to continue with this file (recorded in the "
            "audit log).")


def head_vs_database(conn: sqlite3.Connection, path: Path) -> tuple[anchors.Anchor, int] | None:
    """(head file anchor, last event id) when the head file disagrees, else None."""
    try:
        check_head(conn, path)
    except LostTail:
        return anchors.read_head_file(anchors.head_path(path)), _last_event(conn)[0]
    return None


def _last_event(conn: sqlite3.Connection) -> tuple[int, str, str]:
    try:
        row = conn.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1"
                           ).fetchone()
    except sqlite3.OperationalError:  # no audit table yet (a new file)
        return 0, "", ""
    return (int(row[0]), str(row[1]), str(row[2])) if row else (0, "", "")
