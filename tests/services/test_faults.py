"""Faults: each gives a message that says what happened, and the record stays whole.

Read-only storage and a full disk are real where the machine allows it: as root (where
chmod stops nothing) a small tmpfs is mounted and remounted read-only; without mount
rights the read-only test uses chmod (which does stop a non-root user). The full disk is
also produced anywhere on Linux by a child process with a small ``RLIMIT_FSIZE``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from monitor_app.domain.models import Role, ValidationError
from monitor_app.domain.protocol import ProtocolError
from monitor_app.services import Services
from monitor_app.storage.backup import backup_database
from monitor_app.storage.db import StorageError
from tests.helpers.world import (
    NURSE_PIN,
    World,
    answer_everything,
    count_rows,
    good,
    make_world,
    open_iv,
    to_ready,
    to_recovery,
)

pytestmark = pytest.mark.usefixtures("fast_pins")
ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def small_fs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``folder``; skips the test where mounting is not allowed."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _remount(folder: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(folder)], check=True)


# ---------------------------------------------------------------- read-only database
def test_read_only_database_is_refused_with_a_message(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        w = make_world(tmp_path / "c.db")
        w.s.close()
        os.chmod(w.path, 0o400)
        with pytest.raises(StorageError, match="read-only"):
            Services.open(w.path)
        return
    with small_fs(tmp_path / "fs", "4m") as fs:
        w = make_world(fs / "c.db")
        e = open_iv(w)
        first = w.s.record_observation(w.nurse.id, e.id, good()).observation.id
        w.s.close()  # a filesystem cannot be remounted read-only under an open writer
        _remount(fs, "ro")
        try:
            before = w.path.read_bytes()
            with pytest.raises(StorageError, match="read-only") as exc:
                Services.open(w.path)
            assert str(w.path) in str(exc.value)
            assert w.path.read_bytes() == before
        finally:
            _remount(fs, "rw")
        again = Services.open(w.path)
        assert [r.observation.id for r in again.episode_view(e.id).rows] == [first]
        assert again.verify() == []
        again.close()


# ---------------------------------------------------------------- disk full
def _fill_until_refused(w: World, episode: int) -> tuple[list[int], StorageError]:
    saved = []
    for _ in range(100_000):
        w.clock.advance(seconds=1)
        try:
            saved.append(w.s.record_observation(
                w.nurse.id, episode, good(note="x" * 2000)).observation.id)
        except StorageError as exc:
            return saved, exc
    raise AssertionError("the disk never filled up")


def test_disk_full_on_a_small_filesystem(tmp_path: Path) -> None:
    with small_fs(tmp_path / "fs", "1280k") as fs:  # a new clinic takes ~1 MB (its WAL)
        w = make_world(fs / "c.db")
        e = open_iv(w)
        saved, error = _fill_until_refused(w, e.id)
        assert saved, "nothing could be saved before the disk filled"
        assert "disk is full" in str(error) and "nothing was saved" in str(error)
        w.s.close()
        _remount(fs, "size=16m")  # the nurse frees space
        again = Services.open(w.path)
        stored = {r.observation.id for r in again.episode_view(e.id).rows}
        assert set(saved) <= stored
        assert again.verify() == []
        again.close()


FSIZE_CHILD = textwrap.dedent("""
    import resource, signal, sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from monitor_app.clock import FixedClock
    from monitor_app.services import Services
    from monitor_app.storage.db import StorageError

    db, episode, nurse, start = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    clock = FixedClock(datetime.fromisoformat(start))
    services = Services.open(db, clock=clock)
    limit = db.stat().st_size + 96 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    raw = {"hr": "70", "bp": "120/80", "spo2": "98", "rr": "14", "moaas": "5",
           "dissociation": "0", "note": "y" * 2000}
    for _ in range(100000):
        clock.advance(seconds=1)
        try:
            row = services.record_observation(nurse, episode, raw)
        except StorageError as exc:
            print("refused", exc, flush=True)
            break
        print("ok", row.observation.id, flush=True)
