"""How every screen writes times, temperatures, weights and alert directions.

The clinic's settings choose °C or °F and kg or lb; the core stores °C and kg. The factors
are in ``domain.units``; this is the one GUI module that applies them to what is shown
and typed, so the form, the table, the header and the dialogs cannot disagree.
"""

from __future__ import annotations

from datetime import datetime

from monitor_app.domain.models import Alert, AlertDirection, ValidationError
from monitor_app.domain.units import c_to_f, decimal, f_to_c, kg_to_lb, lb_to_kg

_GLYPH = {AlertDirection.HIGH: "▲", AlertDirection.RISE: "▲", AlertDirection.LOW: "▼"}


def local_time(moment: datetime, with_date: bool = False) -> str:
    """A stored UTC time shown in the station's local time."""
    return moment.astimezone().strftime("%d %b %H:%M" if with_date else "%H:%M")


def format_temp(celsius: float | None, unit: str) -> str:
    """A stored °C temperature in the clinic's unit ("C" or "F"), one decimal."""
    if celsius is None:
        return ""
    return f"{c_to_f(celsius):.1f}" if unit == "F" else f"{celsius:.1f}"


def fahrenheit_text_to_celsius(text: str) -> str:
    """What the nurse typed in °F as the °C text the core parses."""
    try:
        fahrenheit = float(text.replace(",", "."))
    except ValueError:
        raise ValidationError("temp", "temperature must be a number in °F, e.g. 98.6"
                              ) from None
    return f"{f_to_c(fahrenheit):.1f}"


def weight_number(kg: float, unit: str) -> str:
    """A stored weight as a bare number in the clinic's unit (for an input to edit)."""
    return f"{kg_to_lb(kg):.0f}" if unit == "lb" else f"{kg:g}"


def weight_text(kg: float, unit: str, with_kg: bool = False) -> str:
    """A stored weight with its unit; ``with_kg`` adds the kilograms after pounds."""
    if not kg:
        return "not recorded"
    if unit == "lb":
        return f"{kg_to_lb(kg):.0f} lb" + (f" ({kg:.1f} kg)" if with_kg else "")
    return f"{kg:.1f} kg" if with_kg else f"{kg:g} kg"


def typed_weight_kg(text: str, unit: str) -> float | str:
    """A typed weight in kg (converted from lb when the clinic uses lb); the raw text when
    it is not a plain number (``domain.units.decimal``'s rule: no "1e2"), so the services
    explain what is wrong."""
    try:
        value = decimal(text, "weight", "weight", 0, float("inf"))
    except ValidationError:
        return text
    return lb_to_kg(value) if unit == "lb" else value


def alert_glyph(alert: Alert) -> str:
    """▲ for a value too high or risen, ▼ for too low, ! otherwise (from ``direction``)."""
    return _GLYPH.get(alert.direction, "!")


def clock_text(seconds: int) -> str:
    """``seconds`` (>= 0) as m:ss, or h:mm:ss from an hour on: every countdown on screen."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
