"""The episode window's entry aids: each row's timepoint, dosing times typed late, weight
and dose corrections, the cancel dialog's words and reason, glyphs the font can draw."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics
from PySide6.QtWidgets import QLabel, QPushButton

from monitor_app.domain.schedule import ScheduleStatus
from monitor_app.gui.board import board_text
from monitor_app.gui.episode.correction_dialog import ReasonDialog
from monitor_app.gui.episode.dosing_time import DosingTimeEdit
from monitor_app.gui.episode.episode_header import status_text
from monitor_app.gui.episode.episode_value_dialog import EpisodeValueDialog
from monitor_app.gui.episode.table_models import COL_POINT
from tests.helpers.gui import FULL, button, fake_exec, open_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def window(qtbot, session, episode_id):
    return open_window(qtbot, session, episode_id)


def test_each_row_says_where_it_falls_in_the_schedule(window, services, staff, clock,
                                                      episode_id):
    nurse = staff["nurse"]
    button(window, "start_dosing").click()
    for _ in range(4):
        clock.advance(minutes=10)
        services.record_observation(nurse, episode_id, FULL)
    button(window, "end_dosing").click()
    clock.advance(minutes=15)
    services.record_observation(nurse, episode_id, FULL)
    window.refresh()
    labels = [window.model.index(r, COL_POINT).data() for r in range(window.model.rowCount())]
    assert labels == ["baseline", "+10 min", "+20 min", "+30 min", "end of infusion",
                      "recovery +15 min"]
    assert window.model.headerData(COL_POINT, Qt.Orientation.Horizontal) == "Timepoint"


def test_dosing_start_typed_late_is_kept_and_marked_late(window, clock, qtbot):
    clock.advance(minutes=20)
    window._on_timer_timeout()
    time = window.findChild(DosingTimeEdit, "dosing_time")
    assert time.isVisible() and time.value(clock.now()) is None  # untouched: now
    started = (clock.now() - timedelta(minutes=12)).astimezone()
    time.setTime(QTime(started.hour, started.minute))
    button(window, "start_dosing").click()
    episode = window.view.episode
    assert episode.dosing_start == started.replace(second=0, microsecond=0)
    details = window.header.text("episode_details")
    assert "Infusion" in details and "entered late" in details
    assert time.value(clock.now()) is None  # back to "now" for the end


def test_a_dosing_start_in_the_future_is_refused_with_a_message(window, clock):
    time = window.findChild(DosingTimeEdit, "dosing_time")
    later = (clock.now() + timedelta(minutes=30)).astimezone()
    time.setTime(QTime(later.hour, later.minute))
    button(window, "start_dosing").click()
    assert window.view.episode.dosing_start is None
    assert "in the future" in window.findChild(QLabel, "message").text()


def test_weight_and_dose_are_corrected_with_a_reason_and_shown_as_corrected(
        window, monkeypatch, services, episode_id):
    def correct(dialog: EpisodeValueDialog) -> None:
        dialog.which.setCurrentIndex(dialog.which.findData("dose_mg"))
        dialog.value.setText("42")
        assert not dialog.submit()  # no reason yet
        assert "reason" in dialog.form.errors["correction_reason"].message
        dialog.reason.setText("prescription misread")
        assert dialog.submit()

    monkeypatch.setattr(EpisodeValueDialog, "exec", fake_exec(correct))
    button(window, "correct_episode").click()
    assert window.view.episode.dose_mg == 42
    assert "(corrected)" in window.header.text("episode_details")
    tip = window.header.labels["episode_details"].toolTip()
    assert "from 35 to 42 mg: prescription misread" in tip
    assert [c.old_value for c in services.episode_corrections(episode_id)] == [35]


def test_the_cancel_dialog_says_what_each_button_does_and_the_reason_shows(
        window, monkeypatch):
    seen = {}

    def cancel(dialog: ReasonDialog) -> None:
        seen["buttons"] = sorted(b.text() for b in dialog.findChildren(QPushButton))
        dialog.reason.setText("blood pressure too high today")
        dialog.submit()

    monkeypatch.setattr(ReasonDialog, "exec", fake_exec(cancel))
    button(window, "cancel_episode").click()
    assert seen["buttons"] == ["Cancel episode", "Keep episode"]
    assert window.header.text("phase") == "Phase: CANCELLED: blood pressure too high today"


def test_every_status_glyph_is_one_the_font_can_draw(qapp):
    font = QFont("DejaVu Sans")
    if QFontInfo(font).family() != "DejaVu Sans":
        pytest.skip("DejaVu Sans is not installed")
    metrics = QFontMetrics(font)
    now = datetime(2026, 11, 27, 9, 0, tzinfo=datetime.now().astimezone().tzinfo)
    texts = [status_text(ScheduleStatus(state, now + timedelta(minutes=1), "check", 60), now)
             for state in ("ok", "due_soon", "due", "overdue")]
    texts += list(board_text.STATUS_TEXT.values()) + list(board_text.PHASE_TEXT.values())
    missing = {(text, ch) for text in texts for ch in text
               if not ch.isascii() and not metrics.inFontUcs4(ord(ch))}
    assert missing == set()


def test_the_board_says_what_ended(services, staff, clock, episode_id):
    services.start_dosing(staff["nurse"], episode_id)
    clock.advance(minutes=40)
    services.end_dosing(staff["nurse"], episode_id)
    clock.advance(minutes=28)
    [row] = services.board()
    assert board_text.dosing_text(row, clock.now()) == "infusion ended 28 min ago"


def test_the_dosing_time_shows_the_time_now_as_soon_as_the_window_opens(window, clock):
    time = window.findChild(DosingTimeEdit, "dosing_time")
    assert time.text() == f"at {clock.now().astimezone():%H:%M}"


def test_the_rems_form_offers_last_sessions_concomitant_answer_to_confirm_one_by_one(
        qtbot, services, staff, clock, session):
    from PySide6.QtWidgets import QComboBox

    from monitor_app.domain.models import Escort
    from tests.helpers.gui_discharge import open_dialog

    patient = services.add_patient(staff["nurse"], "MRN-40", "Lou Marsh", "1966-06-06")
    esk = {i.key: True for i in services.protocols["esketamine-rems"].precheck}
    first = services.open_episode(staff["nurse"], patient.id, "esketamine-rems", "4", "", 84,
                                  Escort("Al", "", "555-0100"), esk, "LOT-9")
    services.answer_rems(staff["nurse"], first.id, "maois", "no")
    services.cancel_episode(staff["nurse"], first.id, "rebooked")
    clock.advance(minutes=60 * 24 * 8)
    second = services.open_episode(staff["nurse"], patient.id, "esketamine-rems", "4", "", 84,
                                   Escort("Al", "", "555-0100"), esk, "LOT-10")

    def answer(key: str) -> str:
        return next(i.value for i in services.discharge_view(second.id).rems
                    if i.field.key == key)

    dialog = open_dialog(qtbot, session, second.id)
    combo = dialog.findChild(QComboBox, "rems_maois")
    offer = dialog.findChild(QPushButton, "rems_maois_offer")
    day = first.created_at.astimezone().date()
    assert offer.text() == f"From last session ({day.day} {day:%b %Y}): No — confirm"
    assert not offer.isHidden()
    assert combo.itemText(0) == "choose…" and combo.currentData() == ""  # not answered
    assert dialog.findChild(QPushButton, "rems_benzodiazepines_offer").isHidden()  # none
    assert answer("maois") == ""  # offered, not saved for this session
    assert "Concomitant MAOIs" in services.discharge_view(second.id).missing_rems

    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton)  # the nurse confirms it
    assert answer("maois") == "no"
    assert combo.currentData() == "no" and offer.isHidden()
