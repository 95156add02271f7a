"""The head file written beside the save, not inside it.

Rewriting ``<db>.head`` (temporary file, fsync, rename) costs one more fsync, which
the nurse would wait for on every save. So the commit only hands the new anchor to
one background thread and returns; the thread writes the newest anchor of each
database (an older one still waiting is dropped: the newest wins, and the file never
goes back to an older event than this process wrote).

What this changes for the record: the database's own durability does not move (the
save is committed with ``synchronous=FULL`` before the anchor is handed over, so the
head file never names an event the database could lack). A crash in the
milliseconds between a commit and its head write leaves the head file one anchor
behind the chain; ``verify`` notes that and does not call it tampering, and the next
open rewrites it. A head file ahead of the database (saves lost) stays an error.

``flush`` waits until the anchors handed over for one database are on disk; it runs
at close, before ``verify`` reads the head file, before a backup, an export and
``accept-loss``; and for every database at interpreter exit.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
from typing import Protocol


class Target(Protocol):
    """What the writer needs of a database's guard (``file_guard.FileGuard``)."""

    def write_anchor(self, anchor: tuple[int, str, str]) -> None:
        """Write the head file; a failure is kept on the target, never raised."""


class HeadWriter:
    def __init__(self) -> None:
        self._cond = threading.Condition()  # guards the two below; ``flush`` waits on it
        self._pending: dict[Target, tuple[int, str, str]] = {}
        self._writing: set[Target] = set()
        # One token per hand-over wakes the thread: cheaper for the saving thread than
        # a notify on the condition (half the time; it is on every save's path).
        self._wake: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def submit(self, target: Target, anchor: tuple[int, str, str]) -> None:
        """Write ``anchor`` for ``target`` soon, replacing one not yet written."""
        with self._cond:
            waiting = self._pending.get(target)
            if waiting is None or waiting[0] < anchor[0]:
                self._pending[target] = anchor
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="head file writer",
                                                daemon=True)
                self._thread.start()
        self._wake.put(None)

    def flush(self, target: Target | None = None) -> None:
        """Wait until every anchor handed over for ``target`` (None: for every
        database) is written or has failed (the failure is kept on the guard)."""
        with self._cond:
            while self._busy_with(target):
                self._cond.wait()

    def _busy_with(self, target: Target | None) -> bool:
        if target is None:
            return bool(self._pending or self._writing)
        return target in self._pending or target in self._writing

    def _run(self) -> None:
        while True:
            self._wake.get()
            while True:  # every anchor pending, a token or not (more tokens: no work)
                with self._cond:
                    if not self._pending:
                        break
                    target, anchor = self._pending.popitem()
                    self._writing.add(target)
                try:
                    target.write_anchor(anchor)
                except Exception:  # the guard keeps its failures; the thread lives on
                    pass
                finally:
                    with self._cond:
                        self._writing.discard(target)
                        self._cond.notify_all()


WRITER = HeadWriter()


def _fresh_in_child() -> None:
    """A forked child has none of the parent's threads, and maybe a held lock: start over."""
    global WRITER
    WRITER = HeadWriter()


def writer() -> HeadWriter:
    return WRITER


os.register_at_fork(after_in_child=_fresh_in_child)
atexit.register(lambda: WRITER.flush())
