"""scripts/screenshots.py keeps working: it makes the README's pictures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]  # a process that draws the demo board

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"


def test_the_screenshot_script_draws_the_board(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--only",
                           "board"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    picture = tmp_path / "board.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
