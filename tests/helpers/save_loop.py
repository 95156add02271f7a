"""Child process for the crash and concurrency tests: save observations through the real
service path and report each one the moment the save returns.

    python -m tests.helpers.save_loop DB EPISODE_ID NURSE_ID COUNT
    python -m tests.helpers.save_loop --fork-server DB EPISODE_ID NURSE_ID

COUNT 0 means "until killed". Each line is one of::

    ok <observation id>        the save returned: the observation is committed
    busy <message>             refused with a retryable StorageError (nothing saved)
    error <type>: <message>    any other refusal (the test fails on these)

With ``--fork-server`` the process imports the app once, then for each FIFO path read
on stdin forks a child that opens the FIFO, writes its lines there and saves until
killed; the server prints ``pid <n>`` when it forks and ``exit <code>`` when that child
is gone. Each child is a fresh process with its own database connection, so killing it
is the same test as killing a newly started interpreter, without paying for the
interpreter and the imports on every round.
"""

from __future__ import annotations

import itertools
import os
import sys
import traceback
from pathlib import Path
from typing import TextIO

from monitor_app.services import Services
from monitor_app.storage.db import StorageError


def save_loop(db: Path, episode_id: int, nurse_id: int, count: int, out: TextIO) -> None:
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
                  file=out, flush=True)
            continue
        print(f"ok {row.observation.id}", file=out, flush=True)
    services.close()


def fork_server(db: Path, episode_id: int, nurse_id: int) -> int:
    while fifo := sys.stdin.readline().strip():
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                with open(fifo, "w") as out:
                    try:
                        save_loop(db, episode_id, nurse_id, 0, out)
                    except BaseException:
                        out.write("error " + traceback.format_exc().replace("\n", " | "))
                        code = 1
            finally:
                os._exit(code)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if argv[0] == "--fork-server":
        return fork_server(Path(argv[1]), int(argv[2]), int(argv[3]))
    save_loop(Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3]), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
