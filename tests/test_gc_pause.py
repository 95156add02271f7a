"""The collector is paused only by the GUI's entry point, and resumed once."""

from __future__ import annotations

import gc

from monitor_app import gc_pause


def test_resume_leaves_a_collector_nobody_paused_alone() -> None:
    frozen = gc.get_freeze_count()
    gc_pause.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # nothing frozen for a process that never paused


def test_pause_then_resume_turns_collection_back_on() -> None:
    gc_pause.pause()
    try:
        assert not gc.isenabled()
    finally:
        gc_pause.resume()
    assert gc.isenabled()
    gc_pause.resume()  # a second resume changes nothing
    assert gc.isenabled()
    gc.unfreeze()  # the rest of the test session collects as before
