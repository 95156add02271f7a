"""The audit trail catches what the triggers cannot stop: someone at the sqlite3 shell
who first drops the triggers. Each kind of outside change must show up in verify()."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from monitor_app.domain import pins
from monitor_app.domain.discharge import ManualAnswer, Override
from monitor_app.storage import audit
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from tests.helpers.clinic import (
    T0,
    Clinic,
    drop_all_triggers,
    make_clinic,
    minutes,
    raw,
    vitals,
)


@pytest.fixture
def clinic(tmp_path: Path) -> Clinic:
    """A whole episode: observations, a correction, checklist, override, REMS answer,
    alert acknowledgement, discharge signature and a signed addendum."""
    c = make_clinic(tmp_path)
    db, ep, n = c.db, c.episode.id, c.nurse.id
    repo.set_pin_hash(db, n, pins.hash_pin("2468", pepper=b"k" * 32, cost=pins.TEST_COST),
                      actor_id=n, at=T0)
    c.obs = repo.add_observation(db, ep, minutes(0), minutes(1), vitals(hr=88), n)
    wrong = repo.add_observation(db, ep, minutes(10), minutes(11), vitals(hr=150), n)
    repo.correct_observation(db, wrong.id, "typo", vitals(hr=105), minutes(10), actor_id=n,
                             at=minutes(12))
    repo.ack_alert(db, c.obs.id, "hr_high", actor_id=n, at=minutes(13))
    repo.save_checklist_answer(db, ep, "oriented", ManualAnswer(False), actor_id=n,
                               at=minutes(20))
    repo.save_checklist_answer(db, ep, "oriented", ManualAnswer(True), actor_id=n,
                               at=minutes(21))
    repo.add_override(db, ep, Override("heart_rate", "baseline tachycardia", c.prescriber.id),
                      actor_id=n, at=minutes(22))
    repo.save_rems_answer(db, ep, "dose_mg", 56, actor_id=n, at=minutes(23))
    repo.set_setting(db, "auto_lock_minutes", 5, actor_id=n, at=minutes(24))
    c.signature = repo.sign_discharge(db, ep, n, "Discharged by",
                                      {"episode": c.episode.number, "hr": [88, 105]},
                                      at=minutes(60))
    addendum = repo.add_addendum(db, ep, "Called: home safely", actor_id=n, at=minutes(300))
    repo.add_signature(db, ep, "addendum", n, "Addendum by", {"text": addendum.text},
                       at=minutes(301), addendum_id=addendum.id)
    yield c
    c.db.close()


@pytest.fixture
def shell(clinic):
    """The attacker: a raw connection with every trigger dropped."""
    conn = raw(clinic.path)
    drop_all_triggers(conn)
    yield conn
    conn.close()


def last_event_id(clinic: Clinic) -> int:
    return audit.head(clinic.db)[0]


def test_a_clean_record_verifies(clinic):
    assert audit.verify(clinic.db) == []


def test_the_chain_can_be_recomputed_by_an_outside_auditor(clinic):
    """The documented recipe, reimplemented with nothing but hashlib and json."""
    prev = "0" * 64
    rows = clinic.db.execute(
        'SELECT id, at, actor_id, action, table_name, row_id, "before", "after", prev_hash, '
        "hash FROM audit ORDER BY id").fetchall()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    for event_id, at, actor, action, table, row_id, before, after, prev_hash, digest in rows:
        assert prev_hash == prev, event_id
        payload = {"prev_hash": prev_hash, "at": at, "actor_id": actor, "action": action,
                   "table_name": table, "row_id": row_id, "before": before, "after": after}
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode()).hexdigest() == digest, event_id
        prev = digest


def test_audit_events_hold_who_when_and_the_full_rows(clinic):
    [created] = audit.events(clinic.db, table_name="observations", row_id=clinic.obs.id)
    assert created.action == "add_observation" and created.before is None
    assert created.actor_id == clinic.nurse.id and created.at == minutes(1)
    assert created.after["hr"] == 88 and created.after["taken_at"] == minutes(0).isoformat()


def test_the_pin_hash_never_enters_the_audit_log(clinic):
    stored = repo.get_pin_hash(clinic.db, clinic.nurse.id)
    log = " ".join(r[0] or "" for r in clinic.db.execute('SELECT "after" FROM audit'))
    assert stored not in log
    assert "sha256:" + hashlib.sha256(stored.encode()).hexdigest() in log


def test_a_row_edited_from_the_shell_is_found(clinic, shell):
    shell.execute("UPDATE observations SET hr = 95 WHERE id = ?", [clinic.obs.id])
    assert audit.verify(clinic.db) == [
        f"observations row {clinic.obs.id}: hr is 95 in the table but 88 in the audit log"
    ]


def test_a_text_value_edited_from_the_shell_is_quoted_in_the_message(clinic, shell):
    shell.execute("UPDATE overrides SET reason = 'none' WHERE episode_id = ?",
                  [clinic.episode.id])
    [problem] = audit.verify(clinic.db)
    assert problem.endswith(
        'reason is "none" in the table but "baseline tachycardia" in the audit log')


def test_a_row_deleted_from_the_shell_is_found(clinic, shell):
    shell.execute("DELETE FROM alert_acks")
    [problem] = audit.verify(clinic.db)
    assert problem == "alert_acks row 1: deleted outside the app (in the audit log only)"


def test_a_row_inserted_from_the_shell_is_found(clinic, shell):
    cursor = shell.execute(
        "INSERT INTO observations (episode_id, taken_at, entered_at, recorded_by, hr) "
        "VALUES (?, '2026-11-27T10:30:00+00:00', '2026-11-27T10:30:00+00:00', 1, 72)",
        [clinic.episode.id])
    assert audit.verify(clinic.db) == [
        f"observations row {cursor.lastrowid}: inserted outside the app (no audit event)"
    ]


def test_an_altered_audit_event_is_found(clinic, shell):
    shell.execute("UPDATE audit SET actor_id = 99 WHERE id = 5")
    assert audit.verify(clinic.db) == ["audit event 5: hash does not match its content"]


def test_an_audit_event_altered_and_rehashed_breaks_the_link_to_the_next(clinic, shell):
    """Covering tracks: change a row, its audit event, and that event's hash."""
    event = audit.events(clinic.db, table_name="observations", row_id=clinic.obs.id)[0]
    after = dict(event.after, hr=95)
    after_text = audit.row_json(after)
    before_text = None
    new_hash = audit.event_hash(event.prev_hash, event.at.isoformat(), event.actor_id,
                                event.action, event.table_name, event.row_id, before_text,
                                after_text)
    shell.execute('UPDATE audit SET "after" = ?, hash = ? WHERE id = ?',
                  [after_text, new_hash, event.id])
    shell.execute("UPDATE observations SET hr = 95 WHERE id = ?", [clinic.obs.id])
    assert audit.verify(clinic.db) == [
        f"audit event {event.id + 1}: prev_hash does not match the hash of event {event.id}"
    ]


