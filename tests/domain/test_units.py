"""Weight and dose are parsed by the domain's decimal rule; pounds and Fahrenheit are
converted in one module."""

from __future__ import annotations

import pytest

from monitor_app.domain import units
from monitor_app.domain.models import ValidationError
from monitor_app.services.entry import DOSE_RANGE_MG, WEIGHT_RANGE_KG, number


@pytest.mark.parametrize("typed", ["1e2", "inf", "nan", "-inf", "1_000", "0x50", "٧٠",
                                   "70.5.1", "+70", " "])
def test_a_weight_that_is_not_plain_decimal_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        number(typed, "weight", "weight (kg)", *WEIGHT_RANGE_KG)
    assert refused.value.field == "weight"


@pytest.mark.parametrize(("typed", "value"), [("70", 70.0), ("70,5", 70.5), (" 82.25 ", 82.25),
                                              (".5", 0.5)])
def test_plain_decimals_with_a_point_or_a_comma_are_read(typed: str, value: float) -> None:
    assert units.decimal(typed, "dose", "dose (mg)", 0, 1000) == value


def test_a_dose_in_exponent_form_is_not_read_as_a_hundred() -> None:
    with pytest.raises(ValidationError, match="must be a number"):
        number("1e2", "dose", "dose (mg)", *DOSE_RANGE_MG)


def test_units_round_trip() -> None:
    assert units.lb_to_kg(154) == pytest.approx(69.85, abs=0.01)
    assert units.kg_to_lb(units.lb_to_kg(180)) == pytest.approx(180)
    assert units.c_to_f(37.0) == pytest.approx(98.6)
    assert units.f_to_c(units.c_to_f(36.4)) == pytest.approx(36.4)
