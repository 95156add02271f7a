"""History (Ctrl+H) and the REMS filing queue, driven as a user would, on the built
history (the demo at a fixed time plus older signed sessions)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget

from monitor_app.gui.board.main_window import MainWindow
from monitor_app.gui.common.session import Session
from monitor_app.gui.episode.episode_view import EpisodeWindow
from monitor_app.gui.history.history_window import HistoryWindow
from monitor_app.gui.rems.filing_dialog import RemsFilingDialog
from monitor_app.gui.rems.rems_queue_window import RemsQueueWindow
from monitor_app.services.rems_queue import RemsFormState
from tests.helpers.gui import shown_board
from tests.helpers.history import History

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]
ADMIN, NURSE = "1111", "2222"


def signed_in(h: History, pin: str) -> Session:
    session = Session(h.s)
    session.sign_in(h.s.staff_member(h.staff(pin)))
    return session


@pytest.fixture
def window(qtbot, history: History) -> MainWindow:
    return shown_board(qtbot, signed_in(history, NURSE))


def child(top: QWidget, kind: type, name: str):  # type: ignore[no-untyped-def]
    found = top.findChild(kind, name)
    assert found is not None, name
    return found


def cells(model) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_ctrl_h_opens_history_with_todays_closed_episodes(qtbot, window: MainWindow) -> None:
    window.actions_by_key["history"].trigger()
    history = window.tools.windows["history"]
    qtbot.addWidget(history)
    assert window.actions_by_key["history"].shortcut().toString() == "Ctrl+H"
    rows = cells(history.model)
    assert [r[2] for r in rows] == ["Grace Adeyemi", "Noah Fischer", "Eleni Papadopoulou"]
    assert "cancelled: Patient felt unwell" in rows[0][5]
    assert "3 episodes discharged or cancelled today" in history.status.text()


def test_search_by_name_then_open_a_signed_episode_read_only(qtbot, window: MainWindow) -> None:
    window.actions_by_key["history"].trigger()
    history = window.tools.windows["history"]
    qtbot.addWidget(history)
    search = child(history, QLineEdit, "history_search")
    qtbot.keyClicks(search, "oliver")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    rows = cells(history.model)
    assert [(r[2], r[0][:10]) for r in rows] == [
        ("Oliver Brandt", "2026-11-19"), ("Oliver Brandt", "2026-11-17"),
        ("Oliver Brandt", "2026-11-11")]
    assert child(history, QPushButton, "history_addendum").isEnabled()  # signed
    history.table.selectRow(1)
    qtbot.mouseClick(child(history, QPushButton, "history_open"), Qt.MouseButton.LeftButton)
    episode = next(w for w in QApplication.topLevelWidgets()
                   if isinstance(w, EpisodeWindow) and w.isVisible()
                   and w.session is window.session)
    qtbot.addWidget(episode)
    assert episode.episode_id == history.model.rows[1].episode_id
    assert not child(episode, QWidget, "save_observation").isEnabled()
    assert not child(episode, QWidget, "hr").isEnabled()


def test_a_date_typed_wrong_is_refused_next_to_the_field(qtbot, built_history: History
                                                         ) -> None:
    w = HistoryWindow(signed_in(built_history, NURSE), lambda _id: None)
    qtbot.addWidget(w)
    before = cells(w.model)
    qtbot.keyClicks(child(w, QLineEdit, "history_from"), "2026-13-01")
    qtbot.mouseClick(child(w, QPushButton, "history_run"), Qt.MouseButton.LeftButton)
    assert "not a date" in child(w, QLabel, "history_from_error").message
    assert cells(w.model) == before


def test_the_sheet_of_a_past_episode_is_made_for_preview_and_print(
        qtbot, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor_app.gui.common import printing

    printed: list[bytes] = []
    monkeypatch.setattr(printing, "print_pdf",
                        lambda _parent, pdf, name, settings: printed.append(pdf) or "P1")
    w = HistoryWindow(signed_in(history, NURSE), lambda _id: None)
    qtbot.addWidget(w)
    w.table.selectRow(1)  # Noah Fischer, signed today
    qtbot.mouseClick(child(w, QPushButton, "history_print"), Qt.MouseButton.LeftButton)
    assert len(printed) == 1 and printed[0].startswith(b"%PDF")
    assert child(w, QLabel, "history_status").text() == "Chart copy sent to P1"


def test_the_board_summary_counts_rems_forms_due_soon_and_late(window: MainWindow) -> None:
    window.reload()
    assert "REMS forms: 1 overdue, 1 due soon" in window.summary.text()


def test_the_rems_queue_shows_days_left_with_overdue_in_red_words(
        qtbot, built_history: History) -> None:
    w = RemsQueueWindow(signed_in(built_history, NURSE))
    qtbot.addWidget(w)
    first = w.model.index(0, 0)
    assert first.data() == "⚠ OVERDUE by 2 days"
    assert first.data(Qt.ItemDataRole.BackgroundRole).name() == "#f4a3a3"
    assert [r[4] for r in cells(w.model)] == ["Oliver Brandt", "Sofía Ramírez",
                                              "Oliver Brandt", "Noah Fischer"]
    w.table.selectRow(0)
    assert not child(w, QPushButton, "rems_mark_submitted").isEnabled()  # a nurse
    assert "Only an administrator" in child(w, QLabel, "rems_note").text()


def test_an_administrator_records_a_filing_audited_and_verify_stays_clean(
        qtbot, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    w = RemsQueueWindow(signed_in(history, ADMIN))
    qtbot.addWidget(w)
    w.table.selectRow(0)
    assert child(w, QPushButton, "rems_mark_submitted").isEnabled()
    typed: list[RemsFilingDialog] = []

    def fill_and_save(dialog: RemsFilingDialog):  # type: ignore[no-untyped-def]
        typed.append(dialog)
        dialog.submitted_on.setText("2026-11-40")
        dialog.confirmation.setText("REMS-5521")
        dialog.save()
        assert "not a date" in dialog.errors["rems_submitted_on"].message  # nothing saved
        assert history.s.rems_queue.history(dialog.item.episode_id) == []
        dialog.submitted_on.setText("2026-11-19")
        dialog.save()
        return dialog.result_item

    monkeypatch.setattr(RemsFilingDialog, "ask", fill_and_save)
    qtbot.mouseClick(child(w, QPushButton, "rems_mark_submitted"), Qt.MouseButton.LeftButton)
    assert typed and typed[0].result_item is not None
    filed = next(i for i in w.model.rows if i.confirmation == "REMS-5521")
    assert filed.state == RemsFormState.FILED_LATE and filed.submitted_on == date(2026, 11, 19)
    assert "filed 2026-11-19 (late)" in [w.model.index(r, 0).data()
                                         for r in range(w.model.rowCount())]
    assert "0 overdue" not in w.summary.text() and "1 due soon" in w.summary.text()
    assert history.s.verify() == []


def test_an_administrator_withdraws_a_filing_recorded_in_error_with_a_reason(
        qtbot, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor_app.gui.rems.withdraw_dialog import RemsWithdrawDialog

    sofia = next(i for i in history.s.rems_queue.queue() if i.patient_name == "Sofía Ramírez")
    history.s.rems_queue.mark_submitted(history.staff(ADMIN), sofia.episode_id,
                                        date(2026, 11, 19), "WRONG-1")
    nurse_view = RemsQueueWindow(signed_in(history, NURSE))
    qtbot.addWidget(nurse_view)
    nurse_view.table.selectRow(next(r for r, i in enumerate(nurse_view.model.rows)
                                    if i.confirmation == "WRONG-1"))
    assert not child(nurse_view, QPushButton, "rems_withdraw").isEnabled()

    w = RemsQueueWindow(signed_in(history, ADMIN))
    qtbot.addWidget(w)
    w.table.selectRow(0)  # an outstanding form: nothing to withdraw
    assert not child(w, QPushButton, "rems_withdraw").isEnabled()
    w.table.selectRow(next(r for r, i in enumerate(w.model.rows) if i.confirmation == "WRONG-1"))
    assert child(w, QPushButton, "rems_withdraw").isEnabled()
    seen: list[RemsWithdrawDialog] = []

    def give_a_reason(dialog: RemsWithdrawDialog):  # type: ignore[no-untyped-def]
        seen.append(dialog)
        assert "WRONG-1" in dialog.findChild(QLabel).text()
        qtbot.mouseClick(child(dialog, QPushButton, "rems_withdraw_save"),
                         Qt.MouseButton.LeftButton)
        assert "say why" in dialog.errors["reason"].message  # nothing saved without one
        assert len(history.s.rems_queue.history(sofia.episode_id)) == 1
        qtbot.keyClicks(child(dialog, QLineEdit, "reason"), "recorded for the wrong session")
        qtbot.mouseClick(child(dialog, QPushButton, "rems_withdraw_save"),
                         Qt.MouseButton.LeftButton)
        return dialog.result_item

    monkeypatch.setattr(RemsWithdrawDialog, "ask", give_a_reason)
    qtbot.mouseClick(child(w, QPushButton, "rems_withdraw"), Qt.MouseButton.LeftButton)
    assert seen
    back = next(i for i in w.model.rows if i.episode_id == sofia.episode_id)
    assert back.state == RemsFormState.DUE_SOON and back.confirmation == ""
    assert "back in the queue" in child(w, QLabel, "rems_note").text()
    notes = history.s.rems_queue.history(sofia.episode_id)
    assert [(n.kind, n.reason) for n in notes] == [
        ("submitted", ""), ("withdrawn", "recorded for the wrong session")]
    assert history.s.db.execute(
        "SELECT count(*) FROM audit WHERE table_name = 'rems_submissions'").fetchone()[0] == 2
    assert history.s.verify() == []


def test_today_in_the_history_window_lists_a_stay_opened_days_ago_and_closed_today(
        qtbot, history: History) -> None:
    from tests.helpers.history import long_stay_closed_today

    long_stay_closed_today(history)
    w = HistoryWindow(signed_in(history, NURSE), lambda _id: None)
    qtbot.addWidget(w)
    rows = cells(w.model)
    assert ["2026-11-18", "Oliver Brandt", "discharged (signed)"] in [
        [r[0][:10], r[2], r[5]] for r in rows]
    assert "4 episodes discharged or cancelled today" in w.status.text()
