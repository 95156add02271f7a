"""Run a command (the app) with the monitor simulator beside it; stop the simulator when
the command ends, however it ends. Used by ``make demo``:

    python scripts/with_simulator.py --port 2575 --devices MON-01,MON-02 -- monitor-app --db X

Options before ``--`` go to scripts/monitor_sim.py; the simulator's output goes to
``--log`` (default: nowhere). Exits with the command's exit code.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SIMULATOR = Path(__file__).with_name("monitor_sim.py")


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print("usage: with_simulator.py [--log FILE] [simulator options] -- command ...",
              file=sys.stderr)
        return 2
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    log_path = None
    if "--log" in options:
        at = options.index("--log")
        log_path = options[at + 1]
        del options[at:at + 2]
    log = open(log_path, "a", encoding="utf-8") if log_path else subprocess.DEVNULL  # noqa: SIM115
    simulator = subprocess.Popen([sys.executable, str(SIMULATOR), *options],
                                 stdout=log, stderr=subprocess.STDOUT)
    print(f"monitor simulator running (pid {simulator.pid})", flush=True)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 130
    finally:
        simulator.terminate()
        try:
            simulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            simulator.kill()
            simulator.wait()
        if log_path:
            log.close()  # type: ignore[union-attr]
        print(f"monitor simulator stopped (pid {simulator.pid})", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
