"""The one list of the app's migrations, and applying it to a database."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database as UtilsDatabase
from sqlite_utils import Migrations

from monitor_app.storage.connection import Database
from monitor_app.storage.migration_names import MIGRATION_NAMES, MIGRATION_SET

__all__ = ["MIGRATION_SET", "apply_migrations", "migrations", "pending_migrations"]

migrations = Migrations(MIGRATION_SET)


def apply_migrations(db: Database, *, stop_before: str | Iterable[str] | None = None) -> None:
    """Apply every pending migration (or those before ``stop_before``, for tests)."""
    registered = tuple(migration.name for migration in migrations.pending(_memory()))
    if registered != MIGRATION_NAMES:
        raise RuntimeError("storage/migration_names.py does not list the registered "
                           f"migrations {registered}: add the new one's name there")
    migrations.apply(utils_database(db), stop_before=stop_before)


def pending_migrations(db: Database) -> list[str]:
    return [migration.name for migration in migrations.pending(utils_database(db))]


def utils_database(db: Database) -> UtilsDatabase:
    """``db`` as a ``sqlite_utils.Database`` (the app's own, on the same connection)."""
    if isinstance(db, UtilsDatabase):
        return db
    return UtilsDatabase(db.conn, execute_plugins=False)


def _memory() -> UtilsDatabase:
    return UtilsDatabase(memory=True, execute_plugins=False)
