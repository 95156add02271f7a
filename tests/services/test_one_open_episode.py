"""Issue 9, finding 7: two stations must never open the same patient or chair twice."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

import pytest
import sqlite_utils

from monitor_app.clock import FixedClock
from monitor_app.domain.models import Role, ValidationError
from monitor_app.services import Services
from monitor_app.storage import audit, migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from monitor_app.storage.repository_base import insert_row, transaction
from tests.helpers.world import ESCORT, T0, make_world, precheck

ROUNDS = 20


def _race(path, nurse_id: int, patient_id: int, chair: str) -> list[object]:
    """Two stations press "Open" for the same patient on the same chair at once."""
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def station(slot: int) -> None:
        s = Services.open(path, clock=FixedClock(T0))
        try:
            barrier.wait()
            results[slot] = s.open_episode(nurse_id, patient_id, "ketamine-iv", chair, 70,
                                           35, ESCORT, precheck(s))
        except ValidationError as exc:
            results[slot] = exc
        finally:
            s.close()

    threads = [threading.Thread(target=station, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.usefixtures("fast_pins")
def test_racing_stations_never_open_two_episodes(tmp_path):
    w = make_world(tmp_path / "clinic.db", patients=ROUNDS)
    w.s.close()
    for i in range(ROUNDS):
        chair = f"R{i}"
        results = _race(w.path, w.nurse.id, w.patient_ids[i], chair)
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(refused) == 1, f"round {i}: {results}"
        assert refused[0].field == "chair"
        assert refused[0].message.startswith(f"chair {chair} is taken")
    conn = sqlite3.connect(w.path)
    open_per_chair = conn.execute(
        "SELECT chair, count(*) FROM episodes WHERE phase NOT IN ('discharged', 'cancelled') "
        "GROUP BY chair HAVING count(*) > 1").fetchall()
    conn.close()
    assert open_per_chair == []


@pytest.mark.usefixtures("fast_pins")
def test_the_file_itself_refuses_a_second_open_episode(tmp_path):
    """Even a writer that skips the check (an old copy of the app) cannot add one."""
    w = make_world(tmp_path / "clinic.db", patients=2)
    first = w.s.open_episode(w.nurse.id, w.patient_ids[0], "ketamine-iv", "3", 70, 35,
                             ESCORT, precheck(w.s))
    columns = ("number, patient_id, protocol_id, protocol_version, chair, weight_kg, "
               "dose_mg, phase, created_at, created_by")
    with pytest.raises(sqlite3.IntegrityError, match=r"episodes\.chair"):
        w.s.db.execute(f"INSERT INTO episodes ({columns}) VALUES ('E-X-1', ?, 'ketamine-iv', "
                       "'1', '3', 70, 35, 'pre-check', '2026-11-27T09:00:00+00:00', ?)",
                       [w.patient_ids[1], w.nurse.id])
    with pytest.raises(sqlite3.IntegrityError, match=r"episodes\.patient_id"):
        w.s.db.execute(f"INSERT INTO episodes ({columns}) VALUES ('E-X-2', ?, 'ketamine-iv', "
                       "'1', '4', 70, 35, 'dosing', '2026-11-27T09:00:00+00:00', ?)",
                       [w.patient_ids[0], w.nurse.id])
    w.s.db.conn.rollback()
    w.s.cancel_episode(w.nurse.id, first.id, "wrong chair")
    again = w.s.open_episode(w.nurse.id, w.patient_ids[0], "ketamine-iv", "3", 70, 35,
                             ESCORT, precheck(w.s))
    assert again.chair == "3"
    w.s.close()


def test_upgrading_a_file_that_already_holds_two_open_episodes_keeps_both(tmp_path):
    path = tmp_path / "raced.db"
    old = sqlite_utils.Database(path)
    migrations.apply_migrations(old, stop_before="m007_one_active_episode")
    nurse = repo.add_staff(old, "Nina", "RN", Role.NURSE, actor_id=None, at=T0)
    patient = repo.add_patient(old, "M1", "Pat One", date(1980, 1, 1), actor_id=nurse.id,
                               at=T0)
    other = repo.add_patient(old, "M2", "Pat Two", date(1980, 1, 2), actor_id=nurse.id, at=T0)
    raced = []
    for n in range(2):  # as the racing stations of the old version wrote them
        with transaction(old):
            raced.append(insert_row(old, "episodes", {
                "number": f"E-2026-0000{n + 1}", "patient_id": patient.id,
                "protocol_id": "ketamine-iv", "protocol_version": "1", "chair": "5",
                "weight_kg": 70.0, "dose_mg": 35.0, "phase": "pre-check",
                "created_at": "2026-11-27T09:00:00+00:00", "created_by": nurse.id,
            }, action="create_episode", actor_id=nurse.id, at=T0))
    old.close()

    db = open_db(path)  # upgrades: must not fail, must not touch the two episodes
    assert migrations.pending_migrations(db) == []
    assert [e.id for e in repo.list_active_episodes(db)] == [e["id"] for e in raced]
    with pytest.raises(ValidationError, match="chair 5 is taken"):
        repo.create_episode(db, other.id, "ketamine-iv", "1", "5", 70, 35,
                            actor_id=nurse.id, at=T0)
    with pytest.raises(ValidationError, match="already has an open episode"):
        repo.create_episode(db, patient.id, "ketamine-iv", "1", "6", 70, 35,
                            actor_id=nurse.id, at=T0)
    assert audit.verify(db) == []
    db.close()
