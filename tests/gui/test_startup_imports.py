"""Starting the app to a filled board loads only what the board needs: the printing,
signing, export and chart libraries (and the monitor listener when monitors are off)
load on first use, so a cold start stays quick. Checked in a fresh process at the
board's first paint, so an eager import anywhere on the way shows up here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.world import make_world, open_iv

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Loaded on first use only: PDFs, signatures, keys, charts, FHIR, sound, the PIN hash,
# dateutil's parser (sqlite-utils' date recipes), the bedside monitor's socket server,
# sqlite-utils with pluggy and click and the migrations (an up-to-date file needs none),
# uuid (with platform: only a saved FHIR urn:uuid address is checked with it), fractions
# with decimal (only the Aldrete score's percentages).
HEAVY = ("reportlab", "pyhanko", "cryptography", "pyqtgraph", "numpy", "pandas",
         "matplotlib", "fhir", "PySide6.QtMultimedia", "argon2", "dateutil", "uuid",
         "fractions", "decimal",
         "sqlite_utils", "pluggy", "click", "monitor_app.storage.migrations",
         "socketserver", "monitor_app.reports", "monitor_app.services.documents",
         "monitor_app.services.signing", "monitor_app.services.exports",
         "monitor_app.gui.episode", "monitor_app.gui.discharge", "monitor_app.gui.report")
# Made after the board's first paint, or on first use: the lock screen (and the sign-in
# widgets it shares; the app's sign-in dialog loads them before the board), the chime,
# the monitor listener, the record check.
AFTER_THE_PAINT = ("monitor_app.gui.staff", "monitor_app.gui.common.pin_entry",
                   "monitor_app.gui.common.attention", "monitor_app.gui.monitor.feed",
                   "monitor_app.gui.board.record_check")
# The core's subjects the board does not show: use cases are built on first use
# (services/cases.py), their types are imported for annotations only.
CORE_ON_FIRST_USE = tuple(f"monitor_app.{name}" for name in (
    "services.views", "services.episodes", "services.entry", "services.observations",
    "services.save_reads", "services.discharge", "services.rems", "services.verification",
    "domain.discharge", "domain.rems_checks", "domain.phases", "domain.alert_response",
    "storage.losses", "storage.record_check", "storage.repository_entry",
    "storage.repository_records", "storage.repository_responses",
    "storage.repository_signatures", "storage.repository_state"))

# run_gui as monitor-app runs it; the sign-in dialog answers with the nurse and the
# event loop runs until the board has painted and the work that waits for it has run.
START_TO_BOARD = """
import gc, json, sys
from pathlib import Path
from monitor_app import gc_pause
gc_pause.pause()  # as cli.main does
from monitor_app.gui import app as gui_app
from PySide6.QtWidgets import QApplication
from monitor_app.gui.board.board import BoardView

at_paint = {}
original_paint = BoardView.paintEvent

def paint_event(self, event):
    original_paint(self, event)
    if not at_paint:
        at_paint["modules"] = sorted(sys.modules)
        at_paint["rows"] = self.model().rowCount()
        at_paint["collecting_at_paint"] = gc.isenabled()

def run_until_started(self):
    window = None
    for _ in range(2000):
        QApplication.processEvents()
        window = next((w for w in QApplication.topLevelWidgets()
                       if getattr(w, "started", False)), None)
        if at_paint and window is not None:
            break
    at_paint["started"] = window is not None
    at_paint["collecting"] = gc.isenabled()
    if window is not None:  # the day's first backup runs in a thread: written before exit
        window.backups.wait()
    print(json.dumps(at_paint))
    return 0

BoardView.paintEvent = paint_event
QApplication.exec = run_until_started
gui_app.start_session = lambda services: next(
    s for s in services.staff() if s.id == int(sys.argv[2]))
sys.exit(gui_app.run_gui(Path(sys.argv[1]), ["monitor-app"]))
"""


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in names)]


def test_starting_to_the_board_loads_no_printing_signing_or_chart_library(tmp_path):
    """Nor the core's subjects the board does not show (episodes, discharge, checks)."""
    world = make_world(tmp_path / "clinic.db")
    open_iv(world)
    world.s.close()
    assert not (tmp_path / "backups").exists()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", START_TO_BOARD, str(world.path),
                           str(world.nurse.id)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    at_paint = json.loads(done.stdout.strip().splitlines()[-1])
    assert at_paint["rows"] == 1  # the board is filled
    # What waits for the paint still runs: the day's first start makes its backup.
    assert at_paint["started"]
    assert not at_paint["collecting_at_paint"] and at_paint["collecting"]  # gc_pause.py
    assert len(list((tmp_path / "backups").glob("*.db"))) == 1
    assert _loaded(at_paint["modules"], HEAVY + AFTER_THE_PAINT + CORE_ON_FIRST_USE) == []


# monitor-app --db DB until its sign-in dialog is shown (as benchmarks/probes.py signin),
# then while nobody types yet.
TO_SIGN_IN = """
import json, os, sys
from monitor_app import cli, gc_pause
gc_pause.pause()
from monitor_app.gui import app as _gui_app
from PySide6.QtWidgets import QApplication, QDialog
from monitor_app.gui.staff.staff import SignInDialog

at_paint = {}
original_paint = SignInDialog.paintEvent

def paint_event(self, event):
    original_paint(self, event)
    at_paint.setdefault("modules", sorted(sys.modules))

def shown_instead_of_modal(dialog):
    dialog.show()
    for _ in range(2000):
        QApplication.processEvents()
        if at_paint and "monitor_app.gui.board.main_window" in sys.modules:
            break
    print(json.dumps({"title": dialog.windowTitle(), "at_paint": at_paint.get("modules"),
                      "waiting": sorted(sys.modules)}), flush=True)
    os._exit(0)

SignInDialog.paintEvent = paint_event
QDialog.exec = shown_instead_of_modal
cli.main(["--db", sys.argv[1]])
"""


def test_the_sign_in_dialog_loads_no_board_or_lock_screen(tmp_path):
    """The first thing a nurse sees needs a name and a PIN: not the board, nor the lock
    screen's chair tiles and chime. Once it is on screen, the board's modules load while
    the nurse types, so the board follows the PIN sooner; still nothing heavier."""
    world = make_world(tmp_path / "clinic.db")
    world.s.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", TO_SIGN_IN, str(world.path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["title"] == "Sign in"
    board = ("monitor_app.gui.board",)
    lock_screen = ("monitor_app.gui.staff.lock_page", "monitor_app.gui.common.attention",
                   "monitor_app.gui.monitor")
    assert _loaded(shown["at_paint"], HEAVY + CORE_ON_FIRST_USE + board + lock_screen) == []
    assert "monitor_app.gui.board.main_window" in shown["waiting"]
    sign_in = ("monitor_app.gui.staff", "monitor_app.gui.common.pin_entry")
    after_the_board = tuple(m for m in AFTER_THE_PAINT if m not in sign_in)
    assert _loaded(shown["waiting"], HEAVY + CORE_ON_FIRST_USE + after_the_board) == []