def test_a_deleted_audit_event_is_found(clinic, shell):
    # the event of the REMS answer: its row now has no audit event either
    [rems_event] = audit.events(clinic.db, table_name="rems_answers")
    shell.execute("DELETE FROM audit WHERE id = ?", [rems_event.id])
    assert audit.verify(clinic.db) == [
        f"audit event {rems_event.id} is missing (deleted outside the app)",
        "rems_answers row 1: inserted outside the app (no audit event)",
    ]


def test_deleting_the_latest_audit_events_is_found(clinic, shell):
    last = last_event_id(clinic)
    shell.execute("DELETE FROM audit WHERE id > ?", [last - 2])
    problems = audit.verify(clinic.db)
    assert (f"the audit log ends at event {last - 2} but events up to {last} were written "
            "(the latest events were deleted outside the app)") in problems


def test_altered_signed_content_is_found(clinic, shell):
    sig = clinic.signature
    altered = json.dumps({"episode": clinic.episode.number, "hr": [88, 95]})
    shell.execute("UPDATE signatures SET content = ? WHERE id = ?", [altered, sig.id])
    problems = audit.verify(clinic.db)
    assert f"signatures row {sig.id}: content_hash does not match the signed content" in problems
    assert any(p.startswith(f"signatures row {sig.id}: content is ") for p in problems)


def test_signed_content_rehashed_still_differs_from_the_audit_log(clinic, shell):
    sig = clinic.signature
    forged = {"episode": clinic.episode.number, "hr": [88, 95]}
    shell.execute("UPDATE signatures SET content = ?, content_hash = ? WHERE id = ?",
                  [audit.canonical_json(forged), audit.signature_content_hash(forged), sig.id])
    problems = audit.verify(clinic.db)
    assert len(problems) == 2
    assert all(p.startswith(f"signatures row {sig.id}: content") for p in problems)


def test_a_pin_hash_swapped_from_the_shell_is_found_without_showing_it(clinic, shell):
    forged = pins.hash_pin("0000", pepper=b"k" * 32, cost=pins.TEST_COST)
    shell.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", [forged, clinic.nurse.id])
    assert audit.verify(clinic.db) == [
        f"staff row {clinic.nurse.id}: pin_hash differs from the audit log"
    ]


def test_a_migration_that_reshapes_a_table_records_a_snapshot(clinic):
    db = clinic.db
    db.execute("ALTER TABLE settings ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    assert audit.verify(db) == ["settings row 1: note is in the table but not in the audit log"]
    with repo.transaction(db):
        assert audit.snapshot_rows(db, "settings", at=minutes(400)) == 1
    assert audit.verify(db) == []
    assert audit.events(db, table_name="settings")[-1].action == "migrate"


def test_the_triggers_refuse_the_same_changes_before_they_are_dropped(clinic):
    conn = raw(clinic.path)
    for statement in ("UPDATE audit SET actor_id = 99 WHERE id = 5",
                      "DELETE FROM audit WHERE id = 5",
                      "INSERT INTO audit (at, action, table_name, row_id, prev_hash, hash) "
                      "VALUES ('x', 'forged', 'staff', 1, 'bad', 'bad')"):
        with pytest.raises(Exception, match=r"never|hash chain"):
            conn.execute(statement)
    conn.close()
    assert audit.verify(clinic.db) == []


def test_verify_finds_one_change_in_a_large_log(tmp_path):
    # Its speed is a `make bench` figure; here: one edit among 5000 rows is named.
    c = make_clinic(tmp_path)
    with repo.transaction(c.db):
        for i in range(5000):
            repo.add_observation(c.db, c.episode.id, minutes(i), minutes(i),
                                 vitals(hr=60 + i % 40), c.nurse.id)
    assert audit.verify(c.db) == []
    c.db.close()
    conn = raw(c.path)
    conn.execute("DROP TRIGGER observations_void_only")
    conn.execute("UPDATE observations SET hr = 199 WHERE id = 4321")
    conn.close()
    db = open_db(c.path)
    assert audit.verify(db) == ["observations row 4321: hr is 199 in the table but 60 in the "
                                "audit log"]
    db.close()
