"""The REMS count on a clinic that has filed years of esketamine forms.

    python benchmarks/rems_history.py [DB] [--filed N] [--unfiled M] [--runs R]

Builds (once, cached at DB, default .bench/rems-20000.db) a history of N signed
esketamine sessions whose form was filed and M not filed yet, written through the real
repository (audited, ``verify`` passes), then times the board's REMS count
(``rems_queue.counts()``) and the queue's list (``queue()``) in this thread's CPU time:
R runs after 3 warm ones; prints the median and the spread, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor_app.clock import FixedClock
from tests.helpers.rems_filed import NOW, build_rems_history


def cpu_ms(call, runs: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    for _ in range(3):
        call()
    times = []
    for _ in range(runs):
        t = time.thread_time()
        call()
        times.append((time.thread_time() - t) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", nargs="?", type=Path)
    parser.add_argument("--filed", type=int, default=20_000)
    parser.add_argument("--unfiled", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    path = args.db or Path(f".bench/rems-{args.filed}.db")
    build_rems_history(path, args.filed, args.unfiled)
    from monitor_app.services import Services

    services = Services.open(path, clock=FixedClock(NOW))
    try:
        queue = services.rems_queue
        counts = queue.counts()
        items = queue.queue()
        print(f"{path}: {counts.text!r}; queue lists {len(items)} forms "
              f"({sum(i.outstanding for i in items)} to file)")
        for name, call in (("counts()", queue.counts), ("queue()", queue.queue)):
            median, low, high = cpu_ms(call, args.runs)
            print(f"{name}: {median:.2f} ms CPU (median of {args.runs}; {low:.2f}-{high:.2f})")
    finally:
        services.close()


if __name__ == "__main__":
    main()
