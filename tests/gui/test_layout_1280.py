"""Every screen fits a 1280x800 monitor (and a 1366x768 one): checked on a real X server
(Xvfb, xcb).

The probe (``tests/helpers/layout_probe.py``) runs in its own process, because pytest-qt's
application in this one is offscreen and a process has one Qt platform. It opens each
screen as it first appears and maximised, and reports every named control (the stable
handles) that is not on the screen, every word-wrapped label shorter than its text
needs (its last lines cut off), and how many observation rows the episode window
shows. Xvfb comes from scripts/system-deps.sh; without it the test is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.layout_probe_dialogs import DIALOGS

pytestmark = [pytest.mark.gui, pytest.mark.xvfb, pytest.mark.slow]

PROBE = Path(__file__).parents[1] / "helpers" / "layout_probe.py"
WIDTH, HEIGHT = 1280, 800
MIN_ROWS = 8


@contextmanager
def xvfb(width: int, height: int) -> Iterator[str]:
    """A fresh Xvfb of that size on a free display number (Xvfb picks it: -displayfd)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (scripts/system-deps.sh installs it)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number.isdigit(), "Xvfb did not report its display number"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def probe(width: int, height: int) -> dict:
    with xvfb(width, height) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        env.pop("WAYLAND_DISPLAY", None)
        done = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True,
                              text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def report() -> dict:
    return probe(WIDTH, HEIGHT)


def offenders_of(report: dict) -> dict:
    return {name: screen["offenders"] for name, screen in report["screens"].items()
            if screen["offenders"]}


def test_the_display_is_1280_by_800(report: dict) -> None:
    assert report["screen"] == [WIDTH, HEIGHT]


def test_every_named_control_of_every_screen_is_on_a_1280x800_screen(report: dict) -> None:
    expected = {"board maximised", "episode chair 7", "discharge iv chair 7 maximised",
                "discharge rems chair 9", "new episode with errors", "settings", "staff",
                "history", "rems queue", "month at a glance", "monitor settings",
                "monitor settings maximised", "monitor log", "monitor log maximised"}
    assert expected <= set(report["screens"])
    offenders = offenders_of(report)
    assert offenders == {}, json.dumps(offenders, indent=1)


def test_every_screen_also_fits_a_1366x768_monitor() -> None:
    wide = probe(1366, 768)
    assert wide["screen"] == [1366, 768]
    offenders = offenders_of(wide)
    assert offenders == {}, json.dumps(offenders, indent=1)
    assert wide["screens"]["episode chair 7 maximised"]["visible_rows"] >= MIN_ROWS
    assert labels_cut_of(wide) == {}, json.dumps(labels_cut_of(wide), indent=1)


def test_twelve_chairs_fit_the_board_without_scrolling(report: dict) -> None:
    board = report["screens"]["board maximised"]
    assert board["rows"] == 12
    assert board["visible_rows"] == 12
    assert board["vertical_scroll"] == 0 and board["horizontal_scroll"] == 0
    assert board["cells_cut"] == []  # every line of every cell fits its row


def test_the_lock_screen_shows_all_twelve_chairs_on_screen(report: dict) -> None:
    lock = report["screens"]["lock screen"]
    assert lock["chairs"] == 12 and lock["offenders"] == []


def test_the_episode_window_shows_at_least_eight_observation_rows(report: dict) -> None:
    episodes = {name: screen for name, screen in report["screens"].items()
                if name.startswith("episode")}
    assert len(episodes) >= 8
    for name, screen in episodes.items():
        assert screen["capacity"] >= MIN_ROWS, name
        assert screen["visible_rows"] >= min(MIN_ROWS, screen["rows"]), name
    assert episodes["episode chair 7 maximised"]["rows"] >= MIN_ROWS  # a long episode


def labels_cut_of(report: dict) -> dict:
    return {name: screen["labels_cut"] for name, screen in report["screens"].items()
            if screen["labels_cut"]}


def test_every_wrapped_label_of_every_screen_shows_its_whole_text(report: dict) -> None:
    """A REMS question or a settings hint cut at its last line may be answered wrongly."""
    expected = {"discharge rems chair 9", "discharge rems chair 9 maximised", "settings",
                "settings maximised", "monitor settings", "monitor log", *DIALOGS}
    assert expected <= set(report["screens"])
    cut = labels_cut_of(report)
    assert cut == {}, json.dumps(cut, indent=1)
