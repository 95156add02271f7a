"""Storage fixtures: a small clinic on a temporary file database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.clinic import Clinic, make_clinic


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    c = make_clinic(tmp_path)
    yield c
    c.db.close()
