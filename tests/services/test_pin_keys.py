"""PINs a stolen backup cannot give away, and a lockout parallel guesses cannot get past.

The pepper lives in the key file beside the database, never in the database or its
backups; wrong PINs are counted inside the write transaction; the clinic sets the
limit (3 to 10) and the shortest PIN allowed (a shorter one must be changed)."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

import monitor_app.domain.pins
from monitor_app.domain import pins
from monitor_app.domain.models import Role, Staff, ValidationError
from monitor_app.services import Services
from monitor_app.services.errors import AuthError
from monitor_app.storage import keyfile
from monitor_app.storage import repository as repo
from monitor_app.storage import repository_credentials as creds
from monitor_app.storage.db import StorageError, open_db
from tests.helpers.world import (
    ADMIN_PIN,
    NURSE_PIN,
    T0,
    make_world,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


def staff_hashes(db_file: Path) -> dict[int, str]:
    conn = sqlite3.connect(str(db_file))
    try:
        return dict(conn.execute("SELECT id, pin_hash FROM staff"))
    finally:
        conn.close()


def test_the_hashes_in_a_backup_do_not_verify_without_the_key_file(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    backup = w.s.backup_now()
    hashes = staff_hashes(backup)
    pepper = keyfile.load_keys(keyfile.key_file_path(w.path)).pepper
    w.s.close()
    for staff_id, pin in ((w.admin.id, ADMIN_PIN), (w.nurse.id, NURSE_PIN)):
        assert not pins.check_pin(pin, hashes[staff_id], pepper=None)
        assert not pins.check_pin(pin, hashes[staff_id], pepper=b"\0" * 32)
        assert pins.check_pin(pin, hashes[staff_id], pepper=pepper)  # with the key file
    # The key file is not in the backup folder, and the pepper is not in the backup.
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]
    assert pepper not in backup.read_bytes()


def test_the_key_file_sits_beside_the_database_readable_by_the_owner_only(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    path = tmp_path / "clinic.db.keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = keyfile.load_keys(path)
    assert keys.can_sign and len(keys.pepper) == 32
    assert "Test Clinic" in w.s.signing_certificate()
    w.s.close()


def test_a_lost_key_file_says_to_restore_it_and_no_pin_is_checked(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    w.s.close()
    (tmp_path / "clinic.db.keys").rename(tmp_path / "elsewhere.keys")
    again = Services.open(w.path, clock=w.clock)
    assert "is missing" in again.keys_problem
    assert "Restore the key file" in again.keys_problem
    with pytest.raises(AuthError) as refused:
        again.authenticate(w.nurse.id, NURSE_PIN)
    assert "Restore the key file" in refused.value.message
    assert not (tmp_path / "clinic.db.keys").exists()  # no new key file made silently
    assert repo.get_staff(again.db, w.nurse.id).failed_attempts == 0
    again.close()
    (tmp_path / "elsewhere.keys").rename(tmp_path / "clinic.db.keys")  # restored
    restored = Services.open(w.path, clock=w.clock)
    assert restored.keys_problem == ""
    assert restored.authenticate(w.nurse.id, NURSE_PIN).id == w.nurse.id
    restored.close()


def test_another_clinics_key_file_is_named_not_used(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    w.s.close()
    keyfile.save_keys(tmp_path / "clinic.db.keys", keyfile.new_keys())
    again = Services.open(w.path, clock=w.clock)
    assert "belongs to another clinic database" in again.keys_problem
    again.close()


def _before_key_files(path: Path) -> tuple[Staff, str]:
    """A clinic whose one nurse (PIN 246802) has a hash made before key files existed:
    (the nurse, that hash)."""
    db = open_db(path)
    legacy = pins.hash_legacy("246802", pins.ScryptCost(n=16, r=1, p=1))
    nurse = repo.add_staff(db, "Old Nurse", "RN", Role.NURSE, actor_id=None, at=T0,
                           pin_hash=legacy)
    db.close()
    return nurse, legacy


def test_a_clinic_from_before_key_files_gets_one_and_its_old_hashes_stop_verifying(
        tmp_path):
    path = tmp_path / "old.db"
    nurse, _legacy = _before_key_files(path)
    s = Services.open(path)
    assert (tmp_path / "old.db.keys").exists()
    wrapped = repo.get_pin_hash(s.db, nurse.id)
    assert wrapped.startswith("scrypt-hmac$")
    assert not pins.check_pin("246802", wrapped, pepper=None)  # the database alone
    assert s.authenticate(nurse.id, "246802").id == nurse.id
    assert repo.get_pin_hash(s.db, nurse.id).startswith("argon2id-hmac$")  # re-hashed
    assert s.authenticate(nurse.id, "246802").id == nurse.id
    assert s.verify() == []
    s.close()


def test_thirty_parallel_wrong_guesses_check_at_most_the_limit(tmp_path, monkeypatch):
    w = make_world(tmp_path / "clinic.db")
    limit = w.s.settings().pin_attempts
    checks: list[str] = []
    real_check = pins.check_pin

    def slow_check(pin, stored, **kwargs):  # as slow as a real KDF, so guesses overlap
        checks.append(pin)
        time.sleep(0.02)
        return real_check(pin, stored, **kwargs)

    monkeypatch.setattr(monitor_app.domain.pins, "check_pin", slow_check)
    start = threading.Barrier(30)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        station = Services.open(w.path, clock=w.clock)
        try:
            start.wait()
            station.authenticate(w.nurse.id, f"{100000 + n}")
            outcomes.append("in")
        except AuthError as exc:
            outcomes.append(exc.message)
        finally:
            station.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 30 and "in" not in outcomes
    assert len(checks) == limit
    nurse = w.s.staff_member(w.nurse.id)
    assert nurse.locked and nurse.failed_attempts == limit
    with pytest.raises(AuthError) as refused:
        w.s.authenticate(w.nurse.id, NURSE_PIN)  # the right PIN, after the limit
    assert "locked" in refused.value.message
    assert len(checks) == limit  # refused without being checked
    w.s.close()


@pytest.mark.parametrize("attempts", [0, -1, 2, 11, 10**9])
def test_the_lockout_limit_is_three_to_ten(tmp_path, attempts):
    w = make_world(tmp_path / "clinic.db")
    before = w.s.settings()
    with pytest.raises(ValidationError) as refused:
        w.s.save_settings(w.admin.id, replace(before, pin_attempts=attempts))
    assert refused.value.field == "pin_attempts"
    assert w.s.settings() == before
    w.s.close()


def test_the_limits_themselves_are_accepted(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    for attempts, shortest in ((3, 4), (10, 12)):
        saved = w.s.save_settings(w.admin.id, replace(w.s.settings(), pin_attempts=attempts,
                                                      min_pin_length=shortest))
        assert (saved.pin_attempts, saved.min_pin_length) == (attempts, shortest)
    for shortest in (3, 13):
        with pytest.raises(ValidationError) as refused:
            w.s.save_settings(w.admin.id, replace(w.s.settings(), min_pin_length=shortest))
        assert refused.value.field == "min_pin_length"
    w.s.close()


def test_a_stored_limit_outside_the_bounds_still_locks(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    repo.set_setting(w.s.db, "clinic.pin_attempts", 10**9, actor_id=None, at=T0)
    for _ in range(10):
        with pytest.raises(AuthError):
            w.s.authenticate(w.nurse.id, "000000")
    assert w.s.staff_member(w.nurse.id).locked
    w.s.close()


def test_a_four_digit_pin_with_minimum_six_must_be_changed(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    w.s.save_settings(w.admin.id, replace(w.s.settings(), min_pin_length=4))
    short = w.s.add_staff(w.admin.id, "Sho Rt", "RN", Role.NURSE, "2580", "2580")
    w.s.save_settings(w.admin.id, replace(w.s.settings(), min_pin_length=6))
    assert w.s.authenticate(short.id, "2580").id == short.id
    assert w.s.pin_change_due(short.id)
    assert not w.s.pin_change_due(w.nurse.id)
    with pytest.raises(ValidationError) as too_short:
        w.s.change_own_pin(short.id, "1357", "1357")
    assert "6 to 12 digits" in too_short.value.message
    with pytest.raises(ValidationError) as differ:
        w.s.change_own_pin(short.id, "135792", "135793")
    assert differ.value.field == "pin_again"
    w.s.change_own_pin(short.id, "135792", "135792")
    assert not w.s.pin_change_due(short.id)
    with pytest.raises(AuthError):
        w.s.authenticate(short.id, "2580")  # the old PIN is gone
    w.s.authenticate(short.id, "135792")
    assert not w.s.pin_change_due(short.id)
    with pytest.raises(ValidationError):  # and no new 4-digit PIN is given out
        w.s.add_staff(w.admin.id, "New Comer", "RN", Role.NURSE, "2468", "2468")
    w.s.close()


def test_the_backup_folder_cannot_be_the_key_files_folder(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    before = w.s.settings()
    with pytest.raises(ValidationError) as refused:
        w.s.save_settings(w.admin.id, replace(before, backup_dir=str(tmp_path)))
    assert refused.value.field == "backup_dir" and "key file" in refused.value.message
    assert w.s.settings() == before
    saved = w.s.save_settings(w.admin.id, replace(before, backup_dir=str(tmp_path / "b")))
    assert saved.backup_dir == str(tmp_path / "b")
    w.s.close()



def test_an_old_database_that_cannot_be_written_still_opens(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    nurse, legacy = _before_key_files(path)

    def read_only(*args, **kwargs):
        raise StorageError("attempt to write a readonly database")

    with monkeypatch.context() as patch:
        patch.setattr(creds, "adopt_key_file", read_only)
        s = Services.open(path)
        assert s.keys_problem == ""
        assert repo.get_pin_hash(s.db, nurse.id) == legacy  # adopted at a later start
        s.close()
    again = Services.open(path)
    assert repo.get_pin_hash(again.db, nurse.id).startswith("scrypt-hmac$")
    again.close()
