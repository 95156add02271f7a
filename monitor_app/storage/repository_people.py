"""Staff and patients. Nobody is ever deleted; every change is audited."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from monitor_app.domain.models import Patient, Role, Staff, ValidationError
from monitor_app.domain.text import mrn_key
from monitor_app.storage.connection import Database
from monitor_app.storage.db import utc_text
from monitor_app.storage.repository_base import (
    UNSET,
    Row,
    fetch_row,
    fetch_rows,
    get_row,
    ids_json,
    insert_row,
    transaction,
    update_row,
)

DEFAULT_LOCK_AFTER = 5

# --- staff --------------------------------------------------------------------------


def _staff(row: Row) -> Staff:
    return Staff(
        id=row["id"],
        name=row["name"],
        credentials=row["credentials"],
        role=Role(row["role"]),
        active=bool(row["active"]),
        failed_attempts=row["failed_attempts"],
        locked=bool(row["locked"]),
    )


def _clean_name(name: str, field: str = "name") -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError(field, "enter a name")
    return cleaned


def _refuse_taken_name(db: Database, name: str, staff_id: int | None = None) -> None:
    """Names tell staff apart on the sign-in list and on every signed record, so two
    members never share one (compared without case, accents or extra spaces)."""
    key = search_key(name)
    for row in fetch_rows(db, "SELECT id, name, active FROM staff"):
        if row["id"] != staff_id and search_key(row["name"]) == key:
            where = ("" if row["active"] else
                     " (inactive: make them active again instead of adding them)")
            raise ValidationError("name", f"{row['name']} is already on the staff list"
                                  f"{where}; add a middle initial to tell them apart")


def add_staff(
    db: Database,
    name: str,
    credentials: str,
    role: Role,
    *,
    actor_id: int | None,
    at: datetime,
    pin_hash: str | None = None,
) -> Staff:
    """A new member of staff (``actor_id`` None only for the first administrator)."""
    name = _clean_name(name)
    values = {
        "name": name,
        "credentials": credentials.strip(),
        "role": Role(role).value,
        "active": 1,
        "pin_hash": pin_hash,
        "failed_attempts": 0,
        "locked": 0,
    }
    with transaction(db):
        _refuse_taken_name(db, name)
        row = insert_row(db, "staff", values, action="add_staff", actor_id=actor_id, at=at)
    return _staff(row)


def update_staff(
    db: Database,
    staff_id: int,
    *,
    actor_id: int,
    at: datetime,
    name: str = UNSET,
    credentials: str = UNSET,
    role: Role = UNSET,
    active: bool = UNSET,
) -> Staff:
    """Change name, credentials, role or active; a leaver is made inactive, never deleted."""
    changes: Row = {}
    if name is not UNSET:
        changes["name"] = _clean_name(name)
    if credentials is not UNSET:
        changes["credentials"] = credentials.strip()
    if role is not UNSET:
        changes["role"] = Role(role).value
    if active is not UNSET:
        changes["active"] = int(bool(active))
    with transaction(db):
        if "name" in changes:
            _refuse_taken_name(db, changes["name"], staff_id)
        row = update_row(db, "staff", staff_id, changes, action="update_staff",
                         actor_id=actor_id, at=at)
    return _staff(row)


def set_pin_hash(
    db: Database, staff_id: int, pin_hash: str, *, actor_id: int, at: datetime
) -> Staff:
    """Store a new PIN hash (made by ``domain.pins.hash_pin``); clears failures and lock."""
    with transaction(db):
        row = update_row(db, "staff", staff_id,
                         {"pin_hash": pin_hash, "failed_attempts": 0, "locked": 0},
                         action="set_pin", actor_id=actor_id, at=at)
    return _staff(row)


def record_pin_failure(
    db: Database,
    staff_id: int,
    *,
    at: datetime,
    actor_id: int | None = None,
    lock_at: int = DEFAULT_LOCK_AFTER,
) -> Staff:
    """Count one wrong PIN; the account locks when the count reaches ``lock_at``.

    The actor is the person whose PIN was tried unless ``actor_id`` says otherwise.
    """
    with transaction(db):
        before = get_row(db, "staff", staff_id, "staff member")
        failures = before["failed_attempts"] + 1
        changes = {"failed_attempts": failures}
        if failures >= lock_at:
            changes["locked"] = 1
        row = update_row(db, "staff", staff_id, changes, action="pin_failure",
                         actor_id=staff_id if actor_id is None else actor_id, at=at,
                         before=before)
    return _staff(row)


def record_pin_success(
    db: Database, staff_id: int, *, at: datetime, actor_id: int | None = None
) -> Staff:
    """Reset the failure count after a right PIN (no write when it is already 0).

    A locked account stays locked, with its count, until ``unlock_staff``.
    """
    with transaction(db):
        before = get_row(db, "staff", staff_id, "staff member")
        reset = before["failed_attempts"] and not before["locked"]
        changes = {"failed_attempts": 0} if reset else {}
        row = update_row(db, "staff", staff_id, changes, action="pin_success",
                         actor_id=staff_id if actor_id is None else actor_id, at=at,
                         before=before)
    return _staff(row)


def unlock_staff(db: Database, staff_id: int, *, actor_id: int, at: datetime) -> Staff:
    with transaction(db):
        row = update_row(db, "staff", staff_id, {"locked": 0, "failed_attempts": 0},
                         action="unlock_staff", actor_id=actor_id, at=at)
    return _staff(row)


def unlock_staff_locally(
    db: Database, staff_id: int, *, os_user: str, host: str, at: datetime,
    pin_hash: str | None = None,
) -> Staff:
    """Unlock (and optionally give a new PIN) from the computer, without a PIN.

    No staff member acts: the row in ``local_admin_actions`` names the operating-system
    user and host, and it is audited with the change in one transaction.
    """
    changes: Row = {"locked": 0, "failed_attempts": 0}
    if pin_hash is not None:
        changes["pin_hash"] = pin_hash
    with transaction(db):
        get_row(db, "staff", staff_id, "staff member")
        insert_row(db, "local_admin_actions", {
            "at": utc_text(at),
            "action": "unlock" if pin_hash is None else "unlock_and_reset_pin",
            "staff_id": staff_id, "os_user": os_user, "host": host,
        }, action="unlock_cli", actor_id=None, at=at)
        row = update_row(db, "staff", staff_id, changes, action="unlock_cli",
                         actor_id=None, at=at)
    return _staff(row)


def get_staff(db: Database, staff_id: int) -> Staff | None:
    row = fetch_row(db, "staff", staff_id)
    return _staff(row) if row else None


def list_staff(db: Database, *, include_inactive: bool = False) -> list[Staff]:
    where = "" if include_inactive else "WHERE active = 1"
    rows = fetch_rows(db, f"SELECT * FROM staff {where} ORDER BY name COLLATE NOCASE, id")
    return [_staff(row) for row in rows]


def get_pin_hash(db: Database, staff_id: int) -> str | None:
    found = db.execute("SELECT pin_hash FROM staff WHERE id = ?", [staff_id]).fetchone()
    return found[0] if found else None


# --- patients -----------------------------------------------------------------------


def search_key(text: str) -> str:
    """Lower case without accents, so "jose" finds "José" and "NUNEZ" finds "Núñez"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _patient(row: Row) -> Patient:
    return Patient(
        id=row["id"],
        mrn=row["mrn"],
        name=row["name"],
        dob=date.fromisoformat(row["dob"]),
        sex=row["sex"],
    )


