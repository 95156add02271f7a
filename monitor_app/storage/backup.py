"""Consistent copies of the database with SQLite's online backup API (safe while in use)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from monitor_app.storage import file_guard
from monitor_app.storage.connection import Database
from monitor_app.storage.db import make_private_dirs, translate_error


def backup_database(db: Database, dest: Path) -> Path:
    """Copy ``db`` to ``dest`` (mode 0600), then check the copy with ``quick_check``.

    Written to a temporary name first and renamed, so a half-written copy never looks
    like a backup.
    """
    file_guard.flush(db)  # the head file beside it names what the copy holds
    return _write_copy(db.conn, Path(dest), pages=1024)


def backup_file(source: Path, dest: Path, busy_timeout: float = 30.0) -> Path:
    """Copy the database file ``source`` to ``dest`` like ``backup_database``, on a
    connection of its own (so any thread may run it). One read transaction holds the
    snapshot for the whole copy: saves made meanwhile (WAL) are committed and are not
    in this copy, which restarts for none of them. The caller flushes the head file."""
    try:
        conn = sqlite3.connect(str(source), timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise translate_error(exc, Path(source)) from exc
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot
        return _write_copy(conn, Path(dest), pages=-1)
    finally:
        conn.close()


def copy_pages(source: sqlite3.Connection, target: sqlite3.Connection, pages: int) -> None:
    """The copy itself (the step tests hold to see what runs meanwhile)."""
    source.backup(target, pages=pages)


def _write_copy(source: sqlite3.Connection, dest: Path, pages: int) -> Path:
    make_private_dirs(dest.parent)
    tmp = dest.with_name(f".{dest.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        target = sqlite3.connect(str(tmp))
        try:
            copy_pages(source, target, pages)
            target.execute("PRAGMA journal_mode=DELETE")
            ok = target.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            target.close()
        if ok != "ok":
            raise OSError(f"the backup copy failed its integrity check: {ok}")
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise translate_error(exc, dest) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def creation_order(path: Path) -> tuple[int, int, str]:
    """Sort key, oldest first: when the copy was written (its file time, set once by
    ``backup_database``), then the counter a same-second name carries ("-2", "-3").
    Not the time stamp in the name alone: two copies made in the same second, or made
    after the computer's clock was stepped back, would sort before older ones."""
    try:
        written = path.stat().st_mtime_ns
    except OSError:
        written = 0
    match = re.search(r"-(\d+)\.db$", path.name)
    counter = int(match.group(1)) if match and len(match.group(1)) < 6 else 1
    return written, counter, path.name


def newest_first(paths: list[Path]) -> list[Path]:
    return sorted(paths, key=creation_order, reverse=True)


def prune_backups(folder: Path, keep: int, pattern: str = "*.db",
                  just_made: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; returns what was removed.

    Newest by time of creation (``creation_order``); ``just_made`` is always kept, so
    a clock stepped back can never delete the copy that was just written."""
    backups = newest_first(list(folder.glob(pattern)))
    if just_made is not None and just_made in backups:
        backups.remove(just_made)
        backups.insert(0, just_made)
    removed = backups[max(keep, 1):]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
