"""An output folder the app cannot write in is named as such (attack pass: `pdf -o
/sys/x.pdf` said "/sys/.x.pdf.1a607b6bf629.tmp: Permission denied", a file name
nobody typed; under /proc it said "No such file or directory")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor_app import cli

READ_ONLY = Path("/sys")  # read-only even for root on Linux


def _read_only(folder: Path) -> bool:
    probe = folder / ".monitor-app-probe"
    try:
        probe.open("x").close()
    except OSError:
        return True
    probe.unlink()
    return False


@pytest.fixture
def clinic(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "clinic.db"
    shutil.copy(demo_db, copy)
    return copy


@pytest.mark.skipif(not _read_only(READ_ONLY), reason="needs a read-only /sys")
@pytest.mark.parametrize("command", [
    ["pdf", "E-2026-00001"],
    ["report", "--from", "2026-11-01", "--to", "2026-11-30"],
])
def test_an_unwritable_folder_is_named_with_the_file_typed(clinic, capsys, command):
    target = READ_ONLY / "sheet.pdf"
    code = cli.main([*command, "--db", str(clinic), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{target}: cannot write in the folder {READ_ONLY}" in err
    assert ".tmp" not in err and "Traceback" not in err
