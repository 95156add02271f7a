"""A save inserts one row into the observations table (``rowsInserted``) and a void or a
correction repaints the rows it touched: the table is never reset under the nurse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QSignalSpy

from monitor_app.gui.episode.correction_dialog import CorrectionDialog, ReasonDialog
from monitor_app.gui.episode.table_models import COL_BP, COL_HR, COL_NOTE
from tests.helpers.gui import Keyboard, button, cell, fake_exec, open_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


class Spies:
    def __init__(self, model) -> None:
        self.inserted = QSignalSpy(model.rowsInserted)
        self.reset = QSignalSpy(model.modelReset)
        self.changed = QSignalSpy(model.dataChanged)

    def inserted_rows(self) -> list[tuple[int, int]]:
        return [(self.inserted.at(i)[1], self.inserted.at(i)[2])
                for i in range(self.inserted.count())]

    def changed_rows(self) -> list[tuple[int, int]]:
        return [(self.changed.at(i)[0].row(), self.changed.at(i)[1].row())
                for i in range(self.changed.count())]


@pytest.mark.parametrize("start_dosing", [True, False], ids=["dosing", "new-baseline"])
def test_a_save_inserts_its_row_and_never_resets_the_table(qtbot, session, services, staff,
                                                            episode_id, clock, start_dosing):
    if start_dosing:
        services.start_dosing(staff["nurse"], episode_id)
    window = open_window(qtbot, session, episode_id)
    spies = Spies(window.model)
    clock.advance(minutes=5)
    Keyboard(qtbot).fields("88", "132/84", "97", "16", "5", "0")
    assert spies.inserted_rows() == [(1, 1)]
    assert spies.reset.count() == 0
    assert window.model.rowCount() == 2
    assert [cell(window, 1, c) for c in (COL_HR, COL_BP)] == ["88", "132/84"]
    assert "Saved the observation" in window.message.text()


def test_a_void_repaints_its_row_only(qtbot, session, services, staff, episode_id, clock,
                                      monkeypatch):
    window = open_window(qtbot, session, episode_id)
    clock.advance(minutes=3)
    Keyboard(qtbot).fields("90", "130/80", "97", "16", "5", "0")
    spies = Spies(window.model)
    window.table.selectRow(0)

    def void(dialog: ReasonDialog) -> None:
        dialog.reason.setText("wrong chair")
        dialog.submit()

    monkeypatch.setattr(ReasonDialog, "exec", fake_exec(void))
    qtbot.mouseClick(button(window, "void_observation"), Qt.MouseButton.LeftButton)
    assert spies.reset.count() == 0 and spies.inserted.count() == 0
    assert (0, 0) in spies.changed_rows()
    assert cell(window, 0, COL_HR, Qt.ItemDataRole.FontRole).strikeOut()
    assert "VOIDED: wrong chair" in cell(window, 0, COL_NOTE)


def test_a_correction_inserts_the_new_row_and_strikes_the_old(qtbot, session, episode_id,
                                                              clock, monkeypatch):
    window = open_window(qtbot, session, episode_id)
    spies = Spies(window.model)
    window.table.selectRow(0)

    def correct(dialog: CorrectionDialog) -> None:
        dialog.fields.line("hr").setText("82")
        dialog.reason.setText("misread the monitor")
        dialog.submit()

    monkeypatch.setattr(CorrectionDialog, "exec", fake_exec(correct))
    clock.advance(minutes=2)
    qtbot.mouseClick(button(window, "correct_observation"), Qt.MouseButton.LeftButton)
    assert spies.reset.count() == 0
    assert spies.inserted.count() == 1
    assert window.model.rowCount() == 2
    hrs = {cell(window, r, COL_HR) for r in range(2)}
    assert hrs == {"76", "82"}
    voided = next(r for r in range(2) if cell(window, r, COL_HR) == "76")
    assert cell(window, voided, COL_HR, Qt.ItemDataRole.FontRole).strikeOut()
