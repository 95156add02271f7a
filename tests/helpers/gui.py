"""Builders for the GUI tests: the PINs of the GUI clinic (tests/gui/conftest.py), a
keyboard that types into the focused widget, the board and the episode window opened and
ready, and small look-ups by stable handle."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget

from monitor_app.gui.board.main_window import MainWindow
from monitor_app.gui.episode.episode_view import EpisodeWindow


class Keyboard:
    """Types into whatever has the focus and counts every key that is not a digit."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.non_digits = 0

    def type(self, text: str) -> None:
        for char in text:
            self.qtbot.keyClicks(QApplication.focusWidget(), char)
            self.non_digits += not char.isdigit()

    def press(self, key: Qt.Key) -> None:
        self.qtbot.keyClick(QApplication.focusWidget(), key)
        self.non_digits += 1

    def fields(self, *values: str) -> None:
        """Type each value, Tab between them, Enter after the last."""
        for index, value in enumerate(values):
            if index:
                self.press(Qt.Key.Key_Tab)
            self.type(value)
        self.press(Qt.Key.Key_Return)


def shown(qtbot, widget: QWidget) -> QWidget:
    """On screen (a hidden dialog's default button ignores Enter), closed after the test."""
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_and_enter(qtbot, field: QWidget, pin: str) -> None:
    """Real key presses: the PIN, then Enter."""
    qtbot.keyClicks(field, pin)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def shown_board(qtbot, session, *, started: bool = False) -> MainWindow:
    """The board on screen with its timers stopped: the tests tick by hand, on the fixed
    clock. ``started``: also wait for what follows the first paint (idle filter, monitors)."""
    window = MainWindow(session)
    window.tick_timer.stop()
    window.reload_timer.stop()
    shown(qtbot, window)
    if started:
        qtbot.waitUntil(lambda: window.started)
    return window


def open_window(qtbot, session, episode_id) -> EpisodeWindow:
    window = EpisodeWindow(session, episode_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    hr = window.findChild(QLineEdit, "hr")
    qtbot.waitUntil(hr.hasFocus)
    return window


FULL = {"hr": "76", "bp": "124/78", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"}


def button(window, key: str) -> QPushButton:
    return window.findChild(QPushButton, key)


def cell(window, row: int, col: int, role=Qt.ItemDataRole.DisplayRole):
    return window.model.index(row, col).data(role)


def fake_exec(fill):
    """Replace a dialog's modal ``exec``: ``fill(dialog)`` acts as the user would."""
    def run(dialog) -> int:
        fill(dialog)
        return dialog.result()
    return run


START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ADMIN_PIN, NURSE_PIN, MD_PIN = "1111", "2222", "4444"
