"""PINs: shape, slow salted and peppered hash, constant-time check, and lockout."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor_app.domain import pins
from monitor_app.domain.models import ValidationError
from monitor_app.storage import audit
from monitor_app.storage import repository as repo
from tests.helpers.clinic import T0, make_clinic, minutes

PEPPER = b"p" * 32


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(pins, "COST", pins.TEST_COST)


@pytest.mark.parametrize("pin", ["1234", "0000", "000000000000", "987654"])
def test_four_to_twelve_digits_are_accepted(pin):
    pins.validate_pin(pin)


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", " 1234", "12 34",
                                 "١٢٣٤", "１２３４", None, 1234])
def test_anything_else_is_refused_on_the_pin_field(pin):
    with pytest.raises(ValidationError) as caught:
        pins.validate_pin(pin)
    assert caught.value.field == "pin"
    assert "4 to 12 digits" in caught.value.message


def test_the_hash_never_contains_the_pin_and_is_salted():
    pin = "73914682"
    first, second = pins.hash_pin(pin, pepper=PEPPER), pins.hash_pin(pin, pepper=PEPPER)
    assert pin not in first
    assert first != second  # a fresh random salt each time
    assert first.startswith("argon2id-hmac$m=8,t=1,p=1$")


def test_the_right_pin_matches_and_a_wrong_one_does_not():
    stored = pins.hash_pin("2468", pepper=PEPPER)
    assert pins.check_pin("2468", stored, pepper=PEPPER)
    assert not pins.check_pin("2469", stored, pepper=PEPPER)
    assert not pins.check_pin("24680", stored, pepper=PEPPER)
    assert not pins.check_pin("", stored, pepper=PEPPER)


def test_a_peppered_hash_needs_the_same_pepper():
    stored = pins.hash_pin("2468", pepper=PEPPER)
    assert not pins.check_pin("2468", stored, pepper=None)
    assert not pins.check_pin("2468", stored, pepper=b"q" * 32)


@pytest.mark.parametrize("stored", [None, "", "2468", "scrypt$n=16,r=1,p=1$$",
                                    "bcrypt$x$y$z", "scrypt$n=3,r=1,p=1$AAAAAAAAAAA=$AAAA",
                                    "scrypt$n=16,r=1,p=1$not base64!$AAAA",
                                    "argon2id-hmac$m=8,t=1,p=1$$"])
def test_a_missing_or_damaged_hash_never_matches(stored):
    assert not pins.check_pin("2468", stored, pepper=PEPPER)


def test_the_cost_is_stored_with_the_hash_so_old_hashes_keep_working():
    cheap = pins.hash_pin("1357", pepper=PEPPER)
    stronger = pins.Argon2Cost(m=64, t=2, p=1)
    strong = pins.hash_pin("1357", pepper=PEPPER, cost=stronger)
    assert pins.hash_cost(cheap) == pins.TEST_COST
    assert pins.hash_cost(strong) == stronger
    assert pins.check_pin("1357", cheap, pepper=PEPPER)
    assert pins.check_pin("1357", strong, pepper=PEPPER)
    assert pins.needs_rehash(strong) and not pins.needs_rehash(cheap)


def test_first_format_hashes_still_verify_and_can_be_wrapped_with_the_pepper():
    legacy = pins.hash_legacy("1357", pins.ScryptCost(n=16, r=1, p=1))
    assert pins.check_pin("1357", legacy, pepper=None)  # no pepper in the old format
    assert pins.needs_rehash(legacy)
    wrapped = pins.wrap_legacy(legacy, PEPPER)
    assert wrapped is not None and wrapped.startswith("scrypt-hmac$")
    assert pins.check_pin("1357", wrapped, pepper=PEPPER)
    assert not pins.check_pin("1358", wrapped, pepper=PEPPER)
    assert not pins.check_pin("1357", wrapped, pepper=None)
    assert pins.needs_rehash(wrapped)
    assert pins.wrap_legacy(wrapped, PEPPER) is None  # wrapped once only


def test_the_default_cost_is_slow_enough():
    # argon2id, 64 MiB per guess, 3 passes: about 180 ms per check here
    assert pins.DEFAULT_COST.m >= 64 * 1024 and pins.DEFAULT_COST.t >= 3


def test_hash_pin_refuses_a_malformed_pin():
    with pytest.raises(ValidationError):
        pins.hash_pin("12", pepper=PEPPER)


def test_the_clinic_minimum_is_checked_for_new_pins():
    pins.validate_pin("123456", 6)
    with pytest.raises(ValidationError) as short:
        pins.validate_pin("1234", 6)
    assert short.value.field == "pin" and "6 to 12 digits" in short.value.message


# --- storage of the hash and the lockout --------------------------------------------


@pytest.fixture
def clinic(tmp_path: Path):
    c = make_clinic(tmp_path)
    yield c
    c.db.close()


def test_the_database_keeps_only_the_hash(clinic):
    db, n = clinic.db, clinic.nurse.id
    assert repo.get_pin_hash(db, n) is None
    repo.set_pin_hash(db, n, pins.hash_pin("8642", pepper=PEPPER), actor_id=n, at=T0)
    stored = repo.get_pin_hash(db, n)
    assert pins.check_pin("8642", stored, pepper=PEPPER)
    row = db.execute("SELECT * FROM staff WHERE id = ?", [n]).fetchone()
    assert "8642" not in " ".join(str(v) for v in row)


def test_the_account_locks_at_the_fifth_wrong_pin(clinic):
    db, n = clinic.db, clinic.nurse.id
    for attempt in range(1, 5):
        staff = repo.record_pin_failure(db, n, actor_id=n, at=minutes(attempt))
        assert staff.failed_attempts == attempt and not staff.locked
    staff = repo.record_pin_failure(db, n, actor_id=n, at=minutes(5))
    assert staff.failed_attempts == 5 and staff.locked
    assert repo.get_staff(db, n).locked
    actions = [e.action for e in audit.events(db, table_name="staff", row_id=n)]
    assert actions.count("pin_failure") == 5


def test_the_lockout_count_comes_from_the_caller(clinic):
    db, n = clinic.db, clinic.nurse.id
    repo.record_pin_failure(db, n, actor_id=n, at=T0, lock_at=3)
    repo.record_pin_failure(db, n, actor_id=n, at=T0, lock_at=3)
    assert not repo.get_staff(db, n).locked
    assert repo.record_pin_failure(db, n, actor_id=n, at=T0, lock_at=3).locked


def test_a_right_pin_resets_the_count_and_an_admin_unlocks(clinic):
    db, n, admin = clinic.db, clinic.nurse.id, clinic.prescriber.id
    repo.record_pin_failure(db, n, actor_id=n, at=T0)
    repo.record_pin_failure(db, n, actor_id=n, at=T0)
    assert repo.record_pin_success(db, n, at=T0).failed_attempts == 0
    for _ in range(5):
        repo.record_pin_failure(db, n, actor_id=n, at=T0)
    still_locked = repo.record_pin_success(db, n, actor_id=n, at=T0)
    assert still_locked.locked  # a right PIN does not lift a lockout
    unlocked = repo.unlock_staff(db, n, actor_id=admin, at=minutes(1))
    assert not unlocked.locked and unlocked.failed_attempts == 0


def test_setting_a_new_pin_clears_a_lockout(clinic):
    db, n = clinic.db, clinic.nurse.id
    for _ in range(5):
        repo.record_pin_failure(db, n, actor_id=n, at=T0)
    staff = repo.set_pin_hash(db, n, pins.hash_pin("1111", pepper=PEPPER),
                              actor_id=clinic.prescriber.id, at=T0)
    assert not staff.locked and staff.failed_attempts == 0
    assert audit.verify(db) == []


def test_a_pin_failure_is_audited_as_the_person_who_tried(clinic):
    db, n = clinic.db, clinic.nurse.id
    repo.record_pin_failure(db, n, at=minutes(1))
    [event] = audit.events(db, table_name="staff", row_id=n)[-1:]
    assert (event.action, event.actor_id, event.at) == ("pin_failure", n, minutes(1))
