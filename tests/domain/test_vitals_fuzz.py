"""Whatever lands in a form field, parse_observation answers with Vitals or ValidationError.

And whatever it accepts lies inside the protocol's plausible limits.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor_app.domain.models import ValidationError, Vitals
from monitor_app.domain.scores import news2
from monitor_app.domain.vitals import alerts_for, parse_observation
from tests.helpers.domain_data import IV, NEWS2, PROTOCOLS, raw

FIELDS = ["hr", "bp", "spo2", "rr", "temp", "moaas", "dissociation", "note", "missing_reason",
          "side_effects", "on_oxygen"]
FUZZ = settings(max_examples=300, deadline=None)

# every code point, lone surrogates included
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)
NUMBERISH = st.one_of(
    st.from_regex(r"\A\s?[+\-]?[0-9١٢٣٤٥٦٧٨٩٠０-９]{0,8}([.,٫][0-9]{0,3})?"
                  r"(e[+\-]?[0-9]{1,3})?\s?\Z"),
    st.from_regex(r"\A\s?[+\-]?[0-9]{0,5}\s*/\s*[+\-]?[0-9]{0,5}\s?\Z"),
    st.sampled_from(["nan", "-nan", "inf", "-inf", "Infinity", "1e3", "0x50", "1_000", "٫",
                     "9" * 5000, "-0", "+", "/", "\x00", "'; DROP TABLE x;--", "12\u0660"]),
)
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), ANY_TEXT, NUMBERISH,
    st.lists(ANY_TEXT, max_size=3), st.binary(max_size=8),
)


def _parse(values: dict[str, object]) -> Vitals | None:
    try:
        vitals = parse_observation(values, IV)
    except ValidationError as exc:
        assert exc.field in {*FIELDS, "taken_at"} and exc.message
        return None
    _check_plausible(vitals)
    alerts_for(vitals, IV, vitals)
    return vitals


def _check_plausible(vitals: Vitals) -> None:
    for name in ("hr", "sbp", "dbp", "spo2", "rr", "temp_c", "moaas", "dissociation"):
        value = getattr(vitals, name)
        if value is not None:
            low, high = IV.limits[name].plausible
            assert low <= value <= high


@pytest.mark.parametrize("field", FIELDS)
@FUZZ
@given(text=ANY_TEXT)
def test_any_text_in_any_field(field, text):
    _parse(raw(**{field: text}))


NUMBER_FIELDS = ["hr", "bp", "spo2", "rr", "temp", "moaas", "dissociation"]


@settings(max_examples=600, deadline=None)
@given(field=st.sampled_from(NUMBER_FIELDS), text=NUMBERISH)
def test_number_like_text(field, text):
    _parse(raw(**{field: text}))


@FUZZ
@given(field=st.sampled_from(FIELDS), value=ANY_VALUE)
def test_any_value_type_in_any_field(field, value):
    _parse(raw(**{field: value}))


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={key: ANY_VALUE for key in FIELDS}))
def test_any_combination_of_fields(values):
    vitals = _parse(values)
    if vitals is not None:
        news2(vitals, NEWS2)


@FUZZ
@given(hr=st.integers(-10**6, 10**6), sbp=st.integers(0, 400), dbp=st.integers(0, 400))
def test_whole_numbers_accepted_exactly_inside_limits(hr, sbp, dbp):
    for protocol in PROTOCOLS.values():
        low, high = protocol.limits["hr"].plausible
        try:
            vitals = parse_observation(raw(hr=str(hr), bp=f"{sbp}/{dbp}"), protocol)
        except ValidationError as exc:
            assert exc.field in ("hr", "bp")
            hr_ok = low <= hr <= high
            s_low, s_high = protocol.limits["sbp"].plausible
            d_low, d_high = protocol.limits["dbp"].plausible
            bp_ok = s_low <= sbp <= s_high and d_low <= dbp <= d_high and sbp > dbp
            assert not (hr_ok and bp_ok)
        else:
            assert (vitals.hr, vitals.sbp, vitals.dbp) == (hr, sbp, dbp)
