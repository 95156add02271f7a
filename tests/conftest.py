"""Suite-wide set-up: Qt runs offscreen; nothing touches the user's real data folder."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point the default database at a temp folder, so no test writes to ~/.local."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MONITOR_APP_DB", str(home / "monitor.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    yield
