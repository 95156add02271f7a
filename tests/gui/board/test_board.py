"""The board and the station: rows, countdowns, colours, order, idle lock, Ctrl+L."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from monitor_app.domain.models import Escort
from monitor_app.gui.board.board import (
    AMBER,
    COL_CHAIR,
    COL_NEXT,
    COL_PATIENT,
    COL_STATUS,
    FLAG,
    RED,
    BoardModel,
)
from monitor_app.gui.board.board_text import countdown_text
from monitor_app.gui.board.main_window import MainWindow
from tests.helpers.gui import NURSE_PIN, cell, shown_board

# The offscreen platform warns when a shown window's size limits change; not our bug.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def window(qtbot, session) -> MainWindow:
    return shown_board(qtbot, session, started=True)




def visible_texts(window: MainWindow) -> str:
    """Everything a person could read on the window right now."""
    texts = [label.text() for label in window.findChildren(QLabel) if label.isVisible()]
    if window.board.isVisible():
        model = window.model
        texts += [str(model.index(r, c).data()) for r in range(model.rowCount())
                  for c in range(model.columnCount())]
    return "\n".join(texts)


def open_second(services, staff, chair: str, mrn: str, name: str) -> int:
    patient = services.add_patient(staff["nurse"], mrn, name, "1975-02-03", "M")
    protocol = services.protocols["ketamine-iv"]
    return services.open_episode(
        staff["nurse"], patient.id, "ketamine-iv", chair, 80, 40,
        Escort("Kim", "friend", "555-0199"), {i.key: True for i in protocol.precheck}).id


def test_board_lists_the_episode(episode_id, window):
    assert window.board.objectName() == "board"
    assert window.model.rowCount() == 1
    assert cell(window, 0, COL_CHAIR) == "1"
    assert "Jo O'Hara" in cell(window, 0, COL_PATIENT)
    assert "MRN-1" in cell(window, 0, COL_PATIENT)
    shown = visible_texts(window)
    assert "IV ketamine infusion" in shown
    assert "HR 76" in shown and "124/78" in shown
    assert "1 active chair" in window.summary.text()
    assert "Nora Nurse" in window.nurse_label.text()
    assert "Test Clinic" in window.clinic_label.text()


def test_new_episode_appears_on_data_changed(window, services, staff, session):
    assert window.model.rowCount() == 0
    assert "No active episodes" in window.summary.text()
    episode_id = open_second(services, staff, "4", "MRN-4", "Ari Bell")
    session.notify(episode_id)
    assert window.model.rowCount() == 1
    assert "Ari Bell" in cell(window, 0, COL_PATIENT)


def test_row_turns_amber_two_minutes_before_due_then_red_when_overdue(
        episode_id, window, services, staff, session, clock):
    services.start_dosing(staff["nurse"], episode_id)  # the next check is due in 10 min
    session.notify(episode_id)
    assert cell(window, 0, COL_NEXT) == "10:00"
    assert cell(window, 0, COL_PATIENT, Qt.ItemDataRole.BackgroundRole) is None

    clock.advance(minutes=8)
    window.tick()
    assert "DUE SOON" in cell(window, 0, COL_STATUS)
    assert cell(window, 0, COL_NEXT) == "2:00"
    assert cell(window, 0, COL_PATIENT, Qt.ItemDataRole.BackgroundRole) == AMBER

    clock.advance(minutes=5, seconds=12)
    window.tick()
    assert cell(window, 0, COL_STATUS) == "⚠ OVERDUE"  # text beside the colour
    assert cell(window, 0, COL_NEXT) == "overdue 3:12"
    assert cell(window, 0, COL_CHAIR, Qt.ItemDataRole.BackgroundRole) == RED
    assert "1 overdue" in window.summary.text()


def test_the_one_second_timer_moves_the_countdown(episode_id, window, services, staff,
                                                  session, clock, qtbot):
    services.start_dosing(staff["nurse"], episode_id)
    session.notify(episode_id)
    clock.advance(seconds=30)
    window.tick_timer.start()
    qtbot.waitUntil(lambda: cell(window, 0, COL_NEXT) == "9:30", timeout=3000)


def test_the_tick_reads_no_database(episode_id, window, services, staff, session, clock):
    services.start_dosing(staff["nurse"], episode_id)
    session.notify(episode_id)
    services.db.close()  # a tick that touched the database would raise now
    clock.advance(minutes=11)
    window.tick()
    assert cell(window, 0, COL_STATUS) == "⚠ OVERDUE"


def test_rows_stay_in_chair_order_when_a_patient_turns_overdue(
        episode_id, window, services, staff, session, clock, qtbot):
    seven = open_second(services, staff, "7", "MRN-7", "Lee Park")
    services.record_observation(staff["nurse"], seven, {
        "hr": "70", "bp": "120/80", "spo2": "99", "rr": "12", "moaas": "5",
        "dissociation": "0"})
    services.start_dosing(staff["nurse"], seven)  # chair 7 dosing, chair 1 in pre-check
    clock.advance(minutes=1)
    session.notify()
    row = window.model.row_of(seven)
    window.board.selectRow(row)
    before = cell(window, row, COL_CHAIR, Qt.ItemDataRole.UserRole)

    clock.advance(minutes=10)  # chair 7's check is overdue now
    window.tick()
    window.reload()
    assert cell(window, row, COL_STATUS) == "⚠ OVERDUE"
    assert [cell(window, r, COL_CHAIR) for r in range(2)] == ["1", "7"]
    assert cell(window, row, COL_CHAIR, Qt.ItemDataRole.UserRole) == before == seven
    assert window.board.selected_episode() == seven
    with qtbot.waitSignal(window.board.episode_activated) as opened:
        window.board.activated.emit(window.model.index(row, COL_PATIENT))
    assert opened.args == [seven]  # the row under the same place opens the same patient
    assert "⚠ 1 overdue" in window.summary.text()


def test_the_selection_stays_on_its_patient_when_a_chair_is_added_before_it(
        episode_id, window, services, staff, session):
    ten = open_second(services, staff, "10", "MRN-10", "Lee Park")
    session.notify()
    window.board.selectRow(window.model.row_of(ten))
    open_second(services, staff, "2", "MRN-2", "Ann Other")  # sorts between 1 and 10
    session.notify()
    assert [cell(window, r, COL_CHAIR) for r in range(3)] == ["1", "2", "10"]
    assert window.board.selected_episode() == ten


def test_a_flagged_patient_says_so_in_the_status_column(
        episode_id, window, services, staff, session, clock):
    services.start_dosing(staff["nurse"], episode_id)
    saved = services.record_observation(staff["nurse"], episode_id, {
        "hr": "96", "bp": "182/112", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"})
    session.notify(episode_id)
    status = cell(window, 0, COL_STATUS)
    assert status.startswith("⚑ FLAGGED: SBP 182")
    assert cell(window, 0, COL_STATUS, Qt.ItemDataRole.BackgroundRole) == FLAG
    assert "flagged" in window.summary.text()
    assert "SBP 182 at or above" in cell(window, 0, COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert all(str(cell(window, 0, c)).count("\n") <= 1
               for c in range(window.model.columnCount()))  # two lines at most

    clock.advance(minutes=20)  # overdue wins the first line; the flag keeps the second
    window.tick()
    first, second = cell(window, 0, COL_STATUS).split("\n")
    assert first == "⚠ OVERDUE" and second.startswith("⚑ SBP 182")

    services.acknowledge_alerts(staff["nurse"], saved.observation.id,
                                [a.code for a in saved.alerts], "rechecked")
    session.notify(episode_id)
    assert "⚑" not in cell(window, 0, COL_STATUS)


def test_a_backup_note_does_not_hide_who_is_signed_in(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.backups.finished) as done:
        assert window.run_backup(daily=False)
    made = done.args[0]
    assert made.startswith(str(tmp_path / "backups"))
    assert window.statusBar().currentMessage() == ""  # nothing painted over the widgets
    note = window.findChild(QLabel, "status_note")
    assert str(made) in note.text() and note.isVisible()
    assert window.nurse_label.isVisible() and "Signed in" in window.nurse_label.text()
    assert not note.geometry().intersects(window.nurse_label.geometry())


def test_enter_on_a_row_opens_the_episode(episode_id, window, qtbot):
    window.board.setFocus()
    window.board.setCurrentIndex(window.model.index(0, 0))
    with qtbot.waitSignal(window.board.episode_activated) as opened:
        qtbot.keyClick(window.board, Qt.Key.Key_Return)
    assert opened.args == [episode_id]
    shown = [w for w in QApplication.topLevelWidgets()
             if w.isVisible() and getattr(w, "episode_id", None) == episode_id]
    assert len(shown) == 1  # the episode's own window
    window.close()  # closes the episode window with it
    assert not shown[0].isVisible()


def test_idle_lock_hides_patient_names_and_the_pin_brings_them_back(
        episode_id, window, qtbot, session, clock):
    assert "Jo O'Hara" in visible_texts(window)
    clock.advance(minutes=9, seconds=59)
    assert not window.check_idle()
    clock.advance(seconds=1)
    assert window.check_idle()

    assert session.locked
    assert not window.board.isVisible()
    assert "Jo O'Hara" not in visible_texts(window)
    assert "MRN-1" not in visible_texts(window)

    qtbot.keyClicks(window.lock_page.pin, NURSE_PIN)
    qtbot.keyClick(window.lock_page.pin, Qt.Key.Key_Return)
    assert not session.locked
    assert window.board.isVisible()
    assert "Jo O'Hara" in visible_texts(window)


def test_keyboard_use_postpones_the_idle_lock(window, qtbot, clock, session):
    clock.advance(minutes=9)
    qtbot.keyClick(window.board, Qt.Key.Key_Down)
    clock.advance(minutes=9)
    assert not window.check_idle()
    assert not session.locked


def test_actions_have_their_handles_and_shortcuts(window):
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QToolButton

    expected = {"new_episode": "Ctrl+N", "lock": "Ctrl+L"}
    for key, shortcut in expected.items():
        action = window.findChild(QAction, key)
        assert action.shortcut() == QKeySequence(shortcut)
        assert window.findChild(QToolButton, key).accessibleName() != ""


def test_ctrl_n_opens_the_new_episode_dialog(window, qtbot, monkeypatch):
    from monitor_app.gui.episode.new_episode import NewEpisodeDialog

    opened = []

    def ask(self):
        qtbot.addWidget(self)
        opened.append(self)
        return None

    monkeypatch.setattr(NewEpisodeDialog, "ask", ask)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.board, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1


def test_verify_record_reports_an_intact_record(window, monkeypatch, episode_id):
    from monitor_app.gui.common import widgets

    said = []
    monkeypatch.setattr(widgets, "inform", lambda parent, title, text: said.append(text))
    window.actions_by_key["verify"].trigger()
    assert "intact" in said[0]


def test_ctrl_l_locks(window, qtbot, session):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.board, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert session.locked
    assert window.stack.currentWidget() is window.lock_page


def test_lock_hides_other_windows_and_covers_open_dialogs(window, qtbot, session):
    episode_window = QWidget()
    qtbot.addWidget(episode_window)
    episode_window.show()
    dialog = QDialog(window)
    dialog.resize(300, 100)
    dialog.open()  # modal, like a form being filled in
    window.lock()
    assert not episode_window.isVisible()
    assert dialog.isVisible()  # not closed: what was typed survives...
    cover = window.curtain.covers[0]
    assert cover.isVisible() and cover.geometry().contains(dialog.rect())  # ...but hidden

    qtbot.keyClicks(cover.pin, NURSE_PIN)
    qtbot.keyClick(cover.pin, Qt.Key.Key_Return)
    assert not session.locked
    assert episode_window.isVisible()
    assert not window.curtain.covers
    dialog.reject()


def test_switch_nurse_takes_the_other_nurses_pin(window, qtbot, session, staff):
    window.actions_by_key["switch_nurse"].trigger()
    page = window.lock_page
    page.staff_box.setCurrentIndex(page.staff_box.findData(staff["admin"]))
    qtbot.keyClicks(page.pin, NURSE_PIN)  # Nora's PIN is not Ada's
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)
    assert session.locked
    assert "wrong PIN" in page.panel.error_message
    qtbot.keyClicks(page.pin, "1111")
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)
    assert not session.locked
    assert session.staff.id == staff["admin"]
    assert "Ada Admin" in window.nurse_label.text()


@pytest.mark.parametrize(("seconds", "text"), [(605, "10:05"), (0, "due now"),
                                               (-192, "overdue 3:12"), (3725, "1:02:05")])
def test_countdown_text(seconds, text):
    from dataclasses import replace

    from monitor_app.domain.schedule import ScheduleStatus

    row = _a_row()
    row = replace(row, status=ScheduleStatus("ok", None, "", seconds))
    assert countdown_text(row) == text


def _a_row():
    from datetime import UTC, datetime

    from monitor_app.domain.models import Phase
    from monitor_app.domain.schedule import ScheduleStatus
    from monitor_app.services.board import BoardRow

    return BoardRow(1, "E-1", "1", "A", "M", "ketamine-iv", "IV", Phase.DOSING,
                    datetime(2026, 1, 1, tzinfo=UTC), None, "", None, None, (),
                    ScheduleStatus("ok", None, "", 60))


def test_model_without_rows_is_empty(qtbot, clock):
    model = BoardModel(clock)
    model.set_rows([])
    assert model.rowCount() == 0
