"""The one list of the app's migrations, and applying it to a database."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database, Migrations

MIGRATION_SET = "monitor_app"
migrations = Migrations(MIGRATION_SET)


def apply_migrations(db: Database, *, stop_before: str | Iterable[str] | None = None) -> None:
    """Apply every pending migration (or those before ``stop_before``, for tests)."""
    migrations.apply(db, stop_before=stop_before)


def pending_migrations(db: Database) -> list[str]:
    return [migration.name for migration in migrations.pending(db)]
