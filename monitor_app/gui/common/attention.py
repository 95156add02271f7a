"""Getting the nurse's attention: a chime and the taskbar alert when a chair turns due
or overdue, the chairs' states on the lock screen (no names), and the question
before quitting while chairs are monitored.

``Attention.update(rows, volume)`` is called with the board's rows after every tick
and reload; it acts only on a change of state into "due" or "overdue", never on every
tick. The sound is a ``QSoundEffect`` made on first use (Qt Multimedia is optional:
without it, or when the sound cannot load, ``QApplication.beep()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QWidget

from monitor_app import paths
from monitor_app.domain.schedule import ScheduleState
from monitor_app.gui.common import widgets
from monitor_app.services.board import BoardRow

ALERT_STATES = frozenset({ScheduleState.DUE, ScheduleState.OVERDUE})
CHAIRS_PER_LINE = 6
CHAIR_STYLE = {  # background, ink: colour always comes with the words
    "red": "background: #f4a3a3; color: #111111;",
    "amber": "background: #ffd666; color: #111111;",
    "": "background: #e8e8e8; color: #111111;",
}


def chime_path() -> Path:
    return paths.resources_dir() / "sounds" / "chime.wav"


class SoundPlayer(QObject):
    """Plays the chime at a volume of 0 to 100 (0 = silent)."""

    def __init__(self, path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path or chime_path()
        self._effect: Any = None  # a QSoundEffect once made
        self._tried = False

    def play(self, volume: int) -> None:
        if volume <= 0:
            return
        effect = self._load()
        if effect is None:
            QApplication.beep()
            return
        effect.setVolume(min(volume, 100) / 100)
        effect.play()

    def _load(self) -> Any:
        if not self._tried:
            self._tried = True
            self._effect = self._make_effect()
        effect = self._effect
        if effect is None or effect.status() == effect.Status.Error:
            return None  # the beep instead
        return effect

    def _make_effect(self) -> Any:
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:  # no Qt Multimedia, or no audio library on this computer
            return None
        if not self.path.is_file():
            return None
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(self.path)))
        return effect


class Attention(QObject):
    """Remembers each chair's last state; a chair newly due or overdue alerts once."""

    def __init__(self, window: QWidget, player: SoundPlayer | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.player = player if player is not None else SoundPlayer(parent=self)
        self._states: dict[int, str] = {}

    def update(self, rows: Sequence[BoardRow], volume: int) -> list[int]:
        """Alert for chairs that have just become due or overdue; returns their episodes."""
        turned = [r.episode_id for r in rows if r.status.state in ALERT_STATES
                  and self._states.get(r.episode_id) != r.status.state]
        self._states = {r.episode_id: r.status.state for r in rows}
        if turned:
            self.player.play(volume)
            QApplication.alert(self.window)
        return turned


def chair_state(row: BoardRow) -> tuple[str, str]:
    """What the lock screen says about a chair, and its colour; never who sits there."""
    state = row.status.state
    words, colour = {
        ScheduleState.OVERDUE: ("⚠ OVERDUE", "red"),
        ScheduleState.DUE: ("⚠ DUE NOW", "amber"),
        ScheduleState.DUE_SOON: ("◷ due soon", ""),
        ScheduleState.BASELINE: ("◷ baseline due", "amber"),
    }.get(state, ("on schedule", ""))
    if row.flags:
        words += " · ⚑ FLAGGED"
        colour = "red"
    return words, colour


class ChairStates(QWidget):
    """One tile per active chair: its number and state, for the locked screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        widgets.set_handle(self, "lock_chairs", "Chairs")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.tiles: list[QLabel] = []

    def show_rows(self, rows: Sequence[BoardRow]) -> None:
        """Called every tick: the tiles are reused, only their words and colour change."""
        ordered = sorted(rows, key=_chair_order)
        while len(self.tiles) > len(ordered):
            tile = self.tiles.pop()
            self.grid.removeWidget(tile)
            tile.hide()
            tile.deleteLater()
        while len(self.tiles) < len(ordered):
            tile = QLabel()
            self.grid.addWidget(tile, *divmod(len(self.tiles), CHAIRS_PER_LINE))
            self.tiles.append(tile)
        for tile, row in zip(self.tiles, ordered, strict=True):
            words, colour = chair_state(row)
            widgets.set_handle(tile, f"lock_chair_{row.chair}", f"Chair {row.chair}")
            tile.setText(f"Chair {row.chair}\n{words}")
            style = (f"{CHAIR_STYLE[colour]} padding: 6px 10px; border-radius: 4px; "
                     "font-weight: bold;")
            if tile.styleSheet() != style:
                tile.setStyleSheet(style)
        self.setVisible(bool(ordered))


def _chair_order(row: BoardRow) -> tuple[int, str]:
    chair = row.chair.strip()
    return (int(chair), "") if chair.isdigit() else (10**6, chair)


def ask_quit(parent: QWidget | None, active: int) -> bool:
    """Asked before the station closes while chairs are monitored (tests replace it)."""
    chairs = "1 chair is" if active == 1 else f"{active} chairs are"
    return widgets.confirm(parent, "Quit", f"{chairs} still being monitored; quit anyway?")