""")


@pytest.mark.slow
def test_disk_full_with_a_file_size_limit(tmp_path: Path) -> None:
    w = make_world(tmp_path / "c.db")
    e = open_iv(w)
    w.s.record_observation(w.nurse.id, e.id, good())
    w.s.close()
    done = subprocess.run(
        [sys.executable, "-c", FSIZE_CHILD, str(w.path), str(e.id), str(w.nurse.id),
         (w.clock.now() + timedelta(minutes=1)).isoformat()],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("refused "), lines[-3:]
    assert "disk is full or failing" in lines[-1]
    saved = {int(line.split()[1]) for line in lines if line.startswith("ok ")}
    assert saved
    again = Services.open(w.path)
    stored = {r.observation.id for r in again.episode_view(e.id).rows}
    assert saved <= stored and len(stored) == len(saved) + 1
    assert again.verify() == []
    again.close()


# ---------------------------------------------------------------- corrupt file, protocol
@pytest.mark.parametrize("content", [os.urandom(3000), b"SQLite format 3\x00" + bytes(5000),
                                     b"SQLite format 3\x00" + os.urandom(9000), b"SQLite"])
def test_corrupt_database_at_start_is_refused_and_untouched(tmp_path: Path,
                                                            content: bytes) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(content)
    with pytest.raises(StorageError) as exc:
        Services.open(path)
    assert str(path) in str(exc.value) and "backup" in str(exc.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db"]


@pytest.mark.parametrize(("old", "new", "key"), [
    ("during_interval_min = 10", 'during_interval_min = "ten"', "during_interval_min"),
    ("plausible = [20, 250]", "plausible = [250, 20]", "plausible"),
    ("[discharge.heart_rate]", "[discharge.heart_rhythm]", "heart_rhythm"),
    ('name = "IV ketamine infusion"', 'name = "IV ketamine infusion', "ketamine-iv.toml"),
])
def test_malformed_protocol_names_file_and_key(tmp_path: Path, old: str, new: str,
                                               key: str) -> None:
    folder = tmp_path / "protocols"
    shutil.copytree(ROOT / "resources" / "protocols", folder)
    target = folder / "ketamine-iv.toml"
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProtocolError) as exc:
        Services.open(tmp_path / "c.db", protocols_dir=folder)
    assert "ketamine-iv.toml" in str(exc.value)
    assert key in str(exc.value)
    assert not (tmp_path / "c.db").exists()  # nothing created before the protocols load


# ---------------------------------------------------------------- clock stepping back
def test_clock_stepping_back_an_hour_keeps_the_record_sane(tmp_path: Path) -> None:
    w = make_world(tmp_path / "c.db")
    e = open_iv(w)
    to_recovery(w, e.id)
    w.clock.advance(minutes=10)
    w.s.record_observation(w.nurse.id, e.id, good())
    real_now = w.clock.now()
    count = count_rows(w.path, "observations")
    w.clock.advance(hours=-1)  # the system clock jumps back
    board = w.s.board()
    assert board and board[0].status.state in ("ok", "due_soon", "due", "overdue")
    view = w.s.episode_view(e.id)
    assert len(view.rows) == count
    with pytest.raises(ValidationError) as exc:  # "now" by the old clock is the future now
        w.s.record_observation(w.nurse.id, e.id, good(), taken_at=real_now)
    assert exc.value.field == "taken_at" and "clock seems to have gone back" in str(exc.value)
    assert count_rows(w.path, "observations") == count
    # A save with the stepped-back time is still validated and audited like any other.
    try:
        w.s.record_observation(w.nurse.id, e.id, good())
        count += 1
    except ValidationError as refused:
        assert refused.field == "taken_at"
    w.clock.advance(hours=1, minutes=1)  # the clock is put right
    w.s.record_observation(w.nurse.id, e.id, good())
    assert count_rows(w.path, "observations") == count + 1
    assert w.s.verify() == []


# ---------------------------------------------------------------- secrets and modes
def test_pin_is_never_in_the_database_file(tmp_path: Path) -> None:
    w = make_world(tmp_path / "c.db")
    pin = "90817263"
    member = w.s.add_staff(w.admin.id, "Una Usual", "RN", Role.NURSE, pin, pin)
    w.s.authenticate(member.id, pin)
    with pytest.raises(ValidationError):
        w.s.authenticate(member.id, "90817264")
    w.s.reset_pin(member.id, member.id, "37261908", "37261908")
    files = [p for p in tmp_path.iterdir() if p.name.startswith("c.db")]
    assert any(p.name.endswith("-wal") for p in files)  # the WAL is checked too
    for path in files:
        data = path.read_bytes()
        for secret in (pin, "90817264", "37261908"):
            assert secret.encode() not in data, path.name
            assert secret.encode("utf-16-le") not in data, path.name
    w.s.close()


def test_files_and_folders_are_private(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "c.db"
    w = make_world(db)
    assert _mode(db) == 0o600
    assert _mode(db.parent) == 0o700 and _mode(db.parent.parent) == 0o700
    for suffix in ("-wal", "-shm"):
        sidecar = db.with_name(db.name + suffix)
        if sidecar.exists():
            assert _mode(sidecar) == 0o600, suffix
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert _mode(result.archived_to) == 0o600 and _mode(result.archived_to.parent) == 0o700
    sheet = w.s.write_sheet(e.id, tmp_path / "sheet.pdf")
    assert _mode(sheet) == 0o600
    copy = backup_database(w.s.db, tmp_path / "backups" / "nested" / "b.db")
    assert _mode(copy) == 0o600
    assert _mode(copy.parent) == 0o700 and _mode(copy.parent.parent) == 0o700
    w.s.close()


def test_archive_folder_missing_is_created(tmp_path: Path) -> None:
    w = make_world(tmp_path / "c.db")
    w.s.save_settings(w.admin.id, replace(w.s.settings(),
                                          archive_dir=str(tmp_path / "gone" / "archive")))
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    assert result.archive_problem == "" and result.archived_to.is_file()
    w.s.close()
