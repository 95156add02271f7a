"""The Station menu and toolbar, and the windows and dialogs they open beside the board:
history, REMS forms, the month at a glance, staff, settings, bedside monitors and their
readings for no patient, verify record.

Each window is made on first use (its module too: none is on the way to the board) and
raised after; the administrator's dialogs say so to anyone else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar, QToolButton, QWidget

from monitor_app.domain.models import Role, ValidationError
from monitor_app.gui.common import widgets
from monitor_app.gui.common.session import Session
from monitor_app.services.errors import StorageError

# key (objectName and handle), text, shortcut; in the menu's order.
ACTIONS = (
    ("new_episode", "New episode", "Ctrl+N"),
    ("open_episode", "Open episode", ""),
    ("lock", "Lock", "Ctrl+L"),
    ("switch_nurse", "Switch nurse", ""),
    ("staff", "Staff", ""),
    ("settings", "Settings", ""),
    ("monitors", "Bedside monitors", ""),
    ("monitor_log", "Monitor readings for no patient", ""),
    ("verify", "Verify record", ""),
    ("history", "History", "Ctrl+H"),
    ("rems_queue", "REMS forms", ""),
    ("clinic_report", "Month at a glance", ""),
)
MENU_ONLY = ("open_episode", "monitors", "monitor_log")


def build_actions(window: QMainWindow,
                  slots: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """The Station menu (every action, then Quit) and the toolbar (all but MENU_ONLY)."""
    actions: dict[str, QAction] = {}
    toolbar = QToolBar("Station", window)
    toolbar.setObjectName("station_toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    window.addToolBar(toolbar)
    menu = window.menuBar().addMenu("&Station")
    for key, text, shortcut in ACTIONS:
        action = QAction(text, window)
        action.setObjectName(key)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(slots[key])
        actions[key] = action
        menu.addAction(action)
        if key not in MENU_ONLY:
            toolbar.addAction(action)
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                widgets.set_handle(button, key, text)
    menu.addSeparator()
    quit_action = menu.addAction("Quit")
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)
    return actions


class StationTools:
    """Opens the station's other windows and dialogs; ``reload`` refreshes the board
    after a change of settings, ``staff_changed`` the lock screen's list of names."""

    def __init__(self, session: Session, station: QWidget,
                 open_episode: Callable[[int], None], reload: Callable[[], None],
                 staff_changed: Callable[[], None]) -> None:
        self.session = session
        self.station = station
        self.open_episode = open_episode
        self.reload = reload
        self.staff_changed = staff_changed
        self.windows: dict[str, QWidget] = {}

    def show_window(self, key: str, make: Callable[[], QWidget]) -> QWidget:
        """One window per key, made on first use and raised after."""
        window = self.windows.get(key)
        if window is None or not shiboken6.isValid(window):
            window = self.windows[key] = make()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def history(self) -> None:
        from monitor_app.gui.history.history_window import HistoryWindow

        self.show_window("history", lambda: HistoryWindow(self.session, self.open_episode,
                                                          self.station))

    def rems_queue(self) -> None:
        from monitor_app.gui.rems.rems_queue_window import RemsQueueWindow

        self.show_window("rems_queue", lambda: RemsQueueWindow(self.session, self.station))

    def monitor_log(self) -> None:
        from monitor_app.gui.monitor.log_window import MonitorLogWindow

        self.show_window("monitor_log", lambda: MonitorLogWindow(self.session, self.station))

    def clinic_report(self) -> None:
        from monitor_app.gui.report.report_window import ReportWindow

        self.show_window("clinic_report", lambda: ReportWindow(self.session, self.station))

    def _require_admin(self, what: str) -> bool:
        staff = self.session.staff
        if staff is None or staff.role != Role.ADMIN:
            widgets.inform(self.station, what, f"Only an administrator can open {what.lower()}.")
            return False
        return True

    def staff(self) -> None:
        if self._require_admin("Staff"):
            from monitor_app.gui.staff.staff_admin import StaffAdminDialog

            StaffAdminDialog(self.session, self.station).ask()
            self.staff_changed()

    def settings(self) -> None:
        if self._require_admin("Settings"):
            from monitor_app.gui.staff.settings_dialog import SettingsDialog

            if SettingsDialog(self.session, self.station).ask() is not None:
                self.reload()

    def monitors(self) -> None:
        if self._require_admin("Bedside monitors"):
            from monitor_app.gui.monitor.settings_dialog import MonitorSettingsDialog

            if MonitorSettingsDialog(self.session, self.station).ask() is not None:
                self.reload()

    def verify(self) -> None:
        try:
            problems = self.session.services.verify()
        except (ValidationError, StorageError) as exc:
            widgets.warn(self.station, "Verify record", f"Could not verify the record: {exc}")
            return
        if not problems:
            widgets.inform(self.station, "Verify record", "The record is intact: nothing was "
                           "changed outside the app.")
        else:
            widgets.warn(self.station, "Verify record", "The record was altered outside the "
                         "app:\n\n" + "\n".join(problems[:20]))
