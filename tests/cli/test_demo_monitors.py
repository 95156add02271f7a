"""`make demo` with bedside monitors: the demo clinic listens for the simulator, and the
simulator runs beside the app and stops when the app exits (scripts/with_simulator.py)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
from pathlib import Path

import pytest

from monitor_app.cli import main
from monitor_app.domain import pins
from monitor_app.services import Services

ROOT = Path(__file__).resolve().parents[2]


def test_demo_with_monitors_turns_them_on_for_the_simulators_devices(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pins, "COST", pins.TEST_COST)
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db), "--monitors", "2599"]) == 0
    assert "Bedside monitors on, port 2599" in capsys.readouterr().out
    services = Services.open(db)
    try:
        settings = services.monitor.settings()
        assert settings.enabled and settings.port == 2599
        chairs = dict(settings.chairs)
        active = {row.chair for row in services.board()}
        assert {chairs["MON-01"], chairs["MON-02"], chairs["MON-03"]} <= active
        assert chairs["MON-05"] not in active  # its readings show in the log, for nobody
    finally:
        services.close()


def test_demo_without_monitors_leaves_them_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pins, "COST", pins.TEST_COST)
    assert main(["demo", "--db", str(tmp_path / "demo.db")]) == 0
    services = Services.open(tmp_path / "demo.db")
    assert services.monitor.settings().enabled is False
    services.close()


def test_the_simulator_sends_while_the_app_runs_and_stops_when_it_exits(tmp_path, fast_pins):
    """The "app" here is a small program that exits once the station has had a reading
    from the simulator (the test writes the file it waits for)."""
    from monitor_app.services.monitor import MonitorSettings
    from tests.helpers.world import make_world

    w = make_world(tmp_path / "clinic.db")
    w.s.monitor.save_settings(w.admin.id, MonitorSettings(
        enabled=True, allowlist=("MON-01",), chairs=(("MON-01", "1"),)))
    from datetime import UTC, datetime  # the simulator stamps readings with the real time

    w.clock.advance(seconds=(datetime.now(UTC) - w.clock.now()).total_seconds() + 60)
    readings: queue.Queue = queue.Queue()
    address = w.s.monitor.start(readings.put, port=0)
    assert address is not None
    go = tmp_path / "go"
    app = ("import pathlib, sys, time\n"
           f"flag = pathlib.Path({str(go)!r})\n"
           "limit = time.monotonic() + 60\n"
           "while not flag.exists() and time.monotonic() < limit:\n"
           "    time.sleep(0.05)\n"
           "sys.exit(7 if flag.exists() else 1)\n")
    run = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "with_simulator.py"), "--log",
         str(tmp_path / "sim.log"), "--port", str(address[1]), "--devices", "MON-01",
         "--every", "0.2", "--", sys.executable, "-c", app],
        stdout=subprocess.PIPE, text=True)
    try:
        reading = readings.get(timeout=60)
        assert reading.device == "MON-01" and reading.chair == "1"
    finally:
        go.write_text("")
        out, _ = run.communicate(timeout=60)
        w.s.close()
    assert run.returncode == 7  # the app's own exit code
    pid = int(out.split("(pid ")[1].split(")")[0])
    assert f"monitor simulator stopped (pid {pid})" in out
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped: no simulator left behind
    assert ": AA" in (tmp_path / "sim.log").read_text()
