"""Generate a clinic history for the benchmarks: N years of closed episodes plus active chairs.

Written through the real repository (so every row has its hash-chained audit event and
`verify` passes), batched into large transactions so generation takes minutes, not hours.
The file is cached under .bench/ and reused by later runs.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from monitor_app.clock import FixedClock
from monitor_app.domain import pins
from monitor_app.domain.models import Escort, Phase, Role, Vitals
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db

OBS_PER_EPISODE = 20
ACTIVE_CHAIRS = 12
BATCH = 200  # episodes per transaction


def _vitals(rng: random.Random) -> Vitals:
    sbp = rng.randint(105, 165)
    return Vitals(hr=rng.randint(58, 104), sbp=sbp, dbp=sbp - rng.randint(35, 55),
                  spo2=rng.randint(94, 100), rr=rng.randint(11, 20), moaas=rng.choice((4, 5, 5)),
                  dissociation=rng.choice((0, 0, 1)))


def build_history(path: Path, episodes: int, now: datetime, seed: int = 7) -> Path:
    """A database with ``episodes`` closed episodes over the years before ``now``,
    and ``ACTIVE_CHAIRS`` episodes in progress."""
    if path.exists():
        return path
    pins.COST = pins.TEST_COST
    tmp = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    db = open_db(tmp)
    rng = random.Random(seed)
    t0 = now - timedelta(days=365 * 5)
    nurse = repo.add_staff(db, "Bench Nurse", "RN", Role.NURSE,
                           pin_hash=pins.hash_pin("2222", pepper=pins.new_pepper()),
                           actor_id=None, at=t0)
    patients = max(episodes // 6, ACTIVE_CHAIRS)
    with repo.transaction(db):
        for i in range(patients):
            repo.add_patient(db, f"MRN-{i:07d}", f"Patient {i:06d} {rng.choice('ABCDEFGH')}son",
                             date(1950 + i % 50, 1 + i % 12, 1 + i % 28), "F",
                             actor_id=nurse.id, at=t0)
    step = (now - timedelta(days=1) - t0) / max(episodes, 1)
    for start in range(0, episodes, BATCH):
        with repo.transaction(db):
            for k in range(start, min(start + BATCH, episodes)):
                _closed_episode(db, rng, nurse.id, 1 + k % patients, t0 + step * k)
    active_start = now - timedelta(minutes=50)
    with repo.transaction(db):
        for chair in range(ACTIVE_CHAIRS):
            _active_episode(db, rng, nurse.id, 1 + (patients - 1 - chair), str(chair + 1),
                            active_start + timedelta(minutes=3 * chair))
    db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.rename(path)
    return path


def _closed_episode(db, rng: random.Random, nurse: int, patient: int, start: datetime) -> None:
    e = repo.create_episode(db, patient, "ketamine-iv", "2026.1", str(1 + rng.randrange(12)),
                            75.0, 37.5, escort=Escort("Escort", "friend", "555"),
                            actor_id=nurse, at=start - timedelta(minutes=20))
    repo.add_observation(db, e.id, start - timedelta(minutes=10), start - timedelta(minutes=10),
                         _vitals(rng), nurse)
    repo.update_episode_phase(db, e.id, Phase.DOSING, dosing_start=start, actor_id=nurse,
                              at=start)
    for n in range(1, OBS_PER_EPISODE):
        moment = start + timedelta(minutes=10 * n)
        repo.add_observation(db, e.id, moment, moment, _vitals(rng), nurse)
    end = start + timedelta(minutes=40)
    repo.update_episode_phase(db, e.id, Phase.RECOVERY, dosing_end=end, actor_id=nurse, at=end)
    close = start + timedelta(minutes=10 * OBS_PER_EPISODE)
    repo.update_episode_phase(db, e.id, Phase.DISCHARGED, closed_at=close,
                              actor_id=nurse, at=close)


def _active_episode(db, rng: random.Random, nurse: int, patient: int, chair: str,
                    start: datetime) -> None:
    e = repo.create_episode(db, patient, "ketamine-iv", "2026.1", chair, 80.0, 40.0,
                            escort=Escort("Escort", "friend", "555"), actor_id=nurse,
                            at=start - timedelta(minutes=20))
    repo.add_observation(db, e.id, start - timedelta(minutes=10), start - timedelta(minutes=10),
                         _vitals(rng), nurse)
    repo.update_episode_phase(db, e.id, Phase.DOSING, dosing_start=start, actor_id=nurse,
                              at=start)
    for n in range(1, 4):
        moment = start + timedelta(minutes=10 * n)
        repo.add_observation(db, e.id, moment, moment, _vitals(rng), nurse)


def bench_now() -> datetime:
    return datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def bench_clock() -> FixedClock:
    return FixedClock(bench_now())
