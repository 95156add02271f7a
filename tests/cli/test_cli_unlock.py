"""``monitor-app unlock-staff``: the IT person's way back for a locked-out administrator."""

from __future__ import annotations

import io
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import monitor_app.domain.pins
from monitor_app.domain import pins
from monitor_app.services import Services
from monitor_app.services.errors import AuthError
from monitor_app.storage import audit
from tests.helpers.cli import one_clear_line, run

ADMIN = "Alex Morgan"
OS_USER = "it-person"


@pytest.fixture(autouse=True)
def _os_user_and_cheap_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", OS_USER)  # getpass.getuser() reads it first
    monkeypatch.setattr(monitor_app.domain.pins, "COST", pins.TEST_COST)


def lock_out(db: Path, name: str = ADMIN) -> int:
    """Five wrong PINs, as at the station; returns the member's id."""
    services = Services.open(db)
    try:
        member = services.local_admin.find_staff(name)
        for _ in range(5):
            with pytest.raises(AuthError):
                services.authenticate(member.id, "9999")
        assert services.staff_member(member.id).locked
        return member.id
    finally:
        services.close()


def member_state(db: Path, staff_id: int) -> tuple[bool, int]:
    services = Services.open(db)
    try:
        member = services.staff_member(staff_id)
        return member.locked, member.failed_attempts
    finally:
        services.close()


def signs_in(db: Path, staff_id: int, pin: str) -> bool:
    services = Services.open(db)
    try:
        services.authenticate(staff_id, pin)
        return True
    except AuthError:
        return False
    finally:
        services.close()


def test_unlock_staff_by_name_clears_the_lock_and_is_audited(demo_copy, capsys):
    admin = lock_out(demo_copy)
    code, out, err = run(capsys, "unlock-staff", ADMIN, "--db", str(demo_copy))
    assert (code, err) == (0, "")
    assert f"{ADMIN} (id {admin}) is unlocked" in out and repr(OS_USER) in out
    assert member_state(demo_copy, admin) == (False, 0)
    assert signs_in(demo_copy, admin, "1111")

    with sqlite3.connect(demo_copy) as conn:
        rows = conn.execute("SELECT action, staff_id, os_user FROM local_admin_actions"
                            ).fetchall()
    assert rows == [("unlock", admin, OS_USER)]
    services = Services.open(demo_copy)
    try:
        staff_events = audit.events(services.db, table_name="staff", row_id=admin)
        local_events = audit.events(services.db, table_name="local_admin_actions")
    finally:
        services.close()
    unlock = [e for e in staff_events if e.action == "unlock_cli"]
    assert len(unlock) == 1 and unlock[0].actor_id is None
    assert unlock[0].after["locked"] == 0 and unlock[0].after["failed_attempts"] == 0
    assert [(e.action, e.after["os_user"]) for e in local_events] == [("unlock_cli", OS_USER)]
    assert local_events[0].id + 1 == unlock[0].id  # written together, one action
    assert run(capsys, "verify", "--db", str(demo_copy))[0] == 0


def test_unlock_staff_by_id(demo_copy, capsys):
    nurse = lock_out(demo_copy, "Priya Shah")
    code, out, _ = run(capsys, "unlock-staff", str(nurse), "--db", str(demo_copy))
    assert code == 0 and "Priya Shah" in out
    assert member_state(demo_copy, nurse) == (False, 0)


def test_unknown_name_is_one_line_exit_2_and_changes_nothing(demo_copy, capsys):
    lock_out(demo_copy)
    before = demo_copy.read_bytes()
    code, out, err = run(capsys, "unlock-staff", "Alex", "--db", str(demo_copy))
    assert code == 2 and out == ""
    line = one_clear_line(err)
    assert "no staff member named or numbered 'Alex'" in line and ADMIN in line
    assert demo_copy.read_bytes() == before


def add_twin_as_before_names_were_unique(db_path: Path, name: str) -> int:
    """The app now refuses a second member with a taken name; files from before hold some."""
    from monitor_app.storage import repository_base as base
    from monitor_app.storage.db import open_db

    db = open_db(db_path)
    try:
        with base.transaction(db):
            row = base.insert_row(db, "staff", {"name": name, "credentials": "RN",
                                                "role": "nurse"},
                                  action="add_staff", actor_id=1, at=datetime.now(UTC))
    finally:
        db.close()
    return int(row["id"])


def test_ambiguous_name_asks_for_the_id(demo_copy, capsys):
    twin_id = add_twin_as_before_names_were_unique(demo_copy, "Priya  shah")
    code, _, err = run(capsys, "unlock-staff", "Priya Shah", "--db", str(demo_copy))
    assert code == 2
    line = one_clear_line(err)
    assert "2 staff members are named 'Priya Shah'" in line and str(twin_id) in line


def test_an_account_that_is_not_locked_is_left_alone(demo_copy, capsys):
    before = demo_copy.read_bytes()
    code, out, _ = run(capsys, "unlock-staff", ADMIN, "--db", str(demo_copy))
    assert code == 0 and "is not locked; nothing changed" in out
    assert demo_copy.read_bytes() == before


def test_reset_pin_reads_the_new_pin_twice(demo_copy, capsys, monkeypatch):
    admin = lock_out(demo_copy)
    monkeypatch.setattr(sys, "stdin", io.StringIO("8642\n8642\n"))
    code, out, _ = run(capsys, "unlock-staff", ADMIN, "--reset-pin", "--db", str(demo_copy))
    assert code == 0 and "given the new PIN" in out
    assert signs_in(demo_copy, admin, "8642")
    assert not signs_in(demo_copy, admin, "1111")
    with sqlite3.connect(demo_copy) as conn:
        assert conn.execute("SELECT action FROM local_admin_actions").fetchall() == [
            ("unlock_and_reset_pin",)]
    assert run(capsys, "verify", "--db", str(demo_copy))[0] == 0


def test_reset_pin_with_two_different_pins_changes_nothing(
        demo_copy, capsys, monkeypatch):
    admin = lock_out(demo_copy)
    before = demo_copy.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.StringIO("8642\n8643\n"))
    code, _, err = run(capsys, "unlock-staff", ADMIN, "--reset-pin", "--db", str(demo_copy))
    assert code == 2 and "differ" in one_clear_line(err)
    assert demo_copy.read_bytes() == before
    assert member_state(demo_copy, admin) == (True, 5)


def test_unlock_staff_needs_an_existing_database(tmp_path, capsys):
    code, _, err = run(capsys, "unlock-staff", ADMIN, "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no database" in one_clear_line(err)
    assert not (tmp_path / "none.db").exists()