def add_patient(
    db: Database,
    mrn: str,
    name: str,
    dob: date,
    sex: str = "",
    *,
    actor_id: int,
    at: datetime,
) -> Patient:
    """Register a patient; a second patient with the same MRN is refused."""
    mrn = mrn.strip()
    if not mrn:
        raise ValidationError("mrn", "enter the medical record number")
    name = _clean_name(name)
    values = {"mrn": mrn, "name": name, "name_key": search_key(name),
              "dob": dob.isoformat(), "sex": sex.strip()}
    key = mrn_key(mrn)
    with transaction(db):
        taken = mrn_taken(db, mrn)
        if taken:
            raise ValidationError("mrn", taken)
        row = insert_row(db, "patients", values, action="add_patient", actor_id=actor_id, at=at)
        db.execute("INSERT INTO _patient_mrn_keys (patient_id, mrn_key) VALUES (?, ?)",
                   [row["id"], key])
    return _patient(row)


def mrn_taken(db: Database, mrn: str) -> str:
    """Why ``mrn`` cannot be registered (it or a look-alike is someone's), or ""."""
    mrn = mrn.strip()
    taken = db.execute("SELECT mrn, name FROM patients WHERE mrn = ? OR id IN (SELECT "
                       "patient_id FROM _patient_mrn_keys WHERE mrn_key = ?) LIMIT 1",
                       [mrn, mrn_key(mrn)]).fetchone()
    if not taken:
        return ""
    same = "" if taken[0] == mrn else f" as {taken[0]}"
    return f"MRN {mrn} is already registered{same} (to {taken[1]})"


def registered_as(db: Database, name: str, dob: date) -> str:
    """The MRN of a patient already registered with this name (without case, accents or
    extra spaces) and date of birth, or ""."""
    row = db.execute("SELECT mrn FROM patients WHERE name_key = ? AND dob = ? LIMIT 1",
                     [search_key(name), dob.isoformat()]).fetchone()
    return str(row[0]) if row else ""


def get_patient(db: Database, patient_id: int) -> Patient | None:
    row = fetch_row(db, "patients", patient_id)
    return _patient(row) if row else None


def get_patient_by_mrn(db: Database, mrn: str) -> Patient | None:
    rows = fetch_rows(db, "SELECT * FROM patients WHERE mrn = ?", [mrn.strip()])
    return _patient(rows[0]) if rows else None


def get_patients(db: Database, patient_ids: Iterable[int]) -> dict[int, Patient]:
    rows = fetch_rows(
        db, "SELECT * FROM patients WHERE id IN (SELECT value FROM json_each(?))",
        [ids_json(patient_ids)],
    )
    return {row["id"]: _patient(row) for row in rows}


def find_patients(db: Database, query: str, *, limit: int = 50) -> list[Patient]:
    """Patients whose MRN starts with ``query`` or is ``query`` in another spelling
    ("mrn 0042" finds "MRN-0042"), or the words of whose name start with the words of
    ``query`` ("smi jo" finds "John Smith"; "jose" finds "José").

    MRN matches come first, then by name. Both are index look-ups (the MRN index and
    the ``_patient_search`` full-text index), so the cost follows the number of
    matches, not the number of patients the clinic has seen.
    """
    query = query.strip()
    if not query:
        return []
    high = query + "\U0010ffff"
    words = re.findall(r"\w+", search_key(query))
    match = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
    by_name = "UNION SELECT rowid FROM _patient_search WHERE _patient_search MATCH ?"
    rows = fetch_rows(
        db,
        f"""SELECT * FROM patients WHERE id IN (
                SELECT id FROM patients WHERE mrn >= ? AND mrn < ?
                UNION SELECT patient_id FROM _patient_mrn_keys WHERE mrn_key = ?
                {by_name if match else ""}
            )
            ORDER BY (mrn >= ? AND mrn < ?) DESC, name_key, id
            LIMIT ?""",
        [query, high, mrn_key(query), *([match] if match else []), query, high, limit],
    )
    return [_patient(row) for row in rows]
