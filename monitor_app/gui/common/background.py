"""Worker threads give way to the GUI thread.

The quick check, start-up recovery and the record check read the whole record in
threads of their own. On a busy computer they would take CPU time from the thread that
builds and paints the screens; at a lower priority they take what it leaves.
"""

from __future__ import annotations

import os
import sys
import threading

BACKGROUND_NICENESS = 10


def give_way() -> None:
    """Lower the calling thread's CPU priority (Linux sets it per thread); elsewhere,
    or when the system refuses, nothing changes."""
    if sys.platform != "linux":
        return
    try:
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(current, BACKGROUND_NICENESS))
    except OSError:
        pass
