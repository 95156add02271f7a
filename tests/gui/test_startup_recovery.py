"""At start the app finishes what a killed run left: the missing archived sheet of a
signed episode is written in the background and the status bar says so."""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar

from monitor_app.gui.app import StartupRecovery
from tests.helpers.world import NURSE_PIN, answer_everything, make_world, open_iv, to_ready


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

    bar = QStatusBar()
    qtbot.addWidget(bar)
    recovery = StartupRecovery(w.path)
    recovery.finished.connect(bar.showMessage)
    with qtbot.waitSignal(recovery.finished, timeout=60_000):
        recovery.start()
    qtbot.waitUntil(lambda: bar.currentMessage() != "")
    assert "1 signed sheet(s) were missing from the archive" in bar.currentMessage()
    assert signed.archived_to.is_file()
    assert stale.exists()  # too young to be called stale
