from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.history import History, build_history


@pytest.fixture(scope="module")
def built_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """Built once per module (signing hashes PINs): tests that write use ``history``."""
    return build_history(tmp_path_factory.mktemp("history"))


@pytest.fixture
def history(tmp_path: Path) -> History:
    return build_history(tmp_path)
