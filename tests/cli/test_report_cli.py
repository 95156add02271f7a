"""`monitor-app report --db PATH --from DATE --to DATE -o FILE.pdf|.csv`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from monitor_app.cli import main
from tests.helpers.history import build_history


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    build_history(folder).s.close()
    return folder / "history.db"


def run(db: Path, *args: str) -> int:
    return main(["report", "--db", str(db), "--from", "2026-11-01", "--to", "2026-11-30",
                 *args])


def test_report_writes_a_pdf_and_a_csv(db: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, "-o", str(tmp_path / "nov.pdf")) == 0
    text = PdfReader(tmp_path / "nov.pdf").pages[0].extract_text()
    assert "month at a glance" in text and "2026-11-01 to 2026-11-30" in text
    assert run(db, "-o", str(tmp_path / "nov.csv")) == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "nov.csv").read_text("utf-8"))))
    assert ["sessions", "total", "13"] in rows
    assert "Wrote the report" in capsys.readouterr().out


def test_report_never_writes_over_a_file_or_the_database(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "old.csv"
    existing.write_text("keep me")
    assert run(db, "-o", str(existing)) == 2
    assert existing.read_text() == "keep me"
    assert run(db, "-o", str(db), "--force") == 2
    assert run(db, "-o", str(tmp_path / "nov.txt")) == 2
    assert ".pdf or .csv" in capsys.readouterr().err


def test_report_with_a_bad_date_says_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--db", str(db), "--from", "2026-11-31", "--to", "2026-11-30",
                 "-o", "x.pdf"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
