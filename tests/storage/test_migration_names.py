"""An up-to-date file opens without the migrations (nor sqlite-utils, pluggy, click):
it is recognised from the names of its applied migrations, a plain list that must stay
the list of registered migrations. A new or older file is migrated as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from monitor_app.storage import migrations
from monitor_app.storage.db import open_db
from monitor_app.storage.migration_names import MIGRATION_NAMES, applied_migrations
from monitor_app.storage.migrations import runner
from tests.helpers.clinic import triggers

ROOT = Path(__file__).resolve().parents[2]
LOADED_BY_MIGRATING = ("sqlite_utils", "pluggy", "click", "monitor_app.storage.migrations")


def test_the_plain_list_is_the_registered_migrations_in_order():
    registered = [m.name for m in migrations.migrations.pending(sqlite_utils.Database(memory=True))]
    assert list(MIGRATION_NAMES) == registered


def test_migrating_refuses_when_the_list_misses_a_new_migration(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MIGRATION_NAMES", MIGRATION_NAMES[:-1])
    with pytest.raises(RuntimeError, match=r"migration_names\.py"):
        open_db(tmp_path / "new.db")


def _open_in_fresh_process(path: Path) -> dict:
    script = ("import json, sys\nfrom monitor_app.storage.db import open_db\n"
              "db = open_db(sys.argv[1], defer_quick_check=True)\n"
              "print(json.dumps({'modules': sorted(sys.modules), 'tables': [r[0] for r in "
              "db.execute(\"SELECT name FROM sqlite_master WHERE type = 'table'\")]}))\n"
              "db.close()\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded(modules: list[str]) -> list[str]:
    return [m for m in modules
            if any(m == name or m.startswith(name + ".") for name in LOADED_BY_MIGRATING)]


def test_an_up_to_date_file_opens_without_loading_the_migrations(tmp_path):
    path = tmp_path / "clinic.db"
    open_db(path).close()
    opened = _open_in_fresh_process(path)
    assert "observations" in opened["tables"]
    assert _loaded(opened["modules"]) == []


def test_a_new_file_is_migrated_in_a_fresh_process(tmp_path):
    opened = _open_in_fresh_process(tmp_path / "new.db")
    assert "observations" in opened["tables"]
    assert "sqlite_utils" in opened["modules"]
    assert "numpy" not in opened["modules"]  # hidden from sqlite-utils: never used


def test_a_file_one_migration_behind_is_brought_up_to_date(tmp_path):
    path = tmp_path / "behind.db"
    old = sqlite_utils.Database(path)
    migrations.apply_migrations(old, stop_before=MIGRATION_NAMES[-1])
    assert applied_migrations(old.conn) == list(MIGRATION_NAMES[:-1])
    old.close()
    db = open_db(path)
    assert applied_migrations(db.conn) == list(MIGRATION_NAMES)
    assert "observations_void_only" in triggers(db)
    db.close()


def test_sqlite_utils_loaded_on_a_worker_thread_leaves_numpy_to_the_gui_thread():
    """The record check loads sqlite-utils off the GUI thread (numpy refused to it); a
    chart shown meanwhile still imports numpy on the GUI thread."""
    script = """
import importlib.machinery, sys, threading
from monitor_app.storage.connection import load_sqlite_utils
started, release = threading.Event(), threading.Event()

class Pause:  # holds the worker inside sqlite-utils' import, before it asks for numpy
    def find_spec(self, name, path=None, target=None):
        if name != "sqlite_utils.db" or threading.current_thread().name != "worker":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        real = spec.loader

        class Held:
            def create_module(self, spec):
                return None

            def exec_module(self, module):
                started.set()
                release.wait(60)
                real.exec_module(module)

        spec.loader = Held()
        return spec

sys.meta_path.insert(0, Pause())
worker = threading.Thread(target=load_sqlite_utils, name="worker")
worker.start()
started.wait(30)
import numpy  # the GUI thread, while the worker loads sqlite-utils
release.set(); worker.join()
import sqlite_utils.db
print(numpy.__name__, sqlite_utils.db.np is None, "dateutil.tz" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["numpy", "False", "False"]
