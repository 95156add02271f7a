"""The names of the app's migrations, in the order they run, without loading them.

Opening an up-to-date file compares these with the names its ``_sqlite_migrations``
table holds (one plain read), so a cold start needs neither the migrations nor
sqlite-utils. A new migration adds its name at the end here too;
``tests/storage/test_migration_names.py`` and ``runner.apply_migrations`` fail when
this list and the registered migrations differ.

It also holds the query that defines the derived ``_rems_unfiled``, which both its
migration (m018, to fill it) and ``verify`` (``record_check``, to compare it) run:
one text, so the two cannot drift.
"""

from __future__ import annotations

import sqlite3

MIGRATION_SET = "monitor_app"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' bookkeeping (Migrations.migrations_table)

MIGRATION_NAMES = (
    "m001_tables",
    "m002_indexes",
    "m003_append_only",
    "m004_signed_lock",
    "m005_patient_search",
    "m006_mrn_keys",
    "m007_one_active_episode",
    "m008_alert_responses",
    "m009_episode_entry",
    "m010_accepted_losses",
    "m011_local_admin_actions",
    "m012_observation_source",
    "m013_observation_lock_first",
    "m014_rems_submissions",
    "m015_episodes_closed_index",
    "m016_monitor_pending",
    "m017_patient_search_prefixes",
    "m018_rems_unfiled",
)

# Signed sessions whose latest filing note (if any) is not a filing: what m018 fills
# ``_rems_unfiled`` with (triggers keep it so) and what verify compares the table with.
REMS_UNFILED_SOURCE = (
    "SELECT e.id, e.protocol_id FROM episodes AS e WHERE EXISTS (SELECT 1 FROM signatures "
    "AS s WHERE s.episode_id = e.id AND s.kind = 'discharge') AND coalesce((SELECT r.kind "
    "FROM rems_submissions AS r WHERE r.episode_id = e.id ORDER BY r.id DESC LIMIT 1), '') "
    "<> 'submitted' ORDER BY e.id")


def applied_migrations(conn: sqlite3.Connection) -> list[str] | None:
    """The names of the app's migrations applied to the file, in the order they were
    applied; None when it has no table of applied migrations (a new file)."""
    try:
        return [name for (name,) in conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
            [MIGRATION_SET])]
    except sqlite3.OperationalError:
        return None


def schema_behind(conn: sqlite3.Connection) -> bool:
    """Whether any of the app's migrations is still to be applied to the file."""
    applied = applied_migrations(conn)
    return applied is None or not set(MIGRATION_NAMES) <= set(applied)
