"""Nothing acknowledged is lost: SIGKILL during saves, and two processes saving at once.

The child (``tests/helpers/save_loop.py``) saves through ``Services.record_observation``
and prints each id as soon as the save returns. ``CRASH_ROUNDS`` (default 20) sets the
number of kills, so ``make bench`` can run a longer campaign.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor_app.services import Services
from tests.helpers.world import World, good, make_world, open_iv

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_pins")]

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("CRASH_ROUNDS", "20"))
SEED = int(os.environ.get("CRASH_SEED", "20261127"))


def _dosing_episode(w: World, chair: str, patient: int) -> int:
    e = open_iv(w, chair=chair, patient=patient)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())
    w.s.start_dosing(w.nurse.id, e.id)
    return e.id


@pytest.fixture
def clinic(tmp_path: Path) -> tuple[Path, int, int, int]:
    """A clinic with two episodes in dosing, prepared a few minutes in the past so the
    child's real clock is later than every stored time."""
    w = make_world(tmp_path / "c.db", start=datetime.now(UTC) - timedelta(minutes=10))
    first = _dosing_episode(w, "1", 0)
    second = _dosing_episode(w, "2", 1)
    w.s.close()
    return w.path, first, second, w.nurse.id


def _child(db: Path, episode: int, nurse: int, count: int = 0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.save_loop", str(db), str(episode),
         str(nurse), str(count)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _acknowledged(lines: list[str]) -> list[int]:
    """Ids of complete "ok" lines; a line cut by the kill has no newline and is ignored."""
    return [int(line.split()[1]) for line in lines
            if line.endswith("\n") and line.startswith("ok ")]


def _check_intact(db: Path, episode: int, acknowledged: set[int]) -> None:
    conn = sqlite3.connect(str(db))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    services = Services.open(db, defer_quick_check=True)  # integrity_check just ran
    try:
        stored = {r.observation.id for r in services.episode_view(episode).rows}
        assert acknowledged <= stored, sorted(acknowledged - stored)
        assert services.verify() == []
    finally:
        services.close()


@pytest.fixture
def fork_server(clinic, tmp_path: Path) -> Iterator[Callable[[float], list[str]]]:
    """A process that has imported the app once and forks a saving child per round.

    The returned function starts a child, waits for its first save, kills it with
    SIGKILL ``delay`` seconds later and returns every line it printed."""
    db, episode, _second, nurse = clinic
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.save_loop", "--fork-server", str(db),
         str(episode), str(nurse)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert server.stdin and server.stdout
    rounds = itertools.count()

    def kill_one(delay: float) -> list[str]:
        fifo = tmp_path / f"round-{next(rounds)}.fifo"
        os.mkfifo(fifo)
        server.stdin.write(f"{fifo}\n")
        server.stdin.flush()
        forked = server.stdout.readline()
        assert forked.startswith("pid "), forked + server.stderr.read()
        with open(fifo) as out:
            first = out.readline()  # wait for the first save: start-up is not the test
            assert first.startswith("ok "), first + out.read()
            time.sleep(delay)
            os.kill(int(forked.split()[1]), signal.SIGKILL)
            rest = out.read()
        assert server.stdout.readline() == f"exit {-signal.SIGKILL}\n"
        return [first, *rest.splitlines(keepends=True)]

    yield kill_one
    _, err = server.communicate(input="", timeout=60)
    assert server.returncode == 0, err
    assert "Traceback" not in err, err


def test_sigkill_never_loses_an_acknowledged_save(clinic, fork_server) -> None:
    db, episode, _second, _nurse = clinic
    rng = random.Random(SEED)
    acknowledged: set[int] = set()
    for round_no in range(ROUNDS):
        # A save takes a few milliseconds, so any window of many saves puts the kill at
        # a uniformly random point of the save cycle.
        lines = fork_server(rng.uniform(0.02, 0.15))
        assert not any(line.startswith("error") for line in lines), lines
        acknowledged |= set(_acknowledged(lines))
        _check_intact(db, episode, acknowledged)
        assert len(acknowledged) > round_no  # at least one save per round


def test_two_processes_saving_at_once_lose_nothing(clinic) -> None:
    db, first, second, nurse = clinic
    children = {first: _child(db, first, nurse, 50), second: _child(db, second, nurse, 50)}
    before = {e: len(_rows(db, e)) for e in children}
    for episode, child in children.items():
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert "Traceback" not in err and "database is locked" not in err, err
        lines = out.splitlines(keepends=True)
        assert len(lines) == 50
        for line in lines:
            assert line.startswith(("ok ", "busy ")), line
            if line.startswith("busy "):
                assert "try again" in line
        ok = _acknowledged(lines)
        assert set(ok) <= set(_rows(db, episode))
        assert len(_rows(db, episode)) == before[episode] + len(ok)
    _check_intact(db, first, set())


def _rows(db: Path, episode: int) -> list[int]:
    conn = sqlite3.connect(str(db))
    try:
        return [i for (i,) in conn.execute(
            "SELECT id FROM observations WHERE episode_id = ?", (episode,))]
    finally:
        conn.close()
