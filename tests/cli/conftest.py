"""Fixtures for the command-line tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor_app.storage.keyfile import key_file_path


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo clinic with its key file (PINs are checked with its pepper)."""
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    shutil.copy(key_file_path(demo_db), key_file_path(copy))
    return copy
