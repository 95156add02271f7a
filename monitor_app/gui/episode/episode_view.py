"""One episode: header, phase buttons, alerts, the observation table, the trend, the form.

Every action is one services call; afterwards ``session.notify(episode_id)`` tells every
window (this one included) to refresh from ``services.episode_view()``. A save is shown
from the row it returned, and the countdown ticks from the cached view (episode_cache).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QMenu, QVBoxLayout, QWidget

from monitor_app.domain.models import Phase, ValidationError
from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.gui.common.formatting import local_time
from monitor_app.gui.common.session import Session
from monitor_app.gui.episode.ack_dialog import PrescriberAckDialog
from monitor_app.gui.episode.alert_ack_dialog import AlertAckDialog
from monitor_app.gui.episode.correction_dialog import CorrectionDialog
from monitor_app.gui.episode.dosing_time import DosingTimeEdit
from monitor_app.gui.episode.episode_cache import CachedEpisode
from monitor_app.gui.episode.episode_dialogs import (
    MessageLabel,
    action_button,
    ask_cancel,
    ask_void,
)
from monitor_app.gui.episode.episode_header import EpisodeHeader
from monitor_app.gui.episode.episode_parts import (
    AlertBanner,
    ObservationTableView,
    entry_box,
    table_and_chart,
)
from monitor_app.gui.episode.episode_value_dialog import EpisodeValueDialog
from monitor_app.gui.episode.observation_form import ObservationForm
from monitor_app.gui.episode.table_models import ObservationModel
from monitor_app.gui.episode.trend_plot import TrendPlot
from monitor_app.services.errors import NotSignedIn, StorageError
from monitor_app.services.views import EpisodeView, ObservationRow

if TYPE_CHECKING:
    from monitor_app.services import Services

WRITABLE = (Phase.PRECHECK, Phase.DOSING, Phase.RECOVERY, Phase.READY)
PLOT_EVERY_S = 30


class EpisodeWindow(QWidget):
    """The window of one episode; ``view`` is the last ``EpisodeView`` shown."""

    def __init__(self, session: Session, episode_id: int, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("episode_window")
        self.session = session
        self.episode_id = episode_id
        self.cache = CachedEpisode(session.services, episode_id)
        self.closed = False
        self._quiet = False
        self._ticks = 0
        self._names: dict[int, str] = {}
        settings = self.services.settings()
        self.temp_unit = settings.temp_unit
        self.header = EpisodeHeader(settings.weight_unit, self)
        self.model = ObservationModel(self.temp_unit, self)
        self.form = ObservationForm(session, episode_id, self.temp_unit, self)
        self.form.saved.connect(self._on_form_saved)
        self._build()
        fit_to_screen(self, 1480, 940)
        session.data_changed.connect(self._on_session_data_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()
        self.refresh()
        self.form.focus_first()

    @property
    def services(self) -> Services:
        return self.session.services

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        self.start_dosing = action_button("start_dosing", "Start dosing",
                                         self._on_start_dosing_clicked)
        self.end_dosing = action_button("end_dosing", "End dosing", self._on_end_dosing_clicked)
        self.discharge = action_button("discharge", "Discharge…", self._on_discharge_clicked)
        self.predose_ack = action_button("predose_ack", "Prescriber acknowledgement…",
                                        self._on_predose_ack_clicked)
        self.cancel_episode = action_button("cancel_episode", "Cancel episode…",
                                           self._on_cancel_episode_clicked)
        self.correct = action_button("correct_observation", "Correct selected…",
                                    self._on_correct_observation_clicked)
        self.void = action_button("void_observation", "Void selected…",
                                 self._on_void_observation_clicked)
        self.dosing_time = DosingTimeEdit()
        self.correct_episode = action_button("correct_episode", "Correct weight or dose…",
                                            self._on_correct_episode_clicked)
        actions = QHBoxLayout()
        actions.addWidget(self.dosing_time)
        for button in (self.start_dosing, self.end_dosing, self.discharge, self.predose_ack):
            actions.addWidget(button)
        actions.addStretch(1)
        self.header.add_action(self.correct_episode)
        for button in (self.correct, self.void, self.cancel_episode):
            actions.addWidget(button)

        self.message = MessageLabel()

        self.acknowledge = action_button("acknowledge_alerts", "Acknowledge alerts",
                                        self._on_acknowledge_alerts_clicked)
        self.banner = AlertBanner(self.acknowledge)
        self.alert_list = self.banner.alert_list

        self.table = ObservationTableView()
        self.table.setModel(self.model)
        self.table.setMinimumHeight(self.table.rows_height())
        self.table.customContextMenuRequested.connect(self._on_observations_context_menu)
        self.table.selectionModel().selectionChanged.connect(self._on_observations_selected)

        self.plot = TrendPlot(self)
        self.splitter = table_and_chart(self.table, self.plot)
        entry = entry_box(self.form)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(entry)

    # ---------------------------------------------------------------- refresh
    @property
    def view(self) -> EpisodeView | None:
        """The last ``EpisodeView`` shown."""
        return self.cache.view

    def refresh(self) -> None:
        """Show the episode as the services see it now (a full rebuild of the view)."""
        previous = self.cache.view
        try:
            view = self.cache.load()
        except ValidationError as exc:
            self.show_message(exc.message)
            return
        self._show(view, previous)

    def _show(self, view: EpisodeView, previous: EpisodeView | None) -> None:
        now = self.services.clock.now()
        self.dosing_time.follow(now)
        if (previous is not None and previous.rows == view.rows
                and previous.episode == view.episode and previous.signed == view.signed):
            return self._show_status(now)  # nothing moved but the countdown
        self.setWindowTitle(f"{view.patient.name} · chair {view.episode.chair} · "
                            f"{view.episode.number}")
        self.header.set_view(view, now, self._staff_name(view.episode.predose_ack_by))
        self.form.fields.set_scales(view.protocol.limits)
        self._show_status(now)
        if previous is None or previous.rows != view.rows:
            self._set_rows(view.rows)
        self.plot.set_view(view, now)
        self._set_actions(view)
        self.banner.show_view(view)

    def _show_status(self, now: datetime) -> None:
        status = self.cache.status(now)
        if status is not None:
            self.header.set_status(status, now)

    def tick(self) -> None:
        """The countdown moves on from the cached view; the view is rebuilt only when
        something was written since it was read (here or at another station)."""
        if self.cache.stale():
            self.refresh()
            return
        now = self.services.clock.now()
        self._show_status(now)
        self.dosing_time.follow(now)

    def _staff_name(self, staff_id: int | None) -> str:
        if staff_id is None:
            return ""
        if staff_id not in self._names:
            self._names[staff_id] = self.services.staff_member(staff_id).display
        return self._names[staff_id]

    def _set_rows(self, rows: tuple[ObservationRow, ...]) -> None:
        selected = self.selected_row()
        self.model.set_rows(rows)
        if selected is not None:
            index = self.model.row_of(selected.observation.id)
            if index >= 0:
                self.table.selectRow(index)
        self.table.scrollToBottom()
        self._on_observations_selected()

    def _set_actions(self, view: EpisodeView) -> None:
        phase = view.episode.phase
        open_ = not view.signed and phase in WRITABLE
        label = view.protocol.dosing_label
        self.start_dosing.setText(f"Start {label}")
        self.end_dosing.setText(f"End {label}")
        for button in (self.start_dosing, self.end_dosing):
            button.setAccessibleName(button.text())
        self.start_dosing.setEnabled(open_ and phase == Phase.PRECHECK)
        self.dosing_time.setVisible(open_ and phase in (Phase.PRECHECK, Phase.DOSING))
        self.correct_episode.setEnabled(open_)
        self.end_dosing.setEnabled(open_ and phase == Phase.DOSING)
        # A signed episode opens its discharge dialog read-only: addendum, Export for EHR.
        self.discharge.setEnabled(view.signed or (open_ and phase in (Phase.RECOVERY,
                                                                      Phase.READY)))
        self.cancel_episode.setEnabled(open_ and phase == Phase.PRECHECK)
        for button in (self.start_dosing, self.end_dosing, self.discharge,
                       self.cancel_episode):  # what this phase cannot use takes no room
            button.setVisible(button.isEnabled())
        needs_ack = (view.predose_caution is not None and view.episode.predose_ack_by is None
                     and phase == Phase.PRECHECK and open_)
        self.predose_ack.setVisible(needs_ack)
        self.form.set_enabled_for(open_)

    def show_message(self, text: str, kind: str = "error") -> None:
        self.message.show_message(text, kind)

    def selected_row(self) -> ObservationRow | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.model.row_at(indexes[0].row()) if indexes else None

    def _changed(self, here: bool = True) -> None:
        """Tell every window the record changed; ``here=False``: this one is up to date."""
        self._quiet = not here
        try:
            self.session.notify(self.episode_id)
        finally:
            self._quiet = False

    def _run(self, action: Callable[[], object]) -> bool:
        """Run a services call; show what the user can fix instead of a traceback."""
        try:
            action()
        except ValidationError as exc:
            self.show_message(exc.message)
            return False
        except NotSignedIn as exc:
            self.show_message(f"{exc}: sign in first")
            return False
        except StorageError as exc:
            self.show_message(f"Not saved: {exc}")
            return False
        return True

    # ---------------------------------------------------------------- slots
    def _on_session_data_changed(self, episode_id: int) -> None:
        if episode_id in (-1, self.episode_id) and not self.closed and not self._quiet:
            self.refresh()

    def _on_timer_timeout(self) -> None:
        self._ticks += 1
        self.form.tick()
        self.tick()
        if (self._ticks % PLOT_EVERY_S == 0 and self.view is not None
                and self.view.episode.phase == Phase.DOSING):
            self.plot.set_view(self.view, self.services.clock.now())

    def _on_form_saved(self, row: ObservationRow) -> None:
        text = f"Saved the observation taken {local_time(row.observation.taken_at)}"
        if row.alerts:
            text += f": {len(row.alerts)} alert(s) raised, see above"
        self.show_message(text, "info")
        previous = self.view
        view = self.cache.with_saved(row)
        if view is None:  # the baseline moved, or another station wrote: rebuild
            self.refresh()
        else:  # the row the use case returned; the model only inserts it
            self.model.add_row(row)
            self._show(view, previous)
        self._changed(here=False)

    def _on_start_dosing_clicked(self) -> None:
        if not self._record_dosing(self.services.start_dosing) and self.predose_ack.isVisible():
            self.predose_ack.setFocus()

    def _on_end_dosing_clicked(self) -> None:
        self._record_dosing(self.services.end_dosing)

    def _record_dosing(self, record: Callable[[int, int, datetime | None], object]) -> bool:
        """Start or end dosing at the time in the dosing-time field (now unless changed)."""
        now = self.services.clock.now()
        if not self._run(lambda: record(self.session.staff_id, self.episode_id,
                                        self.dosing_time.value(now))):
            return False
        self.show_message("")
        self.dosing_time.reset(now)
        self._changed()
        return True

    def _on_predose_ack_clicked(self) -> None:
        caution = self.view.predose_caution.message if self.view and \
            self.view.predose_caution else "Baseline above the pre-dose limit"
        if PrescriberAckDialog(self.session, self.episode_id, caution, self).ask():
            self.show_message("Baseline acknowledged by the prescriber: dosing may start",
                              "info")
            self._changed()

    def _on_discharge_clicked(self) -> None:
        from monitor_app.gui.discharge.discharge_dialog import open_discharge_dialog

        open_discharge_dialog(self, self.session, self.episode_id)
        self._changed()

    def _on_cancel_episode_clicked(self) -> None:
        if ask_cancel(self, self.session, self.episode_id):
            self._changed()

    def _on_correct_episode_clicked(self) -> None:
        if self.view is not None and EpisodeValueDialog(
                self.session, self.view.episode, self.header.weight_unit, self).ask() is not None:
            self.show_message("Correction recorded; the earlier value stays on the record",
                              "info")
            self._changed()

    def _on_acknowledge_alerts_clicked(self) -> None:
        pending = [r for r in self.view.current_rows if r.unacknowledged] if self.view else []
        if not pending:
            return
        dialog = AlertAckDialog(self.session, pending, self)
        done = dialog.ask()
        dialog.deleteLater()
        if done:
            who = self.session.staff.initials if self.session.staff else ""
            self.show_message(f"Alerts acknowledged by {who} at "
                              f"{local_time(self.services.clock.now())}", "info")
            self._changed()

    def _on_observations_selected(self, *_args: object) -> None:
        row = self.selected_row()
        usable = (row is not None and not row.observation.voided and self.view is not None
                  and not self.view.signed and self.view.episode.phase in WRITABLE)
        self.correct.setEnabled(usable)
        self.void.setEnabled(usable)

    def _on_observations_context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction("Correct…", self._on_correct_observation_clicked).setEnabled(
            self.correct.isEnabled())
        menu.addAction("Void…", self._on_void_observation_clicked).setEnabled(
            self.void.isEnabled())
        menu.exec(self.table.viewport().mapToGlobal(point))

    def _on_correct_observation_clicked(self) -> None:
        row = self.selected_row()
        if row is not None and not row.observation.voided and CorrectionDialog(
                self.session, row, self.temp_unit, self, self.view).ask() is not None:
            self.show_message("Correction recorded; the earlier values stay, struck through",
                              "info")
            self._changed()

    def _on_void_observation_clicked(self) -> None:
        row = self.selected_row()
        if row is not None and not row.observation.voided and ask_void(self, self.session,
                                                                       row):
            self._changed()

    # ---------------------------------------------------------------- Qt events
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.form.focus_first()
        self.table.scrollToBottom()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed = True
        self.timer.stop()
        super().closeEvent(event)


def open_episode_window(parent: QWidget | None, session: Session, episode_id: int
                        ) -> EpisodeWindow:
    """Show the episode's window, reusing one already open for it."""
    for widget in QApplication.topLevelWidgets():
        if (isinstance(widget, EpisodeWindow) and widget.session is session
                and widget.episode_id == episode_id and not widget.closed):
            widget.show()
            widget.raise_()
            widget.activateWindow()
            return widget
    window = EpisodeWindow(session, episode_id, parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window
