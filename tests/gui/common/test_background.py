"""The threads that read the whole record (quick check, recovery, record check) run at a
lower CPU priority than the thread that paints the screens."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from monitor_app.gui.common.background import BACKGROUND_NICENESS, give_way

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread priority: Linux")


def test_a_worker_thread_gives_way_and_the_gui_thread_keeps_its_priority():
    gui_thread = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, gui_thread)
    seen: list[int] = []

    def work() -> None:
        give_way()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen and seen[0] >= BACKGROUND_NICENESS > before
    assert os.getpriority(os.PRIO_PROCESS, gui_thread) == before


def test_the_quick_check_runs_in_a_thread_that_gives_way(qtbot, tmp_path, monkeypatch):
    from monitor_app.gui.app import IntegrityCheck
    from tests.helpers.world import make_world

    world = make_world(tmp_path / "c.db")
    priorities: list[int] = []
    check_integrity = world.s.check_integrity

    def noted() -> None:
        priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        check_integrity()

    monkeypatch.setattr(world.s, "check_integrity", noted)
    check = IntegrityCheck(world.s)
    check.start()
    assert check.done.wait(60)
    assert check.problem == ""
    assert priorities and priorities[0] >= BACKGROUND_NICENESS
    world.s.close()
