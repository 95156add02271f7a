"""Issue 9, findings 9 and 10 (clock): leftovers of an interrupted run are finished or
cleared at start, backups are pruned by when they were made, and a clock stepped back
is named as the cause."""

from __future__ import annotations

import io
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from monitor_app import cli
from monitor_app.domain.models import ValidationError
from monitor_app.services.backups import backups_in
from tests.helpers.world import (
    NURSE_PIN,
    World,
    answer_everything,
    count_rows,
    good,
    open_iv,
    to_ready,
    to_recovery,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


def _signed(w: World, patient: int = 0, chair: str = "1") -> int:
    e = open_iv(w, chair=chair, patient=patient)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    return e.id


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(data)).pages)


def _archived(w: World) -> list[str]:
    return sorted(p.name for p in w.s.archive_dir().glob("*.pdf"))


# ---------------------------------------------------------------- missing archived sheets
def test_a_signed_episode_without_its_archived_sheet_gets_it(w: World, capsys):
    first, second = _signed(w), _signed(w, patient=1, chair="2")
    archive = w.s.archive_dir()
    names = _archived(w)
    assert len(names) == 4  # the chart and the patient copy of each
    for path in archive.glob("*.pdf"):  # killed between signing and archiving
        path.unlink()
    assert w.s.signed_without_archive() == [first, second]

    assert cli.main(["recover", "--db", str(w.path)]) == 0
    out = capsys.readouterr().out
    assert out.count("Archived the missing sheet") == 2
    assert sorted(p.name for p in archive.glob("*.pdf")) == names
    assert cli.main(["recover", "--db", str(w.path)]) == 0
    assert "Nothing to recover" in capsys.readouterr().out


def test_an_addendum_missing_from_the_archived_sheet_is_added(w: World, monkeypatch):
    episode_id = _signed(w)
    archived = next(p for p in w.s.archive_dir().glob("*.pdf") if "_patient" not in p.name)
    monkeypatch.setattr(type(w.s.cases.sheets), "archive_sheet",
                        lambda self, eid, state=None: (None, "killed"))  # stopped before archiving
    w.clock.advance(minutes=30)
    w.s.add_addendum(w.nurse.id, NURSE_PIN, episode_id, "Escort phoned: home safely.")
    monkeypatch.undo()
    assert "home safely" not in pdf_text(archived.read_bytes())
    assert w.s.signed_without_archive() == [episode_id]
    before = archived.read_bytes()
    added = archived.with_name(archived.stem + "_addendum-1.pdf")
    assert w.s.recover().archived == [added]  # beside the first version, never over it
    assert "home safely" in pdf_text(added.read_bytes())
    assert archived.read_bytes() == before
    assert w.s.signed_without_archive() == []


def test_recovery_reports_an_unwritable_archive_and_changes_nothing(w: World, tmp_path):
    _signed(w)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    w.s.save_settings(w.admin.id, replace(w.s.settings(), archive_dir=str(blocker / "a")))
    before = count_rows(w.path, "audit")
    report = w.s.recover()
    assert report.archived == [] and len(report.problems) == 1
    assert "signed and saved" in report.problems[0]
    assert count_rows(w.path, "audit") == before


# ---------------------------------------------------------------- stale temporaries
def _age(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def test_stale_temporary_files_of_the_app_are_removed_and_nothing_else(w: World):
    _signed(w)
    w.s.backup_now()
    data, archive, backups = w.path.parent, w.s.archive_dir(), w.s.backup_dir()
    stale = [
        archive / ".2026-11-27_MRN-0000_E-2026-00001.pdf.k3j9x2ab.tmp",  # write_pdf
        data / ".sheet.pdf.0a1b2c3d4e5f.tmp",  # output_file
        data / ".E-2026-00001.fhir.json.9f8e7d6c5b4a.tmp",
        backups / ".monitor-backup-20261127-090000.db.partial",
        backups / ".monitor-backup-20261127-090000.db.partial-journal",
    ]
    kept = [
        data / ".sheet.pdf.1a2b3c4d5e6f.tmp",  # young: maybe being written now
        Path(str(w.path) + "-journal"),  # a hot journal is part of the database
        Path(str(w.path) + ".keys"),
        Path(str(w.path) + ".head"),
        data / "notes.tmp",
        data / ".editor-swap.tmp",
        archive / "scan.partial",
    ]
    for path in stale + kept:
        path.write_bytes(b"x")
        _age(path, 3600)
    _age(kept[0], 10)
    wal = Path(str(w.path) + "-wal")
    report = w.s.recover()
    assert sorted(report.removed) == sorted(stale)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    assert w.path.exists() and wal.exists()
    assert w.s.verify() == []


# ---------------------------------------------------------------- backups by creation
def test_backups_made_in_the_same_second_keep_the_newest(w: World):
    w.s.save_settings(w.admin.id, replace(w.s.settings(), backups_kept=2))
    made = [w.s.backup_now() for _ in range(3)]  # the fixed clock does not move
    assert [p.name for p in made] == ["monitor-backup-20261127-090000.db",
                                      "monitor-backup-20261127-090000-2.db",
                                      "monitor-backup-20261127-090000-3.db"]
    assert set(backups_in(w.s.backup_dir())) == set(made[1:])
    assert backups_in(w.s.backup_dir())[0] == made[2]


def test_a_backup_made_after_the_clock_stepped_back_is_kept(w: World):
    w.s.save_settings(w.admin.id, replace(w.s.settings(), backups_kept=2))
    w.clock.advance(hours=5)
    ahead = [w.s.backup_now()]
    w.clock.advance(minutes=1)
    ahead.append(w.s.backup_now())
    w.clock.advance(hours=-5)  # the clock is put right
    after = w.s.backup_now()
    remaining = backups_in(w.s.backup_dir())
    assert after in remaining and remaining[0] == after
    assert remaining == [after, ahead[1]]


# ---------------------------------------------------------------- a clock stepped back
def test_a_clock_stepped_back_says_so_and_what_to_do(w: World):
    e = open_iv(w)
    to_recovery(w, e.id)
    w.clock.advance(hours=-2)
    _refused_for_the_clock(w, lambda: w.s.record_observation(w.nurse.id, e.id, good()))
    second = open_and_dose(w)
    _refused_for_the_clock(w, lambda: w.s.end_dosing(w.nurse.id, second))
    w.clock.advance(hours=2, minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())


def _refused_for_the_clock(w: World, call) -> None:
    before = count_rows(w.path, "audit")
    with pytest.raises(ValidationError) as refused:
        call()
    message = refused.value.message
    assert "clock seems to have gone back by about 2 h " in message
    assert "Check the system clock and time zone" in message
    assert count_rows(w.path, "audit") == before


def open_and_dose(w: World) -> int:
    """An episode dosing since a moment the clock has since gone back past."""
    w.clock.advance(hours=2)
    e = open_iv(w, chair="2", patient=1)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())
    w.s.start_dosing(w.nurse.id, e.id)
    w.clock.advance(hours=-2, minutes=-1)
    return e.id


def test_an_old_time_typed_by_hand_is_still_refused_as_before(w: World):
    e = open_iv(w)
    with pytest.raises(ValidationError, match="before the episode started"):
        w.s.record_observation(w.nurse.id, e.id, good(),
                               taken_at=w.clock.now().replace(hour=6))
