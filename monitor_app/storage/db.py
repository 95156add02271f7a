"""Open the clinic database safely, or refuse with a message a person can act on.

``open_db`` never overwrites, truncates or "repairs" a file: a file that is not a
SQLite database, or that fails ``PRAGMA quick_check``, is refused with
``StorageError`` and left exactly as it was, so the latest backup can be restored
and the damaged file kept for inspection.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from monitor_app.errors import ChangeRefused as ChangeRefused
from monitor_app.errors import DatabaseBusy as DatabaseBusy
from monitor_app.errors import StorageError as StorageError
from monitor_app.storage.connection import Database, SqliteDatabase
from monitor_app.storage.migration_names import schema_behind
from monitor_app.storage.times import parse_utc as parse_utc
from monitor_app.storage.times import utc_text as utc_text

BUSY_TIMEOUT_S = 5.0


def open_db(
    path: Path | str,
    *,
    busy_timeout: float = BUSY_TIMEOUT_S,
    migrate: bool = True,
    defer_quick_check: bool = False,
    check_head: bool = True,
) -> SqliteDatabase:
    """Open (or create) the database at ``path`` and bring its schema up to date.

    New folder: mode 0700; new file: mode 0600. Pragmas: WAL, synchronous=FULL,
    foreign_keys=ON, busy_timeout. Raises ``StorageError`` (``DatabaseBusy`` when
    another program holds the lock) instead of touching a file it cannot trust.
    A database that lacks saves its head file records is refused (``LostTail``)
    unless ``check_head`` is False (only ``accept-loss`` opens it that way).
    An up-to-date file is recognised from the names of its applied migrations; only
    a new or older one loads the migrations (and sqlite-utils) to be upgraded.
    """
    from monitor_app.storage import file_guard

    path = Path(path)
    _prepare_file(path)
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from exc
    try:
        if defer_quick_check:
            _check_readable(conn, path)
        else:
            _check_integrity(conn, path)
        _set_pragmas(conn, path, busy_timeout)
        if check_head:
            with storage_errors(path):
                file_guard.check_head(conn, path)
        db = file_guard.GuardedDatabase(conn)
        file_guard.attach(db, path)
        if migrate:
            with storage_errors(path):
                if schema_behind(conn):
                    if defer_quick_check:
                        _check_integrity(conn, path)  # never upgrade a file not yet checked
                    from monitor_app.storage import migrations

                    migrations.apply_migrations(db)
        # A head file for a file that had none, or that was just migrated.
        file_guard.after_commit(db, read_log=True)
    except BaseException:
        conn.close()
        raise
    return db


def database_path(db: Database) -> Path | None:
    """The file behind ``db`` (None for an in-memory database)."""
    for _seq, name, filename in db.conn.execute("PRAGMA database_list"):
        if name == "main":
            return Path(filename) if filename else None
    return None


def translate_error(exc: sqlite3.Error, path: Path | str | None) -> StorageError:
    """Turn a low-level sqlite3 error into a ``StorageError`` that says what to do."""
    where = str(path) if path else "the database"
    text = str(exc)
    low = text.lower()
    if "database is locked" in low or "database table is locked" in low:
        return DatabaseBusy(
            f"{where} is in use by another program (database is locked). "
            "Wait a moment and try again; if it persists, close other copies of the app "
            "or any tool that has the database open."
        )
    if "database or disk is full" in low or "disk i/o error" in low:
        return StorageError(
            f"could not write to {where}: the disk is full or failing ({text}). "
            "Free some space on the disk (or move the database to a disk with space) "
            "and try again; nothing was saved from the last action."
        )
    if "readonly" in low or "read-only" in low:
        return StorageError(
            f"cannot write to {where}: it is read-only ({text}). Check the permissions "
            "of the file and its folder, or open a writable copy."
        )
    if "unable to open" in low:
        return StorageError(
            f"cannot open {where} ({text}). Check that the folder exists and that you "
            "may read and write it (check its permissions)."
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return StorageError(
            f"{where} is damaged or is not a SQLite database ({text}). It has not been "
            "changed. Restore the latest backup; keep the damaged file for inspection."
        )
    if "signed and locked" in low or "never changed" in low or "never deleted" in low:
        return ChangeRefused(text)
    return StorageError(f"database error in {where}: {text}")


@contextlib.contextmanager
def storage_errors(path: Path | str | None) -> Iterator[None]:
    """Re-raise sqlite3 operational and integrity-trigger errors as ``StorageError``."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise translate_error(exc, path) from exc
    except sqlite3.DatabaseError as exc:
        translated = translate_error(exc, path)
        if isinstance(exc, sqlite3.IntegrityError) and not isinstance(
            translated, ChangeRefused
        ):
            raise  # a constraint the caller may want to inspect (UNIQUE, FOREIGN KEY)
        raise translated from exc


