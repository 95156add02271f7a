"""At start the app finishes what a killed run left: the missing archived sheet of a
signed episode is written in the background and the status bar says so."""

from __future__ import annotations

import pytest

from monitor_app.gui.app import StartupRecovery
from monitor_app.gui.board.status_bar import StationStatusBar
from tests.helpers.world import NURSE_PIN, answer_everything, make_world, open_iv, to_ready

# The offscreen platform warns when a shown window's size limits change; not our bug.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_startup_recovery_writes_the_missing_sheet(qtbot, tmp_path):
    w = make_world(tmp_path / "c.db")
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    signed = w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    signed.archived_to.unlink()  # killed between the signature and the archive
    stale = tmp_path / ".sheet.pdf.0a1b2c3d4e5f.tmp"
    stale.write_bytes(b"half")
    w.s.close()

    bar = StationStatusBar()  # as the station shows it: who is signed in, then notes
    qtbot.addWidget(bar)
    bar.nurse_label.setText("Signed in: Nora Nurse")
    bar.show()
    recovery = StartupRecovery(w.path)
    recovery.finished.connect(bar.show_lasting_note)  # as gui/app.py connects it
    with qtbot.waitSignal(recovery.finished, timeout=60_000):
        recovery.start()
    qtbot.waitUntil(lambda: bar.note_label.text() != "")
    assert "1 signed sheet(s) were missing from the archive" in bar.note_label.text()
    # Beside the nurse's name, not painted over it (as QStatusBar.showMessage did).
    assert bar.currentMessage() == "" and bar.nurse_label.isVisible()
    assert not bar.note_label.geometry().intersects(bar.nurse_label.geometry())
    assert signed.archived_to.is_file()
    assert stale.exists()  # too young to be called stale
