"""An answer offered from the patient's last session, to be confirmed one by one.

The offer is a button that says where the value comes from and that it waits for the
nurse: "From last session (12 Nov 2026): No — confirm". Nothing is filled in, and so
nothing is saved, until it is pressed.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QPushButton, QWidget

from monitor_app.gui.common.widgets import set_handle


def offer_text(day: date | None, value: str) -> str:
    when = f" ({day.day} {day:%b %Y})" if day is not None else ""
    return f"From last session{when}: {value} — confirm"


def offer_button(key: str, label: str, parent: QWidget | None = None) -> QPushButton:
    """A hidden button ``<key>_offer``; ``show_offer`` gives it its text."""
    button = set_handle(QPushButton(parent), f"{key}_offer",
                        f"{label}: confirm the answer from the last session")
    button.setAutoDefault(False)
    button.setProperty("role", "offer")
    button.hide()
    return button


WRAP_AT = 56  # characters: a longer offer breaks after the colon, to stay narrow


def show_offer(button: QPushButton, day: date | None, value: str) -> None:
    """Offer ``value`` (hidden when there is nothing to offer)."""
    text = offer_text(day, value) if value else ""
    if len(text) > WRAP_AT:
        text = text.replace(": ", ":\n", 1)
    button.setText(text)
    button.setToolTip("Ask the patient; press to confirm it for this session" if value else "")
    button.setVisible(bool(value))
