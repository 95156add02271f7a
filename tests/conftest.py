"""Suite-wide set-up: Qt runs offscreen; nothing touches the user's real data folder.

Fixtures shared by more than one test folder live here; plain builders are in
tests/helpers/ and are imported normally."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

import monitor_app.domain.pins
from monitor_app import cli
from monitor_app.domain import pins
from tests.helpers.history import History, build_history
from tests.helpers.world import World, make_world

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point the default database at a temp folder, so no test writes to ~/.local."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MONITOR_APP_DB", str(home / "monitor.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    yield


@pytest.fixture
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    """PIN hashing at the test cost, so building a clinic takes milliseconds."""
    monkeypatch.setattr(monitor_app.domain.pins, "COST", pins.TEST_COST)


@pytest.fixture
def w(tmp_path: Path, fast_pins: None) -> Iterator[World]:
    """A clinic through ``Services`` on a fixed clock (tests/helpers/world.py): an admin, a
    nurse, a prescriber and three patients. A module that needs another clinic defines
    its own ``w``."""
    world = make_world(tmp_path / "c.db")
    yield world
    world.s.close()


@pytest.fixture(scope="module")
def built_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """The built history (tests/helpers/history.py), once per module: for tests that only
    read it. A test that writes takes ``history``."""
    return build_history(tmp_path_factory.mktemp("history"))


@pytest.fixture
def history(tmp_path: Path) -> History:
    """A built history of the test's own."""
    return build_history(tmp_path)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo clinic per test module; tests that change it work on a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(monitor_app.domain.pins, "COST", pins.TEST_COST)
        assert cli.main(["demo", "--db", str(path)]) == 0
    return path
