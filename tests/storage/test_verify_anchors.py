"""``monitor-app verify`` against anchors kept outside the file, read-only, schema-aware.

Each test is an attack that passed ``verify`` before anchors existed: a consistent
rewrite of the history, a rollback of the newest events, a dropped lock trigger, an
edited search index, a dropped audit table; and ``verify`` writing to what it checks.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

import monitor_app.domain.pins
from monitor_app import cli
from monitor_app.domain import pins
from monitor_app.storage import migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.backup import backup_database
from tests.helpers import tampering
from tests.helpers.clinic import make_clinic, minutes, vitals


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo clinic (signed sheets in its archive, a head file) and one backup."""
    folder = tmp_path_factory.mktemp("anchored")
    path = folder / "clinic.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(monitor_app.domain.pins, "COST", pins.TEST_COST)
        assert cli.main(["demo", "--db", str(path)]) == 0
    (folder / "backups").mkdir()
    assert cli.main(["backup", "--db", str(path), str(folder / "backups")]) == 0
    return folder


@pytest.fixture
def clinic_copy(demo_folder: Path, tmp_path: Path) -> Path:
    """A copy of the whole data folder: database, head file, archive, backups."""
    folder = tmp_path / "data"
    shutil.copytree(demo_folder, folder)
    return folder / "clinic.db"


def verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(["verify", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def problems(out: str) -> list[str]:
    return [line[4:] for line in out.splitlines() if line.startswith("  - ")]


def falsify(conn: sqlite3.Connection) -> None:
    """The attack of the issue: vitals and dose of a signed episode changed, an
    observation deleted, the administrator's PIN replaced by 0000."""
    episode_id, = conn.execute("SELECT episode_id FROM signatures WHERE kind = 'discharge' "
                               "ORDER BY id LIMIT 1").fetchone()
    first, second = [r[0] for r in conn.execute(
        "SELECT id FROM observations WHERE episode_id = ? ORDER BY id LIMIT 2", [episode_id])]
    conn.execute("UPDATE observations SET spo2 = 99, hr = 70 WHERE id = ?", [first])
    conn.execute("DELETE FROM observations WHERE id = ?", [second])
    conn.execute("UPDATE episodes SET dose_mg = dose_mg / 2 WHERE id = ?", [episode_id])
    conn.execute("UPDATE staff SET pin_hash = ? WHERE role = 'admin'",
                 [pins.hash_pin("0000", pepper=b"k" * 32, cost=pins.TEST_COST)])


def test_a_clean_demo_verifies_against_its_anchors(clinic_copy: Path, capsys) -> None:
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 0, out
    assert "1 head file(s)" in out and "1 backup(s)" in out and "5 sheet(s)" in out


def test_a_consistent_rewrite_is_caught_by_the_head_file(clinic_copy: Path, capsys) -> None:
    tampering.rewrite(clinic_copy, falsify)
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1
    found = problems(out)
    # the file agrees with itself: only anchors outside it can tell
    assert all("anchor" in p for p in found), found
    head = str(clinic_copy) + ".head"
    assert any(head in p for p in found), found


def test_without_the_head_file_the_sheets_and_backup_still_catch_it(clinic_copy: Path,
                                                                    capsys) -> None:
    tampering.rewrite(clinic_copy, falsify)
    Path(str(clinic_copy) + ".head").unlink()
    # the chart copies alone (the patient copies and REMS form carry the same anchors;
    # verify lists the first five disagreements)
    for extra in (clinic_copy.parent / "archive").glob("*_[pr]*.pdf"):
        extra.unlink()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1
    found = problems(out)
    assert any("rewritten before an anchor" in p and "sheet" in p
               and str(clinic_copy.parent / "archive") in p for p in found), found
    assert any("backup" in p and str(clinic_copy.parent / "backups") in p for p in found)


def test_anchors_given_on_the_command_line_count(clinic_copy: Path, tmp_path: Path,
                                                 capsys) -> None:
    """The attacker also rewrote everything beside the database; a copy kept
    elsewhere (a USB stick) still catches it."""
    kept = tmp_path / "usb"
    shutil.copytree(clinic_copy.parent / "archive", kept)
    tampering.rewrite(clinic_copy, falsify)
    for anchor_folder in ("archive", "backups"):
        shutil.rmtree(clinic_copy.parent / anchor_folder)
    Path(str(clinic_copy) + ".head").unlink()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 0 and "no anchor was found" in out  # nothing left to compare with
    code, out = verify(capsys, "--db", str(clinic_copy), "--anchors", str(kept))
    assert code == 1 and str(kept) in out


def test_a_rollback_of_the_newest_events_is_caught(tmp_path: Path, capsys) -> None:
    c = make_clinic(tmp_path)
    for n in range(3):
        repo.add_observation(c.db, c.episode.id, minutes(n), minutes(n), vitals(hr=80 + n),
                             c.nurse.id)
    backup_database(c.db, tmp_path / "backups" / "b.db")
    repo.add_observation(c.db, c.episode.id, minutes(5), minutes(5), vitals(), c.nurse.id)
    c.db.close()
    tampering.roll_back(c.path, events=2)
    code, out = verify(capsys, "--db", str(c.path))
    assert code == 1
    found = problems(out)
    assert all("anchor" in p for p in found), found
    assert any("rolled back past an anchor" in p and str(c.path) + ".head" in p
               for p in found), found
    assert any("rolled back past an anchor" in p and "b.db" in p for p in found), found


def test_a_dropped_lock_trigger_is_named(clinic_copy: Path, capsys) -> None:
    conn = sqlite3.connect(str(clinic_copy), isolation_level=None)
    conn.execute("DROP TRIGGER observations_signed_update")
    conn.close()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1
    assert problems(out) == ["trigger observations_signed_update is missing "
                             "(dropped outside the app)"]


def test_a_changed_trigger_is_named(clinic_copy: Path, capsys) -> None:
    conn = sqlite3.connect(str(clinic_copy), isolation_level=None)
    conn.execute("DROP TRIGGER observations_signed_update")
    conn.execute("CREATE TRIGGER observations_signed_update BEFORE UPDATE ON observations "
                 "WHEN 0 BEGIN SELECT 1; END")
    conn.close()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1 and "trigger observations_signed_update differs" in out


def test_an_edited_search_index_is_named(clinic_copy: Path, capsys) -> None:
    conn = sqlite3.connect(str(clinic_copy), isolation_level=None)
    conn.execute("UPDATE _patient_search SET name_key = 'someone else' WHERE rowid = 1")
    conn.close()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1 and "_patient_search does not match its source (rows 1)" in out


def test_a_damaged_search_index_is_named(clinic_copy: Path, capsys) -> None:
    conn = sqlite3.connect(str(clinic_copy), isolation_level=None)
    conn.execute("UPDATE _patient_search_data SET block = zeroblob(length(block)) "
                 "WHERE id = (SELECT max(id) FROM _patient_search_data)")
    conn.close()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1 and "_patient_search: the full-text index is damaged" in out


def test_a_dropped_audit_table_is_a_message_not_a_traceback(clinic_copy: Path,
                                                            capsys) -> None:
    conn = sqlite3.connect(str(clinic_copy), isolation_level=None)
    conn.execute("DROP TABLE audit")
    conn.close()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1
    assert any(p.startswith("the audit table is missing") for p in problems(out)), out


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())
            if p.is_file()}


