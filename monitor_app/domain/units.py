"""Units and plain decimal numbers: the one place for pounds, Fahrenheit and the rule
for a number a person types (digits and one decimal mark: never "1e2", "inf", "nan")."""

from __future__ import annotations

import re

from monitor_app.errors import ValidationError

KG_PER_LB = 0.45359237
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+")


def lb_to_kg(pounds: float) -> float:
    return pounds * KG_PER_LB


def kg_to_lb(kilograms: float) -> float:
    return kilograms / KG_PER_LB


def c_to_f(celsius: float) -> float:
    return celsius * 9 / 5 + 32


def f_to_c(fahrenheit: float) -> float:
    return (fahrenheit - 32) * 5 / 9


def decimal(text: str | float, key: str, label: str, low: float, high: float) -> float:
    """A typed amount (weight, dose) from low to high: ASCII digits with at most one
    decimal point or comma. An exponent, "inf" or "nan" is refused like any other word."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        typed = str(text).strip()
        if not typed:
            raise ValidationError(key, f"enter the {label}")
        if not _DECIMAL.fullmatch(typed):
            raise ValidationError(key, f"{label} must be a number")
        value = float(typed.replace(",", "."))
    if value != value or not low <= value <= high:  # NaN fails the first test
        raise ValidationError(key, f"{label} must be between {low:g} and {high:g}")
    return value
