"""Units, times and the error red are written one way on every screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor_app.domain.models import ValidationError
from monitor_app.gui.common import formatting

GUI = Path(formatting.__file__).resolve().parents[1]


def test_a_weight_typed_in_pounds_reads_back_as_the_same_pounds():
    kg = formatting.typed_weight_kg("154", "lb")
    assert kg == pytest.approx(69.853, abs=0.001)
    assert formatting.weight_number(kg, "lb") == "154"
    assert formatting.weight_text(kg, "lb") == "154 lb"
    assert formatting.weight_text(kg, "lb", with_kg=True) == "154 lb (69.9 kg)"
    assert formatting.weight_text(70, "kg") == "70 kg"
    assert formatting.weight_text(0, "kg") == "not recorded"
    assert formatting.typed_weight_kg("70,5", "kg") == 70.5
    assert formatting.typed_weight_kg("heavy", "lb") == "heavy"  # the services explain


def test_a_temperature_typed_in_fahrenheit_is_shown_back_in_fahrenheit():
    celsius = float(formatting.fahrenheit_text_to_celsius("98.6"))
    assert celsius == 37.0
    assert formatting.format_temp(celsius, "F") == "98.6"
    assert formatting.format_temp(celsius, "C") == "37.0"
    assert formatting.format_temp(None, "F") == ""
    with pytest.raises(ValidationError, match="°F"):
        formatting.fahrenheit_text_to_celsius("warm")


def _gui_sources() -> dict[str, str]:
    return {str(p.relative_to(GUI)): p.read_text() for p in GUI.rglob("*.py")}


def test_unit_conversion_lives_in_one_gui_module():
    """The factors are in domain.units; only common/formatting applies them."""
    sources = _gui_sources()
    assert not [name for name, text in sources.items()
                if "0.45359237" in text or re.search(r"\b9 / 5\b|\b5 / 9\b", text)]
    users = sorted(name for name, text in sources.items() if "domain.units" in text)
    assert users == ["common/formatting.py"]


def test_a_weight_in_exponent_notation_is_left_for_the_services_to_refuse():
    assert formatting.typed_weight_kg("1e2", "lb") == "1e2"
    assert formatting.typed_weight_kg("1e2", "kg") == "1e2"


def test_every_error_message_uses_the_same_red():
    """Error texts and invalid-input borders take ``widgets.ERROR_COLOUR``; no module
    spells its own error red (alarm colours of the board and chart are not errors)."""
    own_reds = [f"{name}: {line.strip()}" for name, text in _gui_sources().items()
                for line in text.splitlines()
                if re.match(r"\s*\w*(ERROR|INVALID)\w* = .*#[0-9a-fA-F]{6}", line)]
    assert own_reds == ['common/widgets.py: ERROR_COLOUR = "#b00020"']
