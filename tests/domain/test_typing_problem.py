"""The message beside a whole-number field while it is typed (domain.vital_fields)."""

from __future__ import annotations

import pytest

from monitor_app.domain.vital_fields import typing_problem


@pytest.mark.parametrize(("key", "text", "scale", "says"), [
    ("spo2", "97/", None, "SpO2 takes one whole number: only BP is typed as "
                          "systolic/diastolic"),
    ("hr", "8o", None, "HR takes a whole number"),
    ("moaas", "9", (0, 5), "MOAA/S is 0 to 5: 9 is not on the scale"),
    ("dissociation", "7", (0, 3), "Dissociation is 0 to 3: 7 is not on the scale"),
])
def test_what_cannot_be_held_is_said(key, text, scale, says):
    assert typing_problem(key, text, scale) == says


@pytest.mark.parametrize(("key", "text", "scale"), [
    ("hr", "1", None),  # on the way to 120: the range is checked on save
    ("spo2", " 97 ", None),
    ("moaas", "٣", (0, 5)),  # Arabic-Indic 3: the parser takes it
    ("dissociation", "", (0, 3)),
    ("bp", "128/84", None),  # BP takes its "/"
    ("temp", "36,8", None),
])
def test_what_the_parser_takes_is_no_problem(key, text, scale):
    assert typing_problem(key, text, scale) is None
