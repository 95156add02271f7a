"""Opening an episode for a new patient, and weight or dose corrections.

Each function is one transaction: every row it writes and every audit event, or
nothing (a refused episode leaves no patient behind).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from monitor_app.domain.models import Episode, EpisodeCorrection, Escort, Patient
from monitor_app.storage.connection import Database
from monitor_app.storage.db import parse_utc, utc_text
from monitor_app.storage.repository_base import fetch_rows, insert_row, transaction, update_row
from monitor_app.storage.repository_episodes import _episode, create_episode, ensure_unlocked
from monitor_app.storage.repository_people import add_patient

CORRECTABLE = ("weight_kg", "dose_mg")


def create_patient_and_episode(
    db: Database,
    *,
    mrn: str,
    name: str,
    dob: date,
    sex: str,
    protocol_id: str,
    protocol_version: str,
    chair: str,
    weight_kg: float,
    dose_mg: float,
    escort: Escort,
    lot_number: str,
    precheck: dict[str, Any],
    dose_reason: str,
    actor_id: int,
    at: datetime,
) -> tuple[Patient, Episode]:
    """Register the patient and open their episode in one transaction (two audit events)."""
    with transaction(db):
        patient = add_patient(db, mrn, name, dob, sex, actor_id=actor_id, at=at)
        episode = create_episode(
            db, patient.id, protocol_id, protocol_version, chair, weight_kg, dose_mg,
            actor_id=actor_id, at=at, escort=escort, lot_number=lot_number,
            precheck=precheck, dose_reason=dose_reason)
    return patient, episode


def _correction(row: dict[str, Any]) -> EpisodeCorrection:
    return EpisodeCorrection(
        id=row["id"], episode_id=row["episode_id"], field=row["field"],
        old_value=row["old_value"], new_value=row["new_value"], reason=row["reason"],
        corrected_by=row["corrected_by"],
        corrected_at=parse_utc(row["corrected_at"]),
    )


def correct_episode_value(
    db: Database,
    episode_id: int,
    field: str,
    new_value: float,
    reason: str,
    *,
    actor_id: int,
    at: datetime,
) -> tuple[Episode, EpisodeCorrection]:
    """Change the weight or dose of an unsigned episode, keeping the old value and the
    reason in ``episode_corrections``; the episode's audit event keeps the old row."""
    if field not in CORRECTABLE:
        raise ValueError(f"{field} cannot be corrected")
    with transaction(db):
        before = ensure_unlocked(db, episode_id)
        saved = insert_row(db, "episode_corrections", {
            "episode_id": episode_id, "field": field, "old_value": float(before[field]),
            "new_value": float(new_value), "reason": " ".join(reason.split()),
            "corrected_by": actor_id, "corrected_at": utc_text(at),
        }, action="correct_episode_value", actor_id=actor_id, at=at)
        row = update_row(db, "episodes", episode_id, {field: float(new_value)},
                         action="correct_episode_value", actor_id=actor_id, at=at,
                         before=before)
    return _episode(row), _correction(saved)


def list_episode_corrections(db: Database, episode_id: int) -> list[EpisodeCorrection]:
    rows = fetch_rows(db, "SELECT * FROM episode_corrections WHERE episode_id = ? ORDER BY id",
                      [episode_id])
    return [_correction(row) for row in rows]