def _prepare_file(path: Path) -> None:
    folder = path.parent
    if not folder.exists():
        try:
            make_private_dirs(folder)
        except OSError as exc:
            raise StorageError(
                f"cannot create the folder {folder} for the database ({exc.strerror}). "
                "Check the path and its permissions."
            ) from exc
    if not folder.is_dir():
        raise StorageError(f"{folder} is not a folder; cannot keep the database {path} there.")
    if path.exists():
        _check_existing(path)
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot create {path}: the folder {folder} is read-only. Choose a writable "
            "folder or fix its permissions."
        )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _check_existing(path)  # created by someone else in between: check it like any other
        return
    except OSError as exc:
        raise StorageError(f"cannot create {path} ({exc.strerror}).") from exc
    os.close(fd)


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and every missing parent with mode 0700 (owner only).

    ``Path.mkdir(parents=True, mode=...)`` gives the mode to the last folder only; the
    parents it creates get the umask default (often 0755), readable by everyone.
    """
    folder = Path(folder)
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:
            if not new.is_dir():
                raise
            continue
        os.chmod(new, 0o700)


def _check_existing(path: Path) -> None:
    if not path.is_file():
        raise StorageError(f"{path} is not a file. Point the app at a database file.")
    if path.stat().st_size and not is_sqlite_file(path):
        raise StorageError(
            f"{path} is not a SQLite database (it may be damaged, or a different kind of "
            "file). It has not been changed. Restore the latest backup, or move this file "
            "away to start a new database."
        )
    if not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(
            f"cannot write to {path}: the file is read-only. Check its permissions, or "
            "open a writable copy."
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot use {path}: its folder {path.parent} is read-only, and the database "
            "needs to write its journal there. Fix the folder's permissions."
        )


def is_sqlite_file(path: Path) -> bool:
    """Whether the (non-empty) file at ``path`` is a SQLite database (maybe damaged).

    Asked through SQLite, never by reading the file with Python: closing ANY
    descriptor of a file drops every POSIX lock this process holds on it, the app's
    own connection's too, and the next program to close the database would then
    delete the ``-wal`` the app is still writing to. SQLite shares one lock record
    per file within the process and keeps such descriptors open until it is safe.
    """
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read {path} ({exc})") from exc
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        # Any other error is a SQLite file that is damaged: the integrity checks name it.
        return "not a database" not in str(exc)
    finally:
        conn.close()
    return True


def check_integrity(path: Path | str) -> None:
    """``PRAGMA quick_check`` on its own read-only connection (safe in a thread)."""
    path = Path(path)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from exc
    try:
        _check_integrity(conn, path)
    finally:
        conn.close()


def _check_readable(conn: sqlite3.Connection, path: Path) -> None:
    """The cheap part of the check: the schema reads, so this is a SQLite database."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        raise translate_error(exc, path) from exc
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            f"{path} is damaged or is not a SQLite database ({exc}). It has not been "
            "changed. Restore the latest backup; keep the damaged file for inspection."
        ) from exc


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Read-only checks, before anything that could write to the file."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        raise translate_error(exc, path) from exc
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            f"{path} is damaged ({exc}). It has not been changed. Restore the latest "
            "backup; keep the damaged file for inspection."
        ) from exc
    problems = [str(row[0]) for row in rows]
    if problems != ["ok"]:
        shown = "; ".join(problems[:3]) + (" ..." if len(problems) > 3 else "")
        raise StorageError(
            f"{path} is damaged (quick_check: {shown}). It has not been changed. Restore "
            "the latest backup; keep the damaged file for inspection."
        )


def _set_pragmas(conn: sqlite3.Connection, path: Path, busy_timeout: float) -> None:
    with storage_errors(path):
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError(
                f"cannot switch {path} to write-ahead logging (journal mode stays {mode}). "
                "Check that the file and its folder are writable and on a local disk."
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
