from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor_app.clock import FixedClock
from monitor_app.services import Services
from tests.helpers.world import World


@pytest.fixture
def services(tmp_path: Path, fast_pins: None) -> Iterator[Services]:
    """A new clinic with only its administrator (Ada Admin, id 1, PIN 1111) in
    tmp_path/clinic.db, on a fixed clock."""
    s = Services.open(tmp_path / "clinic.db", clock=FixedClock(datetime(2026, 11, 27, 9,
                                                                         tzinfo=UTC)))
    s.setup_clinic("Clinic", "Ada Admin", "RN", "1111", "1111", min_pin_length=4)
    yield s
    s.close()


@pytest.fixture
def other_program(w: World) -> Iterator[sqlite3.Connection]:
    """Another program's connection to the clinic's file; a test takes the write lock
    with it (``BEGIN IMMEDIATE``), and it is rolled back when the test ends."""
    conn = sqlite3.connect(str(w.path), isolation_level=None)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()
