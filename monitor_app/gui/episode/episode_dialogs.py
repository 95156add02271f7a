"""Small parts of the episode window: its buttons, its message line, and the questions
that change the record with a written reason (void an observation, cancel the episode),
each returning True when the services accepted it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from monitor_app.gui.common.formatting import local_time
from monitor_app.gui.common.session import Session
from monitor_app.gui.episode.correction_dialog import ReasonDialog
from monitor_app.services.views import ObservationRow

MESSAGE_STYLES = {"error": "background: #fff4d6; color: #5c3d00; border: 1px solid #c98a00;"
                           " padding: 4px; font-weight: bold;",
                  "info": "color: #1f5f36; padding: 4px;"}


class MessageLabel(QLabel):
    """The line under the actions (handle ``message``): an error to fix, or what was done."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.setStyleSheet(MESSAGE_STYLES[kind])
        self.setText(("⚠ " if kind == "error" else "") + text)
        self.setVisible(bool(text))


def action_button(key: str, text: str, slot: Callable[[], None]) -> QPushButton:
    """A button reached by Tab and the mouse (Enter stays the form's Save)."""
    button = QPushButton(text)
    button.setObjectName(key)
    button.setAccessibleName(text)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    button.clicked.connect(slot)
    return button


def ask_void(parent: QWidget, session: Session, row: ObservationRow) -> bool:
    obs_id = row.observation.id
    return ReasonDialog(
        "Void observation", f"Void the observation taken "
        f"{local_time(row.observation.taken_at)}? It stays on the record, struck "
        "through, with the reason.", "void_reason", "Reason for voiding",
        lambda reason: session.services.void_observation(session.staff_id, obs_id, reason),
        "Void", parent).ask()


def ask_cancel(parent: QWidget, session: Session, episode_id: int) -> bool:
    return ReasonDialog(
        "Cancel episode", "Cancel this episode before dosing? It stays on the record "
        "as cancelled.", "cancel_reason", "Reason for cancelling",
        lambda reason: session.services.cancel_episode(session.staff_id, episode_id,
                                                       reason),
        "Cancel episode", parent, cancel_text="Keep episode").ask()
