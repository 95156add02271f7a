"""PIN checks counted inside the write transaction, and the key file's mark in the database.

``attempt_pin`` takes the write lock (``BEGIN IMMEDIATE``) before it reads the failure
count, checks the PIN while holding it and commits the new count, so any number of
stations (or threads) guessing at once are checked one after another: at most
``lock_at`` wrong PINs are ever checked, and once locked, even the right PIN is refused
without being checked. The lock is held for one PIN check (about 0.2 s).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from monitor_app.storage.connection import Database
from monitor_app.storage.repository_base import (
    fetch_rows,
    from_json,
    get_row,
    insert_row,
    to_json,
    transaction,
    update_row,
)

KEY_ID_SETTING = "keys.key_id"
# check(stored hash) -> (right PIN?, a new hash to store instead, or None)
PinCheck = Callable[[str | None], tuple[bool, str | None]]


class PinOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"  # locked before this attempt: the PIN was not checked
    INACTIVE = "inactive"


def attempt_pin(
    db: Database, staff_id: int, check: PinCheck, *, at: datetime, lock_at: int
) -> PinOutcome:
    """One PIN attempt for ``staff_id``: checked and counted in one write transaction.

    A wrong PIN adds one failure and locks the account when the count reaches
    ``lock_at``; a right one clears the count (and stores a re-hash when given).
    """
    with transaction(db):
        before = get_row(db, "staff", staff_id, "staff member")
        if not before["active"]:
            return PinOutcome.INACTIVE
        if before["locked"]:
            return PinOutcome.LOCKED
        ok, new_hash = check(before["pin_hash"])
        if ok:
            changes: dict[str, object] = {}
            if before["failed_attempts"]:
                changes["failed_attempts"] = 0
            if new_hash:
                changes["pin_hash"] = new_hash
            update_row(db, "staff", staff_id, changes,
                       action="pin_rehash" if new_hash else "pin_success",
                       actor_id=staff_id, at=at, before=before)
            return PinOutcome.OK
        failures = before["failed_attempts"] + 1
        changes = {"failed_attempts": failures}
        if failures >= lock_at:
            changes["locked"] = 1
        update_row(db, "staff", staff_id, changes, action="pin_failure", actor_id=staff_id,
                   at=at, before=before)
        return PinOutcome.WRONG


def stored_key_id(db: Database) -> str | None:
    found = db.execute('SELECT "value" FROM settings WHERE "key" = ?',
                       [KEY_ID_SETTING]).fetchone()
    return str(from_json(found[0], "")) or None if found else None


def adopt_key_file(
    db: Database, key_id: str, wrap: Callable[[str | None], str | None], *, at: datetime
) -> int:
    """Record the key file's id and wrap every first-format PIN hash with its pepper,
    in one transaction. Returns how many hashes were wrapped."""
    wrapped = 0
    with transaction(db):
        if stored_key_id(db) is None:
            insert_row(db, "settings", {"key": KEY_ID_SETTING, "value": to_json(key_id)},
                       action="adopt_key_file", actor_id=None, at=at)
        for row in fetch_rows(db, "SELECT id, pin_hash FROM staff ORDER BY id"):
            new = wrap(row["pin_hash"])
            if new is not None:
                update_row(db, "staff", row["id"], {"pin_hash": new}, action="pepper_pin",
                           actor_id=None, at=at)
                wrapped += 1
    return wrapped
