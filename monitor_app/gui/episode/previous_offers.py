"""Weight and escort from the patient's last session, offered in the new-episode form
as buttons to confirm ("From last session (12 Nov 2026): 71.5 kg — confirm"). A field
is filled only when the nurse presses its offer; what was filled from one patient's
last session goes again when another patient is chosen (unless it was retyped)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtWidgets import QLineEdit, QWidget

from monitor_app.gui.common.offer import offer_button, show_offer
from monitor_app.services.entry import PreviousEpisode

ESCORT = ("escort_name", "escort_relationship", "escort_phone")


def escort_text(name: str, relationship: str, phone: str) -> str:
    who = f"{name} ({relationship})" if relationship else name
    return ", ".join(t for t in (who, phone) if t)


class PreviousOffers:
    def __init__(self, fields: Mapping[str, QWidget], weight_text: Callable[[float], str],
                 unit: str) -> None:
        self.fields = fields  # the form's fields by key (filled in as the form is built)
        self.weight_text = weight_text
        self.unit = unit
        self.weight_button = offer_button("weight", "Weight")
        self.escort_button = offer_button("escort", "Escort")
        self.weight_button.clicked.connect(lambda: self._confirm(("weight",)))
        self.escort_button.clicked.connect(lambda: self._confirm(ESCORT))
        self.previous: PreviousEpisode | None = None
        self.offer: dict[str, str] = {}  # field -> the text its offer fills in
        self.filled: dict[str, str] = {}  # field -> the text filled from an offer

    def line(self, key: str) -> QLineEdit:
        widget = self.fields[key]
        assert isinstance(widget, QLineEdit)
        return widget

    def watch(self) -> None:
        """Once the form is built: an offer hides as soon as its fields hold text."""
        for key in ("weight", *ESCORT):
            self.line(key).textChanged.connect(self.refresh)

    def offer_from(self, previous: PreviousEpisode | None) -> None:
        """Offer the last session of the patient now chosen (None: nothing to offer)."""
        for key, text in self.filled.items():
            if self.line(key).text() == text:
                self.line(key).clear()
        self.filled = {}
        self.previous = previous
        self.offer = {}
        if previous is not None:
            if previous.weight_kg > 0:
                self.offer["weight"] = self.weight_text(previous.weight_kg)
            escort = previous.escort
            if escort.name or escort.phone:
                self.offer.update(escort_name=escort.name,
                                  escort_relationship=escort.relationship,
                                  escort_phone=escort.phone)
        self.refresh()

    def refresh(self, *_args: object) -> None:
        day = self.previous.opened.astimezone().date() if self.previous else None
        weight = self.offer.get("weight", "")
        show_offer(self.weight_button, day, f"{weight} {self.unit}"
                   if weight and not self.line("weight").text() else "")
        empty = not any(self.line(k).text() for k in ESCORT)
        escort = escort_text(*(self.offer.get(k, "") for k in ESCORT))
        show_offer(self.escort_button, day, escort if escort and empty else "")

    def _confirm(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            text = self.offer.get(key, "")
            self.line(key).setText(text)
            self.filled[key] = text
        self.refresh()
