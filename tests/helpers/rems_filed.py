"""A clinic that has filed years of esketamine REMS forms, written through the real
repository (every row audited, ``verify`` passes): for the REMS queue's tests and its
benchmark (benchmarks/rems_history.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from monitor_app.domain import pins
from monitor_app.domain.models import Escort, Role
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PROTOCOL = "esketamine-rems"
BATCH = 500  # sessions per transaction


def build_rems_history(path: Path, filed: int, unfiled: int,
                       filed_until: datetime = NOW - timedelta(days=10)) -> Path:
    """``filed`` sessions over the six years before ``filed_until``, each with its
    filing note three days later; then ``unfiled`` sessions in the nine days before
    NOW, 20 h apart, with no note. Reused when ``path`` exists."""
    if path.exists():
        return path
    pins.COST = pins.TEST_COST
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm", ".keys", ".head"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    db = open_db(tmp)
    t0 = NOW - timedelta(days=365 * 6)
    admin = repo.add_staff(db, "Bench Admin", "", Role.ADMIN, actor_id=None, at=t0,
                           pin_hash=pins.hash_pin("1111", pepper=pins.new_pepper()))
    patients = max(filed // 20, unfiled, 1)
    with repo.transaction(db):
        for i in range(patients):
            repo.add_patient(db, f"MRN-{i:07d}", f"Patient {i:06d}", date(1970, 1, 1), "F",
                             actor_id=admin.id, at=t0)
    step = (filed_until - t0) / max(filed, 1)
    sessions = [(t0 + step * k, True) for k in range(filed)]
    sessions += [(NOW - timedelta(days=9) + timedelta(hours=20 * k), False)
                 for k in range(unfiled)]
    for start in range(0, len(sessions), BATCH):
        with repo.transaction(db):
            for k in range(start, min(start + BATCH, len(sessions))):
                at, is_filed = sessions[k]
                _session(db, admin.id, 1 + k % patients, at, is_filed)
    db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    for suffix in ("", ".keys", ".head"):
        if Path(str(tmp) + suffix).exists():
            Path(str(tmp) + suffix).rename(str(path) + suffix)
    return path


def _session(db, actor: int, patient: int, at: datetime, filed: bool) -> None:  # type: ignore[no-untyped-def]
    e = repo.create_episode(db, patient, PROTOCOL, "2026.1", "6", 70.0, 84.0, actor_id=actor,
                            at=at, escort=Escort("Escort", "friend", "555"))
    repo.sign_discharge(db, e.id, actor, "discharged", {"episode": e.number},
                        at=at + timedelta(hours=2))
    if filed:
        repo.add_rems_submission(db, e.id, submitted_on=(at + timedelta(days=3)).date(),
                                 confirmation=f"R-{e.id}", actor_id=actor,
                                 at=at + timedelta(days=3))
