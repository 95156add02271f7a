"""The month at a glance window: figures, four charts, PDF and CSV saved as shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from monitor_app.gui.board.main_window import MainWindow
from monitor_app.gui.common.session import Session
from monitor_app.gui.report.report_charts import BarChart
from monitor_app.gui.report.report_window import ReportWindow
from tests.helpers.history import History

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


def signed_in(history: History) -> Session:
    session = Session(history.s)
    session.sign_in(history.s.staff_member(history.staff("1111")))
    return session


@pytest.fixture
def report(qtbot, built_history: History) -> ReportWindow:
    """The report only reads the record (its files go to tmp_path)."""
    window = ReportWindow(signed_in(built_history))
    qtbot.addWidget(window)
    return window


def test_the_station_menu_opens_the_report(qtbot, history: History) -> None:
    main = MainWindow(signed_in(history))
    qtbot.addWidget(main)
    main.tick_timer.stop()
    main.reload_timer.stop()
    main.actions_by_key["clinic_report"].trigger()
    opened = main.tools.windows["clinic_report"]
    assert isinstance(opened, ReportWindow) and opened.isVisible()
    assert main.actions_by_key["clinic_report"].text() == "Month at a glance"


def test_the_report_opens_on_this_month_with_its_figures_and_charts(report: ReportWindow
                                                                    ) -> None:
    assert report.date_from.text() == "2026-11-01"
    assert report.date_to.text() == "2026-11-20"
    figures = report.findChild(QLabel, "report_figures").text()
    assert "Sessions: 13" in figures
    assert "Flagged observations: 4 of" in figures
    assert "median 119 min" in figures
    sessions = report.findChild(BarChart, "report_sessions_plot")
    assert dict(zip(sessions.labels, sessions.values, strict=True))["16 Nov"] == 11
    discharge = report.findChild(BarChart, "report_discharge_plot")
    assert sum(discharge.values) == 6


def test_a_shorter_range_changes_every_figure(qtbot, report: ReportWindow) -> None:
    edit = report.findChild(QLineEdit, "report_to")
    edit.setText("2026-11-15")
    qtbot.mouseClick(report.findChild(QPushButton, "report_show"), Qt.MouseButton.LeftButton)
    assert "Sessions: 2" in report.figures.text()
    assert sum(report.findChild(BarChart, "report_discharge_plot").values) == 2


def test_a_wrong_date_is_refused_next_to_the_field(qtbot, report: ReportWindow) -> None:
    report.date_from.setText("2026-02-30")
    qtbot.keyClick(report.date_from, Qt.Key.Key_Return)
    assert "not a date" in report.errors["report_from"].message
    assert "Sessions: 13" in report.figures.text()  # the last report stays


def test_save_pdf_and_csv_write_the_report_shown(report: ReportWindow, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "choose_path", lambda suffix: str(tmp_path / f"nov{suffix}"))
    pdf = report.save(".pdf")
    csv_file = report.save(".csv")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    assert csv_file is not None and "sessions,total,13" in csv_file.read_text("utf-8")
    assert f"Saved to {csv_file}" in report.figures.text()
