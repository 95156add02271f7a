"""Python's cyclic garbage collector, paused while the GUI starts.

The way to the board creates a few hundred thousand objects (classes, functions, Qt
wrappers) and next to no garbage, yet the collector walks them again and again as they
pile up (about 15 ms of CPU of the start). The entry point pauses it before the GUI is
imported; once the board is painted, what exists then is frozen (never walked again,
so the station's later collections stay short) and collection resumes. Only a pause
made here is resumed here: a process that never paused (the tests) is left alone.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
