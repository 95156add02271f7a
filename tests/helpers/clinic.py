"""Helpers shared by the storage tests: a small clinic on a temporary file database,
and a raw sqlite3 connection that behaves like someone at the sqlite3 shell."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlite_utils
from sqlite_utils import Database

from monitor_app.domain.discharge import ManualAnswer
from monitor_app.domain.models import Episode, Escort, Patient, Role, Staff, Vitals
from monitor_app.storage import migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from monitor_app.storage.repository_base import insert_row, transaction

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
YES = ManualAnswer(confirmed=True)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@dataclass
class Clinic:
    db: Database
    path: Path
    nurse: Staff
    prescriber: Staff
    patient: Patient
    episode: Episode


def make_clinic(tmp_path: Path) -> Clinic:
    path = tmp_path / "clinic.db"
    db = open_db(path)
    nurse = repo.add_staff(db, "Nora Nurse", "RN", Role.NURSE, actor_id=None, at=T0)
    prescriber = repo.add_staff(db, "Pat Prescriber", "MD", Role.PRESCRIBER,
                                actor_id=nurse.id, at=T0)
    patient = repo.add_patient(db, "MRN001", "Ada Lovelace", date(1980, 5, 17), "F",
                               actor_id=nurse.id, at=T0)
    episode = repo.create_episode(
        db, patient.id, "ketamine-iv", "1", "Chair 3", 70.0, 35.0,
        actor_id=nurse.id, at=T0, escort=Escort("Bob", "partner", "555-0100"),
    )
    return Clinic(db, path, nurse, prescriber, patient, episode)


def older_clinic(path: Path, stop_before: str,
                 at: datetime = T0) -> tuple[Database, Staff, int]:
    """A database whose schema stops before the migration ``stop_before``, with a nurse, a
    patient and her episode row as that schema had it (no later columns):
    (db, nurse, episode id)."""
    old = sqlite_utils.Database(path)
    migrations.apply_migrations(old, stop_before=stop_before)
    nurse = repo.add_staff(old, "Old Timer", "RN", Role.NURSE, actor_id=None, at=at)
    patient = repo.add_patient(old, "OLD1", "Grace Hopper", at.date(), actor_id=nurse.id,
                               at=at)
    with transaction(old):
        episode_id = insert_row(old, "episodes", {
            "number": "E-2026-00001", "patient_id": patient.id, "protocol_id": "ketamine-iv",
            "protocol_version": "1", "chair": "2", "weight_kg": 70.0, "dose_mg": 35.0,
            "precheck": "{}", "phase": "precheck", "created_at": at.isoformat(),
            "created_by": nurse.id}, action="create_episode", actor_id=nurse.id,
            at=at)["id"]
    return old, nurse, episode_id


def vitals(**values: object) -> Vitals:
    base: dict[str, object] = dict(hr=80, sbp=120, dbp=80, spo2=98, rr=14, moaas=5,
                                   dissociation=0)
    base.update(values)
    return Vitals(**base)  # type: ignore[arg-type]


def raw(path: Path) -> sqlite3.Connection:
    """A connection like the sqlite3 shell's: autocommit, no app code in between."""
    return sqlite3.connect(str(path), isolation_level=None)


def drop_all_triggers(conn: sqlite3.Connection) -> None:
    """What someone tampering from the shell would do first."""
    names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")


def audit_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM audit").fetchone()[0]


def triggers(db: Database) -> set[str]:
    return {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}


def another_patient(clinic: Clinic, i: int) -> int:
    """Another patient (one open episode per patient)."""
    return repo.add_patient(clinic.db, f"MRN-X{i}", f"Patient {i}", date(1980, 1, i),
                            actor_id=clinic.nurse.id, at=T0).id
