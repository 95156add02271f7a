"""The command line, run in-process through ``cli.main`` and once as a real process."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

import monitor_app.domain.pins
from monitor_app import cli
from monitor_app.demo import PATIENTS
from monitor_app.domain import pins
from tests.helpers.cli import one_clear_line, run
from tests.helpers.clinic import drop_all_triggers, raw

ROOT = Path(__file__).resolve().parents[2]


def test_demo_prints_every_pin(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(monitor_app.domain.pins, "COST", pins.TEST_COST)
    path = tmp_path / "new.db"
    code, out, _ = run(capsys, "demo", "--db", str(path))
    assert code == 0 and path.is_file()
    for pin in ("1111", "2222", "3333", "4444"):
        assert f"PIN {pin}" in out
    assert "Helen O'Connor" in out


def test_demo_refuses_an_existing_database(demo_copy: Path, capsys) -> None:
    before = demo_copy.read_bytes()
    code, _, err = run(capsys, "demo", "--db", str(demo_copy))
    assert code != 0
    assert "already exists" in one_clear_line(err)
    assert demo_copy.read_bytes() == before


def test_episodes_json_lists_the_demo(demo_db: Path, capsys) -> None:
    code, out, _ = run(capsys, "episodes", "--db", str(demo_db), "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 5
    for row in rows:
        assert row["number"].startswith("E-")
        assert row["patient"] and row["protocol"] in ("ketamine-iv", "esketamine-rems")
        assert row["phase"] in ("pre-check", "dosing", "recovery", "ready")
        assert "next_due" in row
    assert {r["protocol"] for r in rows} == {"ketamine-iv", "esketamine-rems"}
    names = {r["patient"] for r in rows}
    assert names <= {name for _mrn, name, _dob, _sex in PATIENTS}  # kept exactly
    assert any(not name.isascii() for name in names)
    code, out, _ = run(capsys, "episodes", "--db", str(demo_db), "--json", "--all")
    assert {"discharged", "cancelled"} <= {r["phase"] for r in json.loads(out)}


def test_the_episodes_list_says_why_an_episode_was_cancelled(demo_db: Path, capsys) -> None:
    rows = json.loads(run(capsys, "episodes", "--db", str(demo_db), "--json", "--all")[1])
    cancelled = next(r for r in rows if r["phase"] == "cancelled")
    assert cancelled["cancelled_reason"] == "Patient felt unwell before dosing; rebooked"
    _, out, _ = run(capsys, "episodes", "--db", str(demo_db), "--all")
    assert "cancelled: Patient felt unwell before dosing; rebooked" in out


def test_db_before_or_after_the_command(demo_db: Path, capsys) -> None:
    after = run(capsys, "episodes", "--db", str(demo_db), "--json")
    before = run(capsys, "--db", str(demo_db), "episodes", "--json")
    assert after[0] == before[0] == 0
    assert json.loads(after[1]) == json.loads(before[1])


def test_verify_passes_then_names_an_altered_row(demo_copy: Path, capsys) -> None:
    code, out, _ = run(capsys, "verify", "--db", str(demo_copy))
    assert code == 0 and "intact" in out
    conn = raw(demo_copy)
    drop_all_triggers(conn)  # what an attacker at the sqlite3 shell would do first
    (obs_id,) = conn.execute("SELECT min(id) FROM observations").fetchone()
    conn.execute("UPDATE observations SET hr = hr + 1 WHERE id = ?", (obs_id,))
    conn.close()
    code, out, _ = run(capsys, "verify", "--db", str(demo_copy))
    assert code == 1
    assert f"observations row {obs_id}" in out and "hr" in out


def test_pdf_writes_the_sheet(demo_db: Path, tmp_path: Path, capsys) -> None:
    episodes = json.loads(run(capsys, "episodes", "--db", str(demo_db), "--json", "--all")[1])
    signed = next(e for e in episodes if e["phase"] == "discharged")
    out = tmp_path / "sheet.pdf"
    code, _, _ = run(capsys, "pdf", "--db", str(demo_db), signed["number"], "-o", str(out))
    assert code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert signed["patient"] in text and signed["number"] in text


def test_pdf_of_an_unknown_episode_is_one_clear_line(demo_db: Path, tmp_path: Path,
                                                     capsys) -> None:
    out = tmp_path / "x.pdf"
    code, _, err = run(capsys, "pdf", "--db", str(demo_db), "E-1999-99999", "-o", str(out))
    assert code != 0
    assert "E-1999-99999" in one_clear_line(err)
    assert not out.exists()


@pytest.mark.parametrize("episode", [
    "", "   ", "x" * 100_000, "9" * 5000, "99999999999999999999", "²", "-1",
    "'; DROP TABLE episodes; --", "1 OR 1=1", "E-2026-00001\x00", "\x1b[31mred\x07",
    "E-2026-%", "\u202eE-2026-00001",
])
def test_bad_episode_arguments_are_refused_clearly(demo_db: Path, tmp_path: Path, capsys,
                                                   episode: str) -> None:
    before = demo_db.read_bytes()
    code, _, err = run(capsys, "pdf", "--db", str(demo_db), episode, "-o",
                       str(tmp_path / "x.pdf"))
    assert code != 0
    line = one_clear_line(err)
    assert len(line) < 300
    assert demo_db.read_bytes() == before
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("argv", [
    ["frobnicate"], ["pdf"], ["episodes", "--json", "--bogus"], ["backup"],
])
def test_bad_commands_are_usage_errors(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code != 0
    one_clear_line(capsys.readouterr().err)


def test_backup_copy_is_private_and_verifies(demo_db: Path, tmp_path: Path, capsys) -> None:
    dest = tmp_path / "backups" / "b.db"
    dest.parent.mkdir()
    code, out, _ = run(capsys, "backup", "--db", str(demo_db), str(dest))
    assert code == 0
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert f"the key file {demo_db}.keys" in out  # said to be kept apart
    assert [p.name for p in dest.parent.iterdir()] == ["b.db"]
    assert run(capsys, "verify", "--db", str(dest))[0] == 0
    code, _, err = run(capsys, "backup", "--db", str(demo_db), str(dest))
    assert code != 0 and "already exists" in one_clear_line(err)


@pytest.mark.parametrize("content", [
    os.urandom(4096),
    b"SQLite format 3\x00" + os.urandom(8192),
    b"hello, I am a text file\n",
])
def test_a_corrupt_database_is_refused_and_untouched(tmp_path: Path, capsys,
                                                     content: bytes) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    for command in (["verify"], ["episodes"], ["backup", str(tmp_path / "b.db")]):
        code, _, err = run(capsys, *command, "--db", str(path))
        assert code != 0
        assert str(path) in one_clear_line(err)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.db"]


def test_a_truncated_database_is_refused_and_untouched(demo_db: Path, tmp_path: Path,
                                                       capsys) -> None:
    path = tmp_path / "half.db"
    path.write_bytes(demo_db.read_bytes()[: demo_db.stat().st_size // 2])
    before = path.read_bytes()
    code, _, err = run(capsys, "episodes", "--db", str(path))
    assert code != 0 and str(path) in one_clear_line(err)
    assert path.read_bytes() == before


def test_missing_database_is_not_created_by_verify(tmp_path: Path, capsys) -> None:
    path = tmp_path / "nope.db"
    code, _, err = run(capsys, "verify", "--db", str(path))
    assert code != 0 and str(path) in one_clear_line(err)
    assert not path.exists()


@pytest.mark.slow
def test_real_process_verify_and_tamper(demo_copy: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "monitor_app", "--db", str(demo_copy), "verify"]
    ok = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    conn = sqlite3.connect(str(demo_copy), isolation_level=None)
    drop_all_triggers(conn)
    conn.execute("DELETE FROM observations WHERE id = (SELECT max(id) FROM observations)")
    conn.close()
    bad = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1
    assert "observations" in bad.stdout and "Traceback" not in bad.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "monitor_app", "pdf", "--db", str(demo_copy), "nope", "-o",
         str(demo_copy.parent / "x.pdf")], capture_output=True, text=True, env=env,
        timeout=120)
    assert missing.returncode != 0
    one_clear_line(missing.stderr)
