"""Consistent copies of the database with SQLite's online backup API (safe while in use)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from monitor_app.storage.db import make_private_dirs, translate_error


def backup_database(db: sqlite_utils.Database, dest: Path) -> Path:
    """Copy ``db`` to ``dest`` (mode 0600), then check the copy with ``quick_check``.

    Written to a temporary name first and renamed, so a half-written copy never looks
    like a backup.
    """
    dest = Path(dest)
    make_private_dirs(dest.parent)
    tmp = dest.with_name(f".{dest.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        target = sqlite3.connect(str(tmp))
        try:
            db.conn.backup(target, pages=1024)
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


def prune_backups(folder: Path, keep: int, pattern: str = "*.db") -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; returns what was removed.

    Newest by name: backup names carry their time stamp (YYYYmmdd-HHMMSS)."""
    backups = sorted(folder.glob(pattern), key=lambda p: p.name, reverse=True)
    removed = backups[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
