"""The nurse station: the board, the status bar, the lock screen, idle lock and backups.
The Station menu and the windows it opens are ``station_menu``'s; what the lock does to
other windows is ``station_lock``'s.

A one-second timer recomputes countdowns from cached rows (``services.board_tick``: no
database access); a full ``services.board()`` reload happens on ``Session.data_changed``
and every 30 s. Idle time is measured on ``services.clock`` so tests drive it with a
``FixedClock`` and ``check_idle()``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import Role, ValidationError
from monitor_app.gui.board.backup_worker import BackgroundBackup
from monitor_app.gui.board.board import BoardModel, BoardView
from monitor_app.gui.board.board_text import summary_text
from monitor_app.gui.board.station_lock import Curtain, IdleFilter
from monitor_app.gui.board.station_menu import StationTools, build_actions
from monitor_app.gui.board.status_bar import StationStatusBar
from monitor_app.gui.common import widgets
from monitor_app.gui.common.fitting import fit_to_screen
from monitor_app.gui.common.session import Session
from monitor_app.services.errors import StorageError

if TYPE_CHECKING:  # made after the board's first paint, or on first use
    from monitor_app.gui.board.record_check import RecordCheck
    from monitor_app.gui.common.attention import Attention
    from monitor_app.gui.monitor.feed import MonitorFeed
    from monitor_app.gui.staff.lock_page import LockPage

TICK_MS = 1000
RELOAD_MS = 30_000
BACKUP_CHECK_MS = 3_600_000
AFTER_PAINT_FALLBACK_MS = 1000
USER_ERRORS = (ValidationError, StorageError)


class MainWindow(QMainWindow):
    backup_on_close = False  # the running app turns it on; tests leave it off
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.services = session.services
        self.settings = self.services.settings()
        self.setWindowTitle("Post-infusion monitor")
        fit_to_screen(self, 1400, 800)
        self._last_input = self.services.clock.now()
        self.curtain = Curtain(session, self)
        # What the first paint does not show is made after it (``_start_watching``) or
        # on first use: the lock screen, the chime, the monitor listener, the record check.
        self._lock_page: LockPage | None = None
        self._attention: Attention | None = None
        self.monitor_feed: MonitorFeed | None = None
        self.record_check: RecordCheck | None = None

        # Each widget made in its place: a widget moved under a new parent is styled
        # again (the style sheet), and the board's header measured again each time.
        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
        board_page = QWidget(self.stack)
        self.summary = widgets.set_handle(QLabel(board_page), "board_summary",
                                          "Board summary")
        self.summary.setProperty("role", "summary")
        self.model = BoardModel(self.services.clock, self)
        self.board = BoardView(board_page)
        self.board.setModel(self.model)
        column = QVBoxLayout(board_page)
        column.addWidget(self.summary)
        column.addWidget(self.board, 1)
        self.stack.addWidget(board_page)
        self._build_actions()
        self._build_status_bar()

        self.board.episode_activated.connect(self._on_board_episode_activated)
        session.changed.connect(self._on_session_changed)
        session.data_changed.connect(self._on_session_data_changed)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self._on_tick_timeout)
        self.reload_timer = QTimer(self)
        self.reload_timer.setInterval(RELOAD_MS)
        self.reload_timer.timeout.connect(self._on_reload_timeout)
        self.backup_timer = QTimer(self)  # the daily backup; checked hourly
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self._on_backup_timeout)
        self.backups = BackgroundBackup(self.services, self)
        self.backups.finished.connect(self._on_backups_finished)
        self._idle_filter = IdleFilter(self, self.note_activity)
        # After the board's first paint (or a second, if it is not painted): the idle
        # filter's first events cost ~30 ms (PySide resolves every Qt class once).
        self._closed = False
        self._after_paint: list[Callable[[], object]] | None = [self._start_watching]
        self.board.first_painted.connect(self._on_board_first_painted,  # after the paint
                                         Qt.ConnectionType.QueuedConnection)
        QTimer.singleShot(AFTER_PAINT_FALLBACK_MS, self, self._on_board_first_painted)
        self._on_session_changed()
        self.tick_timer.start()
        self.reload_timer.start()
        self.backup_timer.start()

    # ------------------------------------------------------------------ building
    @property
    def started(self) -> bool:
        """The board has been painted and the work waiting for it has run."""
        return self._after_paint is None

    def after_first_paint(self, work: Callable[[], object]) -> None:
        """Run ``work`` once the board is on screen (at once if it already is)."""
        if self._after_paint is None:
            work()
        else:
            self._after_paint.append(work)

    def _on_board_first_painted(self) -> None:
        waiting, self._after_paint = self._after_paint, None
        for work in waiting or ():
            if not self._closed:
                work()

    def _start_watching(self) -> None:
        """Idle time, bedside monitors (nothing unless an administrator enabled them)
        and the chime for chairs already due; the lock screen made ready."""
        from monitor_app.gui.monitor.feed import MonitorFeed

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._idle_filter)
        self.monitor_feed = MonitorFeed(self.services, self)
        self.session.monitor_feed = self.monitor_feed  # the entry forms listen to it
        self.monitor_feed.pending_changed.connect(self._on_monitor_feed_pending_changed)
        self.monitor_feed.start()
        self._attend()
        self._make_lock_page()  # now, so the first lock is quick

    @property
    def lock_page(self) -> LockPage:
        """The lock screen: a name and a PIN, no patient data."""
        return self._make_lock_page()

    def _make_lock_page(self) -> LockPage:
        if self._lock_page is None:
            from monitor_app.gui.staff.lock_page import LockPage

            self._lock_page = LockPage(self.session)
            self.stack.addWidget(self._lock_page)
        return self._lock_page

    @property
    def attention(self) -> Attention:
        """The chime and the taskbar alert."""
        if self._attention is None:
            from monitor_app.gui.common.attention import Attention

            self._attention = Attention(self)
        return self._attention

    def _build_actions(self) -> None:
        self.tools = StationTools(self.session, self, self.open_episode, self.reload,
                                  self._on_staff_changed)
        tools = self.tools
        self.actions_by_key = build_actions(self, {
            "new_episode": self._on_new_episode_triggered,
            "open_episode": self._on_open_episode_triggered,
            "lock": self._on_lock_triggered,
            "switch_nurse": self._on_switch_nurse_triggered,
            "staff": tools.staff, "settings": tools.settings, "monitors": tools.monitors,
            "monitor_log": tools.monitor_log, "verify": tools.verify,
            "history": tools.history, "rems_queue": tools.rems_queue,
            "clinic_report": tools.clinic_report,
        })

    def _build_status_bar(self) -> None:
        self.status_bar = bar = StationStatusBar(self)
        self.setStatusBar(bar)
        self.nurse_label, self.clinic_label = bar.nurse_label, bar.clinic_label
        self.clock_label, self.problem_label = bar.clock_label, bar.problem_label
        self.note_label, self.record_label = bar.note_label, bar.record_label

    def start_record_check(self) -> RecordCheck:
        """Verify the record in the background now and then daily (the running app)."""
        if self.record_check is None:
            from monitor_app.gui.board.record_check import RecordCheck

            self.record_check = RecordCheck(self.services, self)
            self.record_check.finished.connect(self._on_record_check_finished)
        self.record_check.start()
        return self.record_check

    def _on_record_check_finished(self, problems: list[str]) -> None:
        self.status_bar.show_record_problems(problems, bool(self.services.integrity_problem))

    # ------------------------------------------------------------------ board
    def reload(self) -> None:
        """A full reload of the board from the database."""
        try:
            rows = self.services.board()
            self.settings = self.services.settings()
        except USER_ERRORS as exc:
            self.problem_label.show_message(f"could not refresh the board: {exc}")
            return
        self.problem_label.clear()
        selected = self.board.selected_episode()
        # No listener, no marks: the monitor use cases are not even loaded then.
        listening = self.monitor_feed is not None and self.monitor_feed.address
        self.model.monitor_marks = self.services.monitor.chair_signals() if listening else {}
        self.model.set_rows(rows)
        self._rems_text = self._rems_counts_text()
        self.board.fit_columns()
        self.board.select_episode(selected)  # the selection follows the patient, not the row
        self._update_summary()
        self._attend()
        self._update_status()

    def tick(self) -> None:
        """Countdowns and colours move on; no database access."""
        if self.model.rows:
            self.model.tick(self.services.board_tick(self.model.rows))
            self._update_summary()
            self._attend()
        self.clock_label.setText(f"{self.services.clock.now().astimezone():%H:%M:%S}")

    def _attend(self) -> None:
        """Chime and taskbar alert for chairs just turned due or overdue (from the
        board's first paint on); the lock screen's chair states follow every tick."""
        if self.started:
            self.attention.update(self.model.rows, self.settings.alert_volume)
        if self.session.locked:
            self.lock_page.show_chairs(self.model.rows)

    def _rems_counts_text(self) -> str:
        """'REMS forms: 1 overdue, 2 due soon' (read with each reload, not each tick)."""
        try:
            return self.services.rems_queue.counts().text
        except USER_ERRORS:
            return ""

    def _update_summary(self) -> None:
        self.summary.setText(summary_text(self.model.rows, getattr(self, "_rems_text", "")))

    def _update_status(self) -> None:
        staff = self.session.staff
        if self.session.locked or staff is None:
            self.nurse_label.setText("Locked")
        else:
            self.nurse_label.setText(f"Signed in: {staff.display}")
        self.clinic_label.setText(self.settings.clinic_name)
        self.clock_label.setText(f"{self.services.clock.now().astimezone():%H:%M:%S}")

    # ------------------------------------------------------------------ idle and lock
    def note_activity(self) -> None:
        self._last_input = self.services.clock.now()

    def check_idle(self) -> bool:
        """Lock if nobody touched keyboard or mouse for the clinic's idle-lock minutes."""
        if self.session.locked:
            return False
        idle = self.services.clock.now() - self._last_input
        if idle >= timedelta(minutes=self.settings.idle_lock_min):
            self.lock()
            return True
        return False

    def lock(self, switching: bool = False) -> None:
        """Hide every patient detail and ask for a PIN; ``switching`` picks no name."""
        self.session.lock()  # emits changed -> _on_session_changed hides everything
        self.lock_page.prepare(switching=switching)

    # ------------------------------------------------------------------ slots
    def _on_session_changed(self) -> None:
        locked = self.session.locked
        for key, action in self.actions_by_key.items():
            action.setEnabled(not locked or key in ("switch_nurse",))
        is_admin = self.session.staff is not None and self.session.staff.role == Role.ADMIN
        self.actions_by_key["staff"].setVisible(is_admin)
        self.actions_by_key["settings"].setVisible(is_admin)
        if locked:
            self.stack.setCurrentWidget(self.lock_page)
            self.curtain.draw()
            self.lock_page.prepare()
            self.lock_page.show_chairs(self.model.rows)
        else:
            self.stack.setCurrentIndex(0)
            self._last_input = self.services.clock.now()
            self.reload()
            self.curtain.open()
            self.board.setFocus()
        self._update_status()

    def _on_staff_changed(self) -> None:
        if self._lock_page is not None:  # else it reads the names when it is made
            self._lock_page.panel.refresh()

    def _on_session_data_changed(self, _episode_id: int) -> None:
        if not self.session.locked:
            self.reload()

    def _on_tick_timeout(self) -> None:
        self.tick()  # locked too: the lock screen's chair states and the chime go on
        if not self.session.locked:
            self.check_idle()

    def _on_reload_timeout(self) -> None:
        if not self.session.locked:
            self.reload()

    def _on_board_episode_activated(self, episode_id: int) -> None:
        self.open_episode(episode_id)

    def open_episode(self, episode_id: int) -> None:
        # Loaded on first use: the episode window (and its chart) is not on the way to the board.
        from monitor_app.gui.episode.episode_view import open_episode_window

        open_episode_window(self, self.session, episode_id)

    def _on_open_episode_triggered(self) -> None:
        episode_id = self.board.selected_episode()
        if episode_id is not None:
            self.open_episode(episode_id)

    def _on_new_episode_triggered(self) -> None:
        from monitor_app.gui.episode.new_episode import NewEpisodeDialog

        episode = NewEpisodeDialog(self.session, self).ask()
        if episode is not None:
            row = self.model.row_of(episode.id)
            if row >= 0:
                self.board.selectRow(row)
            self.open_episode(episode.id)

    def _on_lock_triggered(self) -> None:
        self.lock()

    def _on_switch_nurse_triggered(self) -> None:
        self.lock(switching=True)

    def _on_monitor_feed_pending_changed(self, _episode_id: int) -> None:
        self.model.monitor_marks = self.services.monitor.chair_signals()
        self.model.set_rows(self.model.rows)

    def _on_backup_timeout(self) -> None:
        self.run_backup(daily=True)

    def run_backup(self, daily: bool) -> bool:
        """Start a backup in the background (daily: only when the last one is a day
        old); its result, or its failure, is shown in the status bar and never stops
        the station. False when none started (one is running, or none is due)."""
        return self.backups.start(daily)

    def _on_backups_finished(self, made: str, error: str) -> None:
        if error:
            self.status_bar.show_note(f"Backup failed: {error}", 0)
        elif made:
            self.status_bar.show_note(f"Backed up to {made}", 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        from monitor_app.gui.common.attention import ask_quit

        active = len(self.model.rows)
        if active and not ask_quit(self, active):
            event.ignore()  # chairs are still being watched: the station stays open
            return
        self.tick_timer.stop()
        self.reload_timer.stop()
        self.backup_timer.stop()
        self.backups.wait()  # a copy being written is finished, never cut off
        if self.backup_on_close and self.run_backup(daily=False):
            self.backups.wait()
        for window in QApplication.topLevelWidgets():  # episode windows go with the station
            if window is not self and window.parentWidget() is self:
                window.close()
        self._closed = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._idle_filter)
        super().closeEvent(event)
