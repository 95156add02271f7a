"""A month at a glance (clinic manager): choose the days, see the figures and four
charts, save the same report as PDF or CSV."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import (
    FieldError,
    clear_field_errors,
    set_handle,
    show_field_error,
)
from monitor_app.gui.history.history_window import parse_day
from monitor_app.gui.report.report_charts import BAR, FLAG, BarChart
from monitor_app.services.clinic_report import ClinicReportData, minutes_text
from monitor_app.services.errors import StorageError
from monitor_app.services.output_file import database_files


def figures_text(data: ClinicReportData) -> str:
    by_protocol = "; ".join(f"{p.protocol}: {p.sessions} ({p.signed} signed, "
                            f"{p.cancelled} cancelled, {p.open} open)"
                            for p in data.by_protocol) or "none"
    return "\n".join((
        f"{data.date_from} to {data.date_to}:",
        f"Sessions: {data.sessions} — {by_protocol}",
        f"Flagged observations: {data.flagged_observations} of {data.observations}; "
        f"alerts acknowledged {data.acknowledged_alerts} of "
        f"{data.acknowledged_alerts + data.unacknowledged_alerts}; "
        f"median {minutes_text(data.ack_median)} from observation to acknowledgement",
        f"Overrides: {len(data.overrides)}; REMS forms: {data.rems_on_time} filed on time, "
        f"{data.rems_late} late, {data.rems_outstanding} outstanding",
        f"Late entries: {data.late_entries} (typed over {data.late_entry_min} min after); "
        f"voided entries: {data.voided_entries}",
        f"End of dosing to discharge: median {minutes_text(data.discharge_median)}, "
        f"90th percentile {minutes_text(data.discharge_p90)} "
        f"({len(data.discharge_minutes)} episodes)",
    ))


class ReportWindow(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.services = session.services
        self.data: ClinicReportData | None = None
        self.setWindowTitle("Month at a glance")
        set_handle(self, "clinic_report", "Month at a glance")
        today = self.services.clock.now().astimezone().date()
        self.date_from = set_handle(QLineEdit(today.replace(day=1).isoformat()),
                                    "report_from", "From")
        self.date_to = set_handle(QLineEdit(today.isoformat()), "report_to", "To")
        self.show_button = set_handle(QPushButton("Show"), "report_show", "Show")
        self.last_month = set_handle(QPushButton("Last month"), "report_last_month",
                                     "Last month")
        self.save_pdf = set_handle(QPushButton("Save PDF…"), "report_save_pdf", "Save PDF")
        self.save_csv = set_handle(QPushButton("Save CSV…"), "report_save_csv", "Save CSV")
        self.close_button = set_handle(QPushButton("Close"), "report_close", "Close")
        self.errors = {key: FieldError(key) for key in ("report_from", "report_to", "output")}
        row = QHBoxLayout()
        for label, edit in (("From:", self.date_from), ("To:", self.date_to)):
            edit.setPlaceholderText("YYYY-MM-DD")
            edit.setMaximumWidth(120)
            row.addWidget(QLabel(label))
            row.addWidget(edit)
        for button in (self.show_button, self.last_month):
            row.addWidget(button)
        row.addStretch(1)
        for button in (self.save_pdf, self.save_csv, self.close_button):
            row.addWidget(button)
        errors = QHBoxLayout()
        for error in self.errors.values():
            errors.addWidget(error)
        self.figures = set_handle(QLabel(), "report_figures", "Key figures")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sessions_plot = BarChart("report_sessions_plot", "Sessions per week", BAR)
        self.flagged_plot = BarChart("report_flagged_plot", "Flagged observations per week",
                                     FLAG)
        self.overrides_plot = BarChart("report_overrides_plot", "Overrides by criterion", BAR)
        self.discharge_plot = BarChart("report_discharge_plot",
                                       "End of dosing to discharge (episodes by minutes)", BAR)
        grid = QGridLayout()
        for i, plot in enumerate((self.sessions_plot, self.flagged_plot, self.overrides_plot,
                                  self.discharge_plot)):
            plot.setMinimumHeight(180)
            grid.addWidget(plot, i // 2, i % 2)
        column = QVBoxLayout(self)
        column.addLayout(row)
        column.addLayout(errors)
        column.addWidget(self.figures)
        column.addLayout(grid, 1)
        self.show_button.clicked.connect(self.refresh)
        self.date_from.returnPressed.connect(self.refresh)
        self.date_to.returnPressed.connect(self.refresh)
        self.last_month.clicked.connect(self._on_last_month_clicked)
        self.save_pdf.clicked.connect(lambda: self.save(".pdf"))
        self.save_csv.clicked.connect(lambda: self.save(".csv"))
        self.close_button.clicked.connect(self.close)
        fit_to_screen(self, 1200, 740)
        self.refresh()

    def _on_last_month_clicked(self) -> None:
        first = self.services.clock.now().astimezone().date().replace(day=1)
        end = first - timedelta(days=1)
        self.date_from.setText(end.replace(day=1).isoformat())
        self.date_to.setText(end.isoformat())
        self.refresh()

    def refresh(self) -> None:
        clear_field_errors(self.errors)
        try:
            start = parse_day(self.date_from.text(), "report_from")
            end = parse_day(self.date_to.text(), "report_to")
            if start is None or end is None:
                raise ValidationError("report_from" if start is None else "report_to",
                                      "type a date (YYYY-MM-DD)")
            data = self.services.clinic_report.report(start, end)
        except ValidationError as exc:
            show_field_error(self.errors, exc, self.errors["report_to"])
            return
        except StorageError as exc:
            self.errors["output"].show_message(f"The report could not be made: {exc}")
            return
        self.show_data(data)

    def show_data(self, data: ClinicReportData) -> None:
        self.data = data
        self.figures.setText(figures_text(data))
        weeks = [f"{w.week_of:%d %b}" for w in data.weeks]
        self.sessions_plot.set_bars(weeks, [w.sessions for w in data.weeks])
        self.flagged_plot.set_bars(weeks, [w.flagged for w in data.weeks])
        self.overrides_plot.set_bars([c for c, _ in data.overrides_by_criterion],
                                     [n for _, n in data.overrides_by_criterion])
        bins = data.discharge_bins
        self.discharge_plot.set_bars([b for b, _ in bins], [n for _, n in bins])

    def choose_path(self, suffix: str) -> str:
        assert self.data is not None
        name = f"report_{self.data.date_from}_{self.data.date_to}{suffix}"
        kind = "PDF files (*.pdf)" if suffix == ".pdf" else "CSV files (*.csv)"
        path, _filter = QFileDialog.getSaveFileName(self, "Save the report", name, kind)
        return path

    def _typed_range_shown(self) -> bool:
        """The dates in the fields are those of the figures shown (Show was pressed)."""
        assert self.data is not None
        try:
            typed = (parse_day(self.date_from.text(), "report_from"),
                     parse_day(self.date_to.text(), "report_to"))
        except ValidationError:
            return False
        return typed == (self.data.date_from, self.data.date_to)

    def save(self, suffix: str) -> Path | None:
        if self.data is None:
            return None
        if not self._typed_range_shown():
            self.errors["output"].show_message(
                f"Not saved: the figures shown are for {self.data.date_from} to "
                f"{self.data.date_to}; press Show for the dates typed, then save")
            return None
        chosen = self.choose_path(suffix)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.errors["output"].clear()
        try:  # the save dialog has asked before replacing a file
            written = self.services.clinic_report.write_data(
                self.data, path, protected=database_files(self.services.db_path), force=True)
        except ValidationError as exc:
            self.errors["output"].show_message(f"Not saved: {exc.message}")
            return None
        except OSError as exc:
            self.errors["output"].show_message(f"Not saved: {exc.strerror or exc}")
            return None
        self.figures.setText(figures_text(self.data) + f"\nSaved to {written}")
        return written


