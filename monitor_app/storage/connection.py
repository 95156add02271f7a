"""The database the app works with, without loading sqlite-utils at start.

The app uses little of ``sqlite_utils.Database``: ``execute``, ``conn``, ``atomic()``
(savepoints when nested), ``rollback()`` and ``close()``. ``SqliteDatabase`` is that,
with the same semantics as sqlite-utils 4.x (``Database(conn, execute_plugins=False)``,
which is how the app has always opened its file), so a cold start does not import
sqlite-utils with pluggy and click. Storage and services are annotated with the
``Database`` protocol, which both satisfy: tests may still pass
``sqlite_utils.Database(memory=True)``. sqlite-utils itself is loaded (``load_sqlite_utils``)
only where its table API is needed: applying migrations, and ``verify``'s copy of the
expected schema.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from types import ModuleType, TracebackType
from typing import Any, Protocol

Parameters = Sequence[Any] | dict[str, Any] | None


class Database(Protocol):
    """What the app uses of a database: ``SqliteDatabase`` or ``sqlite_utils.Database``."""

    conn: sqlite3.Connection

    def execute(self, sql: str, parameters: Parameters = None) -> sqlite3.Cursor: ...

    def atomic(self) -> AbstractContextManager[Any]: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


# Statements after which ``execute`` leaves an open transaction alone (sqlite-utils' list).
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})


class SqliteDatabase:
    """``sqlite_utils.Database(conn, execute_plugins=False)`` as far as the app uses it:
    ``PRAGMA recursive_triggers=on`` at creation, a write ``execute`` outside a
    transaction committed at once, ``atomic()`` a transaction or, nested, a savepoint.
    The connection keeps sqlite3's default (legacy) transaction handling."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.execute("PRAGMA recursive_triggers=on;")

    def __enter__(self) -> SqliteDatabase:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def execute(self, sql: str, parameters: Parameters = None) -> sqlite3.Cursor:
        was_in_transaction = self.conn.in_transaction
        try:
            if parameters is not None:
                cursor = self.conn.execute(sql, parameters)
            else:
                cursor = self.conn.execute(sql)
        except Exception:
            if not was_in_transaction and self.conn.in_transaction:
                # the implicit transaction the failed statement opened would catch
                # every later write
                self.conn.execute("ROLLBACK")
            raise
        if (not was_in_transaction and self.conn.in_transaction
                and cursor.description is None
                and first_keyword(sql) not in _TRANSACTION_CONTROL):
            self.conn.execute("COMMIT")  # a write outside a transaction stands alone
        return cursor

    @contextlib.contextmanager
    def atomic(self) -> Iterator[SqliteDatabase]:
        if self.conn.in_transaction:
            savepoint = f"sqlite_utils_{os.urandom(16).hex()}"  # as secrets.token_hex(16)
            self.conn.execute(f"SAVEPOINT {savepoint};")
            try:
                yield self
            except BaseException:
                # a RAISE(ROLLBACK) trigger may have ended the whole transaction: then
                # there is no savepoint left, and the original error must come out
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint};")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint};")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {savepoint};")
            return
        self.conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


def first_keyword(sql: str) -> str:
    """The first keyword of ``sql``, upper case, past whitespace, comments, bare ``;``
    and a byte order mark ("" when there is none), as sqlite-utils reads it."""
    i, n = 0, len(sql)
    while i < n:
        if sql[i].isspace() or sql[i] in (";", "\ufeff"):
            i += 1
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            if newline == -1:
                return ""
            i = newline + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                return ""
            i = end + 2
        else:
            break
    j = i
    while j < n and (sql[j].isalpha() or sql[j] == "_"):
        j += 1
    return sql[i:j].upper()


def load_sqlite_utils() -> ModuleType:
    """Import sqlite-utils (every import of it in the app goes through here first).

    sqlite-utils imports numpy (and pandas) when they are installed, only to map their
    scalar types to column types; the app never stores numpy values, and numpy costs
    ~0.3 s, so it is refused to this thread while sqlite-utils loads (the record check
    loads it on a worker thread: the GUI thread may import numpy meanwhile, for a
    chart). sqlite-utils also imports dateutil's parser (time zones, ctypes) for
    ``parsedate`` recipes the app never calls: about a third of its import time; it is
    registered as a lazy module, loaded on first use.
    """
    if "sqlite_utils" in sys.modules:
        return importlib.import_module("sqlite_utils")  # waits if another thread loads it
    _register_lazy("dateutil.parser")
    refuse = _RefuseOnThisThread(("numpy", "pandas"))
    sys.meta_path.insert(0, refuse)
    try:
        return importlib.import_module("sqlite_utils")
    finally:
        sys.meta_path.remove(refuse)


class _RefuseOnThisThread:
    """Makes the first import of ``names`` fail, on the thread that made it only."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.thread = threading.get_ident()

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> None:
        if fullname in self.names and threading.get_ident() == self.thread:
            raise ModuleNotFoundError(f"{fullname} is not loaded for sqlite-utils",
                                      name=fullname)
        return None


_lazy_lock = threading.Lock()


def _register_lazy(name: str) -> None:
    import importlib.util

    with _lazy_lock:
        if name in sys.modules:
            return
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
        # ``from package import name`` then finds it without the import machinery,
        # which would read the module's __spec__ and so load it at once.
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)
