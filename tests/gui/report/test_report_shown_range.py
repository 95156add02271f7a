"""The month at a glance never passes one range's figures off as another's.

Attack pass: after typing new dates (a refused end date, or a good one without pressing
Show) the window kept the old figures with nothing saying which days they were for, and
Save PDF wrote those old figures while the fields showed the new dates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from monitor_app.gui.common.session import Session
from monitor_app.gui.report.report_window import ReportWindow
from tests.helpers.history import History

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def report(qtbot, built_history: History) -> ReportWindow:
    """The report only reads the record (its files go to tmp_path)."""
    session = Session(built_history.s)
    session.sign_in(built_history.s.staff_member(built_history.staff("1111")))
    window = ReportWindow(session)
    qtbot.addWidget(window)
    return window


def test_the_figures_say_which_days_they_cover(report: ReportWindow) -> None:
    assert report.figures.text().startswith("2026-11-01 to 2026-11-20:")


def test_after_a_refused_range_the_figures_say_they_are_the_earlier_days(
        qtbot, report: ReportWindow) -> None:
    report.date_from.setText("2026-11-25")
    qtbot.keyClick(report.date_from, Qt.Key.Key_Return)
    assert "before the start date" in report.errors["report_to"].message
    assert report.figures.text().startswith("2026-11-01 to 2026-11-20:")


def test_saving_after_the_dates_were_changed_asks_for_show_and_writes_nothing(
        qtbot, report: ReportWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "choose_path", lambda suffix: str(tmp_path / f"r{suffix}"))
    report.date_to.setText("2026-11-15")  # typed, Show not pressed
    assert report.save(".pdf") is None
    assert not (tmp_path / "r.pdf").exists()
    assert "press Show" in report.errors["output"].message
    qtbot.keyClick(report.date_to, Qt.Key.Key_Return)
    written = report.save(".csv")
    assert written is not None and "sessions,total,2" in written.read_text("utf-8")
