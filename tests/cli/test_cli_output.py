"""Issue 9, findings 6 and 8: ``pdf -o`` never destroys a file it was not asked to
replace, and bytes that are not UTF-8 on the command line are one clear line."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from monitor_app import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clinic(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "clinic.db"
    shutil.copy(demo_db, copy)
    return copy


def _episode(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT number FROM episodes ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def pdf(capsys, db: Path, output: Path | str, *extra: str) -> tuple[int, str]:
    code = cli.main(["pdf", "--db", str(db), _episode(db), "-o", str(output), *extra])
    _out, err = capsys.readouterr()
    assert "Traceback" not in err
    if code != 0:
        assert len(err.strip().splitlines()) == 1 and err.startswith("monitor-app: "), err
    return code, err


def _no_temporaries(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("extra", [(), ("--force",)])
def test_the_database_itself_is_never_overwritten(clinic: Path, capsys, extra) -> None:
    before = clinic.read_bytes()
    code, err = pdf(capsys, clinic, clinic, *extra)
    assert code != 0 and "clinic's database" in err
    assert clinic.read_bytes() == before
    for companion in ("-wal", "-shm", "-journal"):
        target = Path(str(clinic) + companion)
        if companion == "-journal":
            target.write_bytes(b"x")
        code, err = pdf(capsys, clinic, target, *extra)
        assert code != 0 and "clinic's database" in err
    _no_temporaries(clinic.parent)


@pytest.mark.parametrize("extra", [(), ("--force",)])
def test_the_clinics_key_file_is_never_overwritten(demo_db: Path, clinic: Path, capsys,
                                                   extra) -> None:
    keys = Path(str(clinic) + ".keys")
    shutil.copy(Path(str(demo_db) + ".keys"), keys)
    before = keys.read_bytes()
    code, err = pdf(capsys, clinic, keys, *extra)
    assert code != 0 and "clinic's database" in err
    assert keys.read_bytes() == before
    _no_temporaries(clinic.parent)


def test_an_existing_file_is_kept_unless_forced(clinic: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "sheet.pdf"
    out.write_text("my notes")
    code, err = pdf(capsys, clinic, out)
    assert code != 0 and "already exists" in err and "--force" in err
    assert out.read_text() == "my notes"
    code, _ = pdf(capsys, clinic, out, "--force")
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    fresh = tmp_path / "new.pdf"
    assert pdf(capsys, clinic, fresh)[0] == 0 and fresh.read_bytes().startswith(b"%PDF")
    _no_temporaries(tmp_path)


@pytest.mark.parametrize("extra", [(), ("--force",)])
def test_a_link_is_never_followed_or_replaced(clinic: Path, tmp_path: Path, capsys,
                                              extra) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    link = tmp_path / "link.pdf"
    link.symlink_to(precious)
    code, err = pdf(capsys, clinic, link, *extra)
    assert code != 0 and "symbolic link" in err
    assert precious.read_text() == "keep me" and link.is_symlink()
    to_db = tmp_path / "db-link.pdf"
    to_db.symlink_to(clinic)
    assert pdf(capsys, clinic, to_db, *extra)[0] != 0
    dangling = tmp_path / "dangling.pdf"
    dangling.symlink_to(tmp_path / "nowhere.pdf")
    assert pdf(capsys, clinic, dangling, *extra)[0] != 0
    assert not (tmp_path / "nowhere.pdf").exists()


@pytest.mark.parametrize("extra", [(), ("--force",)])
def test_a_fifo_a_device_or_a_folder_is_refused(clinic: Path, tmp_path: Path, capsys,
                                                extra) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    code, err = pdf(capsys, clinic, fifo, *extra)  # would block for ever if opened
    assert code != 0 and "not a regular file" in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    code, err = pdf(capsys, clinic, "/dev/null", *extra)
    assert code != 0 and "not a regular file" in err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    code, err = pdf(capsys, clinic, tmp_path, *extra)
    assert code != 0 and "folder" in err
    assert pdf(capsys, clinic, tmp_path / "no" / "x.pdf", *extra)[0] != 0


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    [b"pdf", b"E-\xff\xfe", b"-o", b"x.pdf"],
    [b"--db", b"/tmp/caf\xe9.db", b"episodes"],
])
def test_arguments_that_are_not_utf8_are_one_clear_line(tmp_path: Path, argv) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "monitor_app", *argv], capture_output=True,
                          env=env, cwd=tmp_path, timeout=120)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "not valid UTF-8" in err


@pytest.mark.parametrize("target", ["db", "link"])
def test_the_csv_export_obeys_the_same_rule(clinic: Path, tmp_path: Path, capsys,
                                            target) -> None:
    output = clinic
    if target == "link":
        output = tmp_path / "out.csv"
        output.symlink_to(clinic)
    before = clinic.read_bytes()
    code = cli.main(["export-csv", "--db", str(clinic), "-o", str(output), "--force"])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert clinic.read_bytes() == before
