"""`monitor-app rems-queue --db PATH [--json]`: the forms to file, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor_app.cli import main
from monitor_app.demo import build_demo
from monitor_app.domain import pins


def test_rems_queue_lists_the_demo_sessions_form_as_json_and_as_a_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pins, "COST", pins.TEST_COST)
    db = tmp_path / "demo.db"
    build_demo(db)
    capsys.readouterr()
    assert main(["rems-queue", "--db", str(db), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    # signed about 5 hours ago: today, or yesterday just after midnight
    assert [(i["patient"], i["state"]) for i in items] == [("Noah Fischer", "due")]
    assert items[0]["days_left"] in (6, 7)
    assert main(["rems-queue", "--db", str(db)]) == 0
    assert f"{items[0]['days_left']} days left" in capsys.readouterr().out


def test_rems_queue_without_a_database_says_so(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rems-queue", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database" in capsys.readouterr().err
