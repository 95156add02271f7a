"""Episodes: the readable number, phases and pre-sign edits.

Once an episode has a discharge signature the database refuses any change to it or
to its records (triggers); ``ensure_unlocked`` only says so first, naming the episode.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from monitor_app.domain.models import (
    Episode,
    Escort,
    Phase,
    ValidationError,
)
from monitor_app.storage.connection import Database
from monitor_app.storage.db import ChangeRefused, parse_utc, utc_text
from monitor_app.storage.repository_base import (
    UNSET,
    Row,
    fetch_row,
    fetch_rows,
    from_json,
    get_row,
    insert_row,
    to_json,
    transaction,
    update_row,
)

ACTIVE_PHASES = (Phase.PRECHECK, Phase.DOSING, Phase.RECOVERY, Phase.READY)

# --- episodes -----------------------------------------------------------------------


def _episode(row: Row) -> Episode:
    return Episode(
        id=row["id"],
        number=row["number"],
        patient_id=row["patient_id"],
        protocol_id=row["protocol_id"],
        protocol_version=row["protocol_version"],
        chair=row["chair"],
        weight_kg=row["weight_kg"],
        dose_mg=row["dose_mg"],
        phase=Phase(row["phase"]),
        created_at=parse_utc(row["created_at"]),
        created_by=row["created_by"],
        escort=Escort(row["escort_name"], row["escort_relationship"], row["escort_phone"]),
        lot_number=row["lot_number"],
        precheck=from_json(row["precheck"], {}),
        dosing_start=parse_utc(row["dosing_start"]),
        dosing_end=parse_utc(row["dosing_end"]),
        closed_at=parse_utc(row["closed_at"]),
        predose_ack_by=row["predose_ack_by"],
        closed_reason=row["closed_reason"],
        # .get: a file not yet upgraded (m009) has no such columns
        dose_reason=row.get("dose_reason", ""),
        dosing_start_entered_at=parse_utc(row.get("dosing_start_entered_at")),
        dosing_end_entered_at=parse_utc(row.get("dosing_end_entered_at")),
    )


def _next_number(db: Database, year: int) -> str:
    prefix = f"E-{year}-"
    found = db.execute(
        "SELECT number FROM episodes WHERE number >= ? AND number < ? "
        "ORDER BY length(number) DESC, number DESC LIMIT 1",
        [prefix, f"E-{year}."],
    ).fetchone()
    sequence = int(found[0][len(prefix):]) + 1 if found else 1
    return f"{prefix}{sequence:05d}"


def ensure_unlocked(db: Database, episode_id: int) -> Row:
    """The episode row, or ``ChangeRefused`` naming it when it is signed."""
    row = get_row(db, "episodes", episode_id, "episode")
    signed = db.execute(
        "SELECT 1 FROM signatures WHERE episode_id = ? AND kind = 'discharge'", [episode_id]
    ).fetchone()
    if signed:
        raise ChangeRefused(f"episode {row['number']} is signed and locked; add an addendum")
    return row


def create_episode(
    db: Database,
    patient_id: int,
    protocol_id: str,
    protocol_version: str,
    chair: str,
    weight_kg: float,
    dose_mg: float,
    *,
    actor_id: int,
    at: datetime,
    escort: Escort | None = None,
    lot_number: str = "",
    precheck: dict[str, Any] | None = None,
    phase: Phase = Phase.PRECHECK,
    dose_reason: str = "",
) -> Episode:
    """Open an episode; its number is "E-<year of at>-<5-digit sequence in that year>"."""
    escort = escort or Escort()
    with transaction(db):
        get_row(db, "patients", patient_id, "patient")
        if Phase(phase) in ACTIVE_PHASES:
            _ensure_free(db, patient_id, chair.strip())
        values = {
            "number": _next_number(db, at.year),
            "patient_id": patient_id,
            "protocol_id": protocol_id,
            "protocol_version": protocol_version,
            "chair": chair.strip(),
            "weight_kg": float(weight_kg),
            "dose_mg": float(dose_mg),
            "lot_number": lot_number.strip(),
            "escort_name": escort.name.strip(),
            "escort_relationship": escort.relationship.strip(),
            "escort_phone": escort.phone.strip(),
            "precheck": to_json(precheck or {}),
            "phase": Phase(phase).value,
            "created_at": utc_text(at),
            "created_by": actor_id,
        }
        if dose_reason.strip():  # only then: a file not yet upgraded has no such column
            values["dose_reason"] = " ".join(dose_reason.split())
        try:
            row = insert_row(db, "episodes", values, action="create_episode",
                             actor_id=actor_id, at=at)
        except sqlite3.IntegrityError as exc:  # the unique indexes: a backstop
            if "episodes.chair" in str(exc):
                raise ValidationError("chair", f"chair {chair.strip()} is taken") from None
            if "episodes.patient_id" in str(exc):
                raise ValidationError("patient", "this patient already has an open "
                                      "episode") from None
            raise
    return _episode(row)


def _ensure_free(db: Database, patient_id: int, chair: str) -> None:
    """Inside the write transaction (``BEGIN IMMEDIATE``), so two stations cannot both
    pass it: one open episode per chair and per patient. The partial unique indexes of
    migration ``m007_one_active_episode`` hold the same rule in the file."""
    marks = ", ".join("?" for _ in ACTIVE_PHASES)
    active = [p.value for p in ACTIVE_PHASES]
    busy = db.execute(f"SELECT number FROM episodes WHERE chair = ? AND phase IN ({marks}) "
                      "ORDER BY id LIMIT 1", [chair, *active]).fetchone()
    if busy:
        raise ValidationError("chair", f"chair {chair} is taken by episode {busy[0]}")
    same = db.execute(f"SELECT number FROM episodes WHERE patient_id = ? AND phase IN "
                      f"({marks}) ORDER BY id LIMIT 1", [patient_id, *active]).fetchone()
    if same:
        raise ValidationError("patient", f"this patient already has an open episode "
                              f"({same[0]})")


def get_episode(db: Database, episode_id: int) -> Episode | None:
    row = fetch_row(db, "episodes", episode_id)
    return _episode(row) if row else None


def get_episode_by_number(db: Database, number: str) -> Episode | None:
    rows = fetch_rows(db, "SELECT * FROM episodes WHERE number = ?", [number.strip()])
    return _episode(rows[0]) if rows else None


def list_active_episodes(db: Database) -> list[Episode]:
    """Episodes not yet discharged or cancelled, oldest first."""
    marks = ", ".join("?" for _ in ACTIVE_PHASES)
    rows = fetch_rows(
        db, f"SELECT * FROM episodes WHERE phase IN ({marks}) ORDER BY created_at, id",
        [p.value for p in ACTIVE_PHASES],
    )
    return [_episode(row) for row in rows]


def list_episodes(
    db: Database, limit: int = 50, offset: int = 0, *, patient_id: int | None = None
) -> list[Episode]:
    """All episodes (or one patient's), newest first, a page at a time."""
    where, params = ("WHERE patient_id = ?", [patient_id]) if patient_id is not None else ("", [])
    rows = fetch_rows(
        db, f"SELECT * FROM episodes {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_episode(row) for row in rows]


def update_episode_phase(
    db: Database,
    episode_id: int,
    new_phase: Phase,
    *,
    actor_id: int,
    at: datetime,
    dosing_start: datetime | None = None,
    dosing_end: datetime | None = None,
    closed_at: datetime | None = None,
    reason: str = "",
) -> Episode:
    """Move to ``new_phase``, setting whichever of the times are given (others unchanged).

    ``reason`` (why it was cancelled, say) is kept in the row's ``closed_reason``. A
    dosing start or end also keeps when it was typed (``at``), so a time typed late
    shows as a late entry.
    """
    changes: Row = {"phase": Phase(new_phase).value}
    if reason.strip():
        changes["closed_reason"] = " ".join(reason.split())
    for column, moment in (("dosing_start", dosing_start), ("dosing_end", dosing_end),
                           ("closed_at", closed_at)):
        if moment is not None:
            changes[column] = utc_text(moment)
            if column != "closed_at":
                changes[f"{column}_entered_at"] = utc_text(at)
    with transaction(db):
        before = ensure_unlocked(db, episode_id)
        row = update_row(db, "episodes", episode_id, changes, action="update_episode_phase",
                         actor_id=actor_id, at=at, before=before)
    return _episode(row)


def set_episode_fields(
    db: Database,
    episode_id: int,
    *,
    actor_id: int,
    at: datetime,
    weight_kg: float = UNSET,
    dose_mg: float = UNSET,
    lot_number: str = UNSET,
    escort: Escort = UNSET,
    predose_ack_by: int | None = UNSET,
    chair: str = UNSET,
    precheck: dict[str, Any] = UNSET,
) -> Episode:
    """Edit an episode before it is signed; only the fields given change."""
    changes: Row = {}
    if weight_kg is not UNSET:
        changes["weight_kg"] = float(weight_kg)
    if dose_mg is not UNSET:
        changes["dose_mg"] = float(dose_mg)
    if lot_number is not UNSET:
        changes["lot_number"] = lot_number.strip()
    if escort is not UNSET:
        changes.update(escort_name=escort.name.strip(),
                       escort_relationship=escort.relationship.strip(),
                       escort_phone=escort.phone.strip())
    if predose_ack_by is not UNSET:
        changes["predose_ack_by"] = predose_ack_by
    if chair is not UNSET:
        changes["chair"] = chair.strip()
    if precheck is not UNSET:
        changes["precheck"] = to_json(precheck)
    with transaction(db):
        before = ensure_unlocked(db, episode_id)
        changes = {k: v for k, v in changes.items() if before[k] != v}
        row = update_row(db, "episodes", episode_id, changes, action="set_episode_fields",
                         actor_id=actor_id, at=at, before=before)
    return _episode(row)
