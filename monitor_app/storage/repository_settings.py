"""The settings table: JSON values under keys, every change audited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from monitor_app.storage.connection import Database
from monitor_app.storage.repository_base import (
    from_json,
    insert_row,
    to_json,
    transaction,
    update_row,
)


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    found = db.execute('SELECT "value" FROM settings WHERE "key" = ?', [key]).fetchone()
    return from_json(found[0], default) if found else default


def set_setting(db: Database, key: str, value: Any, *, actor_id: int | None, at: datetime) -> None:
    """Store any JSON-able value under ``key`` (audited; no write when unchanged)."""
    set_settings(db, {key: value}, actor_id=actor_id, at=at)


def set_settings(
    db: Database, values: Mapping[str, Any], *, actor_id: int | None, at: datetime
) -> None:
    """Store several settings in one transaction."""
    with transaction(db):
        for key, value in values.items():
            text = to_json(value)
            found = db.execute(
                'SELECT id, "value" FROM settings WHERE "key" = ?', [key]
            ).fetchone()
            if found is None:
                insert_row(db, "settings", {"key": key, "value": text}, action="set_setting",
                           actor_id=actor_id, at=at)
            elif found[1] != text:
                update_row(db, "settings", found[0], {"value": text}, action="set_setting",
                           actor_id=actor_id, at=at)


def all_settings(db: Database) -> dict[str, Any]:
    return {
        key: from_json(value, None)
        for key, value in db.execute('SELECT "key", "value" FROM settings ORDER BY "key"')
    }
