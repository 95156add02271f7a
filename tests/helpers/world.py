"""Builders for tests that go through ``Services``: a small clinic on a temporary file,
a fixed clock, and helpers that walk an IV episode from pre-check to ready.

Plain functions (no Qt). PIN hashing is made cheap with the ``fast_pins`` fixture
(tests/conftest.py)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from monitor_app.clock import FixedClock
from monitor_app.domain.discharge import ManualAnswer
from monitor_app.domain.models import Episode, Escort, Role, Staff
from monitor_app.services import Services

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ADMIN_PIN, NURSE_PIN, MD_PIN = "135791", "246802", "864200"
ESCORT = Escort("Sam Whitfield", "partner", "(555) 010-7788")
# Every vital a save in recovery checks, all in range (the statement-count tests).
FULL = {"hr": "80", "bp": "128/84", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"}


@dataclass
class World:
    services: Services
    clock: FixedClock
    path: Path
    admin: Staff
    nurse: Staff
    md: Staff
    patient_ids: list[int]

    @property
    def s(self) -> Services:
        return self.services


def make_world(path: Path, start: datetime = T0, patients: int = 3) -> World:
    clock = FixedClock(start)
    s = Services.open(path, clock=clock)
    admin = s.setup_clinic("Test Clinic", "Ada Admin", "RN", ADMIN_PIN, ADMIN_PIN)
    nurse = s.add_staff(admin.id, "Nina Nurse", "RN", Role.NURSE, NURSE_PIN, NURSE_PIN)
    md = s.add_staff(admin.id, "Mo Doctor", "MD", Role.PRESCRIBER, MD_PIN, MD_PIN)
    ids = [s.add_patient(admin.id, f"MRN-{i:04d}", f"Patient O'Name {i}",
                         date(1980, 1, 1 + i), "F").id for i in range(patients)]
    return World(s, clock, path, admin, nurse, md, ids)


def one_episode(path: Path, clock: FixedClock) -> tuple[Services, int, int, int]:
    """The smallest clinic with an IV episode in pre-check: (services, admin id, nurse id,
    episode id). PINs of four digits: the admin's 1111, the nurse's 2222."""
    s = Services.open(path, clock=clock)
    admin = s.setup_clinic("Clinic", "Ada", "RN", "1111", "1111", min_pin_length=4)
    nurse = s.add_staff(admin.id, "Nurse", "RN", Role.NURSE, "2222", "2222")
    patient = s.add_patient(nurse.id, "M-1", "Pat Test", "1980-01-01")
    episode = s.open_episode(nurse.id, patient.id, "ketamine-iv", "1", 70, 35,
                             Escort("E", "friend", "5"), precheck(s))
    return s, admin.id, nurse.id, episode.id


def precheck(s: Services, protocol_id: str = "ketamine-iv") -> dict[str, bool]:
    return {item.key: True for item in s.protocols[protocol_id].precheck}


def open_iv(w: World, chair: str = "1", patient: int = 0) -> Episode:
    return w.s.open_episode(w.nurse.id, w.patient_ids[patient], "ketamine-iv", chair, 70, 35,
                            ESCORT, precheck(w.s))


def good(**changes: object) -> dict[str, object]:
    raw: dict[str, object] = {"hr": "72", "bp": "120/80", "spo2": "98", "rr": "14",
                              "moaas": "5", "dissociation": "0"}
    raw.update(changes)
    return raw


def to_recovery(w: World, episode_id: int) -> None:
    """Baseline, dosing of 40 min with an observation every 10, then end of dosing."""
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, episode_id, good())
    w.clock.advance(minutes=2)
    w.s.start_dosing(w.nurse.id, episode_id)
    for _ in range(4):
        w.clock.advance(minutes=10)
        w.s.record_observation(w.nurse.id, episode_id, good(hr="80", bp="130/84"))
    w.s.end_dosing(w.nurse.id, episode_id)


def to_ready(w: World, episode_id: int) -> None:
    """Recovery long enough (35 min) with good vitals for every automatic criterion."""
    to_recovery(w, episode_id)
    for _ in range(3):
        w.clock.advance(minutes=12)
        w.s.record_observation(w.nurse.id, episode_id, good())


def answer_everything(w: World, episode_id: int) -> None:
    """Aldrete 2/2 and every manual checklist item confirmed with its details."""
    w.s.answer_aldrete(w.nurse.id, episode_id, 2, 2)
    protocol = w.s.episode_view(episode_id).protocol
    for item in protocol.manual:
        details = {name: f"{name} given" for name in item.details}
        w.s.answer_manual(w.nurse.id, episode_id, item.key, ManualAnswer(True, False, details))


def count_rows(path: Path, table: str) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()
