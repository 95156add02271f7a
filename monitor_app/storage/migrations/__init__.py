"""The schema, as an ordered list of migrations (sqlite-utils ``Migrations``, set "monitor_app").

Each migration runs in its own transaction together with the record that it was
applied, so an older database is upgraded in place when it is opened, and a failed
upgrade leaves it as it was. Never edit, rename or reorder a migration that has
shipped: add a new one.

Where things are: ``runner`` holds the list and applies it; ``rules`` builds the SQL of
the append-only and signed-lock triggers; each ``mNNN_*`` module holds the migrations
from number NNN on, in the order they run. NEW MIGRATIONS GO AT THE END OF THE LAST
``mNNN_*`` MODULE (today ``m005_additions``); when it nears 400 lines, start
``mNNN_<what>.py`` named for its first migration and import it last below.

Rules for later migrations:

- a migration that adds or changes a column of an audited table must recreate the
  triggers that list columns (``observations_void_only``, ``overrides_void_only``,
  ``checklist_answers_supersede_only``, ``episodes_fixed_columns``) and record a
  "migrate" audit event for each changed row (``audit.snapshot_rows``), or
  ``audit.verify`` will report every row as changed outside the app;
- SQL statements run one at a time (``executescript`` would commit half a migration).
"""

from __future__ import annotations

# Importing a step module registers its migrations: the order of these imports is the
# order in which the migrations run (the numbers in the names keep them sorted).
from monitor_app.storage.migrations import m001_first_release, m005_additions
from monitor_app.storage.migrations.runner import (
    MIGRATION_SET,
    apply_migrations,
    migrations,
    pending_migrations,
)

__all__ = [
    "MIGRATION_SET",
    "apply_migrations",
    "m001_first_release",
    "m005_additions",
    "migrations",
    "pending_migrations",
]
