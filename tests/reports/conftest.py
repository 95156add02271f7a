"""Fixtures for the export and sheet tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.world import World, make_world


@pytest.fixture
def world(tmp_path: Path, fast_pins: None) -> Iterator[World]:
    w = make_world(tmp_path / "clinic.db")
    yield w
    w.s.close()
