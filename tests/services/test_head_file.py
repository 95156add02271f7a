"""The head file written in the background: a save does not wait for its fsync, close
waits for it, and a head file left behind by a crash is not taken for tampering (while
one ahead of the database, saves lost, still is)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from monitor_app import cli
from monitor_app.services import Services
from monitor_app.services.errors import StorageError
from monitor_app.storage import anchors
from tests.helpers.world import World, good, make_world, open_iv

pytestmark = pytest.mark.usefixtures("fast_pins")


def head_event(w: World) -> int:
    return anchors.read_head_file(anchors.head_path(w.path)).event_id


def last_event(w: World) -> tuple[int, str, str]:
    row = w.s.db.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return int(row[0]), str(row[1]), str(row[2])


def saved_world(tmp_path: Path, saves: int = 3) -> World:
    w = make_world(tmp_path / "clinic.db")
    e = open_iv(w)
    for n in range(saves):
        w.clock.advance(minutes=5)
        w.s.record_observation(w.nurse.id, e.id, good(hr=str(70 + n)))
    return w


def test_a_save_returns_before_its_head_file_is_written(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    w = saved_world(tmp_path, saves=1)
    w.s.verify_record()  # waits for the head file
    before = head_event(w)
    held = threading.Event()
    write_head = anchors.write_head

    def slow_disk(*args: object) -> None:
        held.wait(timeout=10)
        write_head(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(anchors, "write_head", slow_disk)
    e = w.s.board()[0].episode_id
    w.clock.advance(minutes=5)
    saved = w.s.record_observation(w.nurse.id, e, good(hr="90"))  # the disk is held
    assert head_event(w) == before  # the save is confirmed; its anchor is on the way
    assert saved.observation.id in {r.observation.id for r in w.s.episode_view(e).rows}
    held.set()
    newest = last_event(w)[0]
    w.s.close()
    assert head_event(w) == newest


def test_close_waits_for_the_head_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = saved_world(tmp_path, saves=1)
    write_head = anchors.write_head

    def slow_disk(*args: object) -> None:
        time.sleep(0.3)  # a slow fsync on the writer's thread, not a wait in the test
        write_head(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(anchors, "write_head", slow_disk)
    e = w.s.board()[0].episode_id
    w.clock.advance(minutes=5)
    w.s.record_observation(w.nurse.id, e, good(hr="91"))
    newest = last_event(w)[0]
    w.s.close()
    assert head_event(w) == newest


def test_a_head_file_behind_the_chain_is_noted_not_tampering(tmp_path: Path,
                                                             capsys) -> None:
    """A crash between two saves' commits and their head writes: the head file names
    an older event of the same chain."""
    w = saved_world(tmp_path)
    newest = last_event(w)[0]
    older = w.s.db.execute("SELECT id, hash, at FROM audit WHERE id = ?",
                           [newest - 2]).fetchone()
    w.s.close()
    anchors.write_head(w.path, *older)
    assert cli.main(["verify", "--db", str(w.path)]) == 0
    out = capsys.readouterr().out
    assert "behind the chain by 2 event(s)" in out, out
    assert "rolled back" not in out and "rewritten" not in out
    s = Services.open(w.path)  # not refused; it anchors the chain's end again
    s.close()
    assert head_event(w) == newest


def test_a_head_file_ahead_of_the_chain_stays_an_error(tmp_path: Path, capsys) -> None:
    """Saves lost (a truncated file, an older copy put in place): the head file names
    an event the database does not hold."""
    w = saved_world(tmp_path)
    newest, digest, at = last_event(w)
    w.s.close()
    anchors.write_head(w.path, newest + 3, digest, at)
    assert cli.main(["verify", "--db", str(w.path)]) == 1
    out = capsys.readouterr().out
    assert "rolled back past an anchor" in out and "behind the chain" not in out
    with pytest.raises(StorageError, match="3 audit event\\(s\\) of confirmed saves were lost"):
        Services.open(w.path)
