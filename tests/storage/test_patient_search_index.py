"""The patient search's full-text index answers a word's prefix from an index of its
own, so a word many patients share costs no more than a rare one (the 5-year bench
history: every one of its 10,000 patients is named "Patient ...").

EXPLAIN QUERY PLAN shows any FTS5 MATCH alike ("VIRTUAL TABLE INDEX 0:M1"): whether
FTS5 steps through a prefix index or merges the list of every word with that prefix
is decided by its table definition, so that is what is checked here. The time it
saves is measured by `make bench` (board load + patient search).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import sqlite_utils

from monitor_app.storage import audit, migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from monitor_app.storage.record_check import check_record
from tests.helpers.clinic import T0

LONGEST_PREFIX_INDEXED = 12


def prefix_lengths(db: sqlite_utils.Database) -> set[int]:
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = '_patient_search'"
                     ).fetchone()[0]
    found = re.search(r"prefix\s*=\s*'([0-9 ]*)'", sql)
    return {int(n) for n in found.group(1).split()} if found else set()


def test_every_search_word_up_to_12_letters_has_its_prefix_index(tmp_path: Path) -> None:
    db = open_db(tmp_path / "clinic.db")
    assert prefix_lengths(db) >= set(range(1, LONGEST_PREFIX_INDEXED + 1))
    db.close()


def test_an_older_file_gets_the_prefix_indexes_and_still_finds_its_patients(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply_migrations(old, stop_before="m017_patient_search_prefixes")
    assert prefix_lengths(old) == {1, 2, 3}
    nurse = repo.add_staff(old, "Old Timer", "RN", "nurse", actor_id=None, at=T0)
    for n in range(30):
        repo.add_patient(old, f"OLD{n:03d}", f"Patient {n:06d} Lovelace", date(1970, 1, 1),
                         actor_id=nurse.id, at=T0)
    old.close()
    db = open_db(path)
    assert "m017_patient_search_prefixes" not in migrations.pending_migrations(db)
    assert prefix_lengths(db) >= set(range(1, LONGEST_PREFIX_INDEXED + 1))
    assert [p.mrn for p in repo.find_patients(db, "patient 000017")] == ["OLD017"]
    assert [p.mrn for p in repo.find_patients(db, "lovel 00002")] == [
        f"OLD{n:03d}" for n in range(20, 30)]
    added = repo.add_patient(db, "NEW1", "Ada Lovelace", date(1980, 1, 1),
                               actor_id=nurse.id, at=T0)  # the m005 triggers still write
    assert added.id in [p.id for p in repo.find_patients(db, "ada lovelace")]
    assert audit.verify(db) == []
    assert check_record(db.conn, []).problems == []  # schema and index as the app makes them
    db.close()
