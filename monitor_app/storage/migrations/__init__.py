"""The schema, as an ordered list of migrations (sqlite-utils ``Migrations``, set "monitor_app").

Each migration runs in its own transaction together with the record that it was
applied, so an older database is upgraded in place when it is opened, and a failed
upgrade leaves it as it was. Never edit, rename or reorder a migration that has
shipped: add a new one.

Where things are: ``runner`` holds the list and applies it; ``rules`` builds the SQL of
the append-only and signed-lock triggers; each ``mNNN_*`` module holds the migrations
from number NNN on, in the order they run. NEW MIGRATIONS GO AT THE END OF THE LAST
``mNNN_*`` MODULE (today ``m005_additions``), AND THEIR NAMES AT THE END OF
``storage/migration_names.py`` (an up-to-date file is recognised from those names
alone, without loading this package); when the module nears 400 lines, start
``mNNN_<what>.py`` named for its first migration and import it last below.

This package loads sqlite-utils (through ``connection.load_sqlite_utils``): import it
only where the schema needs work, never on the way to an up-to-date board.

Rules for later migrations:

- a migration that adds or changes a column of an audited table must recreate the
  triggers that list columns (``observations_void_only``, ``overrides_void_only``,
  ``checklist_answers_supersede_only``, ``episodes_fixed_columns``) and record a
  "migrate" audit event for each changed row (``audit.snapshot_rows``), or
  ``audit.verify`` will report every row as changed outside the app;
- SQL statements run one at a time (``executescript`` would commit half a migration).
"""

from __future__ import annotations

from monitor_app.storage.connection import load_sqlite_utils

load_sqlite_utils()  # before the step modules import it: numpy hidden, dateutil lazy

# Importing a step module registers its migrations: the order of these imports is the
# order in which the migrations run (the numbers in the names keep them sorted).
from monitor_app.storage.migrations import m001_first_release, m005_additions  # noqa: E402
from monitor_app.storage.migrations.runner import (  # noqa: E402
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