def test_verify_writes_nothing_and_reads_a_read_only_copy(clinic_copy: Path, tmp_path: Path,
                                                          capsys) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    copy = folder / "clinic.db"
    shutil.copy(clinic_copy, copy)
    os.chmod(copy, 0o444)
    os.chmod(folder, 0o555)
    try:
        before = snapshot(folder)
        code, out = verify(capsys, "--db", str(copy))
        assert code == 0, out
        assert snapshot(folder) == before
    finally:
        os.chmod(folder, 0o755)


def test_verify_never_upgrades_an_older_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "older.db"
    db = sqlite_utils.Database(path)
    migrations.apply_migrations(db, stop_before="m005_patient_search")
    db.close()
    before = snapshot(tmp_path)
    code, out = verify(capsys, "--db", str(path))
    assert code == 0, out
    assert snapshot(tmp_path) == before
    assert "_patient_search" not in {r[0] for r in sqlite3.connect(str(path)).execute(
        "SELECT name FROM sqlite_master")}


def test_an_empty_file_is_not_an_intact_clinic(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    code, out = verify(capsys, "--db", str(path))
    assert code != 0 and "intact" not in out and "is empty" in out
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_an_edited_mrn_key_is_named(clinic_copy: Path, capsys) -> None:
    conn = sqlite3.connect(str(clinic_copy), isolation_level=None)
    conn.execute("UPDATE _patient_mrn_keys SET mrn_key = 'X' WHERE patient_id = 2")
    conn.close()
    code, out = verify(capsys, "--db", str(clinic_copy))
    assert code == 1 and "_patient_mrn_keys does not match its source (rows 2)" in out


def test_episodes_left_out_of_the_one_open_episode_index_are_not_tampering() -> None:
    from monitor_app.storage.record_check import _same_definition

    made = ("CREATE UNIQUE INDEX episodes_one_active_chair ON episodes(chair) "
            "WHERE phase NOT IN ('discharged', 'cancelled')")
    assert _same_definition(made, made + " AND id NOT IN (4, 9)")
    assert not _same_definition(made, made + " AND id NOT IN (4) OR 1")
    assert not _same_definition(made, made.replace("UNIQUE ", ""))


def test_the_demo_is_not_built_over_an_earlier_database_s_head_file(tmp_path: Path,
                                                                     capsys) -> None:
    path = tmp_path / "demo.db"
    Path(str(path) + ".head").write_text("{}")
    assert cli.main(["demo", "--db", str(path)]) == 2
    assert "head file of an earlier database" in capsys.readouterr().err
    assert not path.exists()
