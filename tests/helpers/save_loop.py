"""Child process for the crash and concurrency tests: save observations through the real
service path and report each one on stdout the moment the save returns.

    python -m tests.helpers.save_loop DB EPISODE_ID NURSE_ID COUNT

COUNT 0 means "until killed". Each line is one of::

    ok <observation id>        the save returned: the observation is committed
    busy <message>             refused with a retryable StorageError (nothing saved)
    error <type>: <message>    any other refusal (the test fails on these)
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from monitor_app.services import Services
from monitor_app.storage.db import StorageError


def main(argv: list[str]) -> int:
    db, episode_id, nurse_id, count = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    services = Services.open(db)
    steps = itertools.count() if count == 0 else range(count)
    for i in steps:
        raw = {"hr": str(60 + i % 40), "bp": f"{110 + i % 30}/{70 + i % 15}", "spo2": "98",
               "rr": "14", "moaas": "5", "dissociation": "0"}
        try:
            row = services.record_observation(nurse_id, episode_id, raw)
        except StorageError as exc:
            retryable = getattr(exc, "retryable", False)
            print(f"{'busy' if retryable else 'error'} {type(exc).__name__}: {exc}",
                  flush=True)
            continue
        print(f"ok {row.observation.id}", flush=True)
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
