"""Parsing one observation and its time (the alerts it raises: test_vitals_alerts.py).

Limits are read from the shipped protocols, never repeated here, except where a
message is checked against the defaults of CLINICAL.md.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor_app.domain.models import ValidationError
from monitor_app.domain.vitals import (
    parse_observation,
    validate_taken_at,
)
from tests.helpers.domain_data import IV, NORMAL, PROTOCOL_IDS, PROTOCOLS, raw

# form key -> protocol limit name, for the single-number fields
NUMBER_FIELDS = {"hr": "hr", "spo2": "spo2", "rr": "rr", "moaas": "moaas",
                 "dissociation": "dissociation"}


def _refused(raw_values: dict[str, object], field: str, protocol=IV) -> str:
    with pytest.raises(ValidationError) as info:
        parse_observation(raw_values, protocol)
    assert info.value.field == field
    return info.value.message


def _plausible_edges():
    for pid in PROTOCOL_IDS:
        limits = PROTOCOLS[pid].limits
        for key, name in NUMBER_FIELDS.items():
            low, high = (int(v) for v in limits[name].plausible)
            yield pytest.param(pid, key, low, high, id=f"{pid}-{key}")


@pytest.mark.parametrize(("pid", "key", "low", "high"), list(_plausible_edges()))
def test_whole_number_plausible_edges(pid, key, low, high):
    protocol = PROTOCOLS[pid]
    assert getattr(parse_observation(raw(**{key: str(low)}), protocol), key) == low
    assert getattr(parse_observation(raw(**{key: str(high)}), protocol), key) == high
    for bad in (low - 1, high + 1):
        message = _refused(raw(**{key: str(bad)}), key, protocol)
        assert message.endswith(f"{bad} is outside {low} to {high}")


@pytest.mark.parametrize("pid", PROTOCOL_IDS)
def test_temperature_plausible_edges(pid):
    protocol = PROTOCOLS[pid]
    low, high = protocol.limits["temp_c"].plausible
    for ok in (low, high):
        assert parse_observation(raw(temp=f"{ok:.1f}"), protocol).temp_c == pytest.approx(ok)
    for bad in (low - 0.1, high + 0.1):
        message = _refused(raw(temp=f"{bad:.1f}"), "temp", protocol)
        assert f"{bad:.1f} is outside {low:.1f} to {high:.1f}" in message


@pytest.mark.parametrize("pid", PROTOCOL_IDS)
def test_blood_pressure_plausible_edges(pid):
    protocol = PROTOCOLS[pid]
    s_low, s_high = (int(v) for v in protocol.limits["sbp"].plausible)
    d_low, d_high = (int(v) for v in protocol.limits["dbp"].plausible)
    assert s_low > d_low and s_high > d_high  # the edges below can be combined
    for sbp in (s_low, s_high):
        assert parse_observation(raw(bp=f"{sbp}/{d_low}"), protocol).sbp == sbp
    for dbp in (d_low, d_high):
        assert parse_observation(raw(bp=f"{s_high}/{dbp}"), protocol).dbp == dbp
    for sbp in (s_low - 1, s_high + 1):
        message = _refused(raw(bp=f"{sbp}/{d_low}"), "bp", protocol)
        assert message == f"systolic {sbp} is outside {s_low} to {s_high}"
    for dbp in (d_low - 1, d_high + 1):
        message = _refused(raw(bp=f"{s_high}/{dbp}"), "bp", protocol)
        assert message == f"diastolic {dbp} is outside {d_low} to {d_high}"


@pytest.mark.parametrize(("text", "sbp", "dbp"), [
    ("128/84", 128, 84), ("128 / 84", 128, 84), (" 128/ 84 ", 128, 84), ("128 /84", 128, 84),
    ("0128/084", 128, 84), ("١٢٨/٨٤", 128, 84), ("128\t/\t84", 128, 84),
])
def test_blood_pressure_forms(text, sbp, dbp):
    vitals = parse_observation(raw(bp=text), IV)
    assert (vitals.sbp, vitals.dbp, vitals.bp_text) == (sbp, dbp, f"{sbp}/{dbp}")


@pytest.mark.parametrize(("text", "message"), [
    ("128", "blood pressure must be typed as systolic/diastolic, e.g. 128/84"),
    ("128/", "blood pressure must be typed as systolic/diastolic, e.g. 128/84"),
    ("128-84", "blood pressure must be typed as systolic/diastolic, e.g. 128/84"),
    ("128/84/60", "blood pressure must be typed as systolic/diastolic, e.g. 128/84"),
    ("-128/84", "blood pressure must be typed as systolic/diastolic, e.g. 128/84"),
    ("128.5/84", "blood pressure must be typed as systolic/diastolic, e.g. 128/84"),
    ("84/128", "systolic must be higher than diastolic"),
    ("100/100", "systolic must be higher than diastolic"),
    ("9999999/84", "systolic is far outside 50 to 300"),
    ("1٢8/84", "blood pressure mixes digits from different scripts"),
])
def test_blood_pressure_refused(text, message):
    assert _refused(raw(bp=text), "bp") == message


@pytest.mark.parametrize(("text", "value"), [
    ("80", 80), (" 80 ", 80), ("+80", 80), ("080", 80), ("١٢٠", 120), ("１２０", 120),
    ("\t80\n", 80), (80, 80),
])
def test_heart_rate_accepted_forms(text, value):
    assert parse_observation(raw(hr=text), IV).hr == value


@pytest.mark.parametrize(("text", "message"), [
    ("80.5", "heart rate must be a whole number"),
    ("80.0", "heart rate must be a whole number"),
    ("1e3", "heart rate must be a whole number"),
    ("nan", "heart rate must be a whole number"),
    ("inf", "heart rate must be a whole number"),
    ("8 0", "heart rate must be a whole number"),
    ("1_20", "heart rate must be a whole number"),
    ("²", "heart rate must be a whole number"),
    ("80; DROP TABLE observation;--", "heart rate must be a whole number"),
    ("-80", "heart rate -80 is outside 20 to 250"),
    ("300", "heart rate 300 is outside 20 to 250"),
    ("9" * 5000, "heart rate is far outside 20 to 250"),
    ("8\x000", "heart rate contains an invisible or control character"),
    ("80\u200b", "heart rate contains an invisible or control character"),
    ("1٢0", "heart rate mixes digits from different scripts"),
    (True, "heart rate must be a whole number"),
    (80.0, "heart rate must be a whole number"),
    pytest.param(10**5000, "heart rate is far outside 20 to 250", id="huge-int"),
    pytest.param(-(10**5000), "heart rate is far outside 20 to 250", id="huge-negative-int"),
    ([80], "heart rate must be a whole number"),
])
def test_heart_rate_refused(text, message):
    assert _refused(raw(hr=text), "hr") == message


@pytest.mark.parametrize(("text", "value"), [
    ("36.8", 36.8), ("36,8", 36.8), ("37", 37.0), ("37.", 37.0), ("٣٦٫٨", 36.8), (36.8, 36.8),
])
def test_temperature_accepted_forms(text, value):
    assert parse_observation(raw(temp=text), IV).temp_c == value


@pytest.mark.parametrize(("text", "message"), [
    ("36.85", "temperature has at most one decimal"),
    ("98.6", "temperature 98.6 is outside 30.0 to 43.0 degrees C"),
    ("-37", "temperature -37.0 is outside 30.0 to 43.0 degrees C"),
    ("1e3", "temperature must be a number in degrees C, e.g. 36.8"),
    ("nan", "temperature must be a number in degrees C, e.g. 36.8"),
    (float("inf"), "temperature must be a number in degrees C, e.g. 36.8"),
    (".5", "temperature must be a number in degrees C, e.g. 36.8"),
    ("9" * 5000, "temperature is far outside 30.0 to 43.0 degrees C"),
])
def test_temperature_refused(text, message):
    assert _refused(raw(temp=text), "temp") == message


@pytest.mark.parametrize(("key", "text", "message"), [
    ("moaas", "6", "MOAA/S 6 is outside 0 to 5"),
    ("moaas", "five", "MOAA/S must be a whole number"),
    ("dissociation", 4, "dissociation 4 is outside 0 to 3"),
    ("dissociation", "-1", "dissociation -1 is outside 0 to 3"),
])
def test_scales_refused(key, text, message):
    assert _refused(raw(**{key: text}), key) == message


def test_scales_as_integers():
    vitals = parse_observation(raw(moaas=3, dissociation=2), IV)
    assert (vitals.moaas, vitals.dissociation) == (3, 2)


def test_normal_observation():
    assert parse_observation(raw(), IV) == NORMAL


@pytest.mark.parametrize(("given", "stored"), [
    (None, ()), ([], ()), (["nausea"], ("nausea",)), ("Nausea", ("nausea",)),
    (["dizziness", " NAUSEA ", "nausea"], ("nausea", "dizziness")),
    (("anxiety/agitation", "blurred vision"), ("anxiety/agitation", "blurred vision")),
])
def test_side_effects(given, stored):
    assert parse_observation(raw(side_effects=given), IV).side_effects == stored


@pytest.mark.parametrize(("given", "message"), [
    (["itching"], 'unknown side effect "itching" (expected nausea, vomiting, dizziness, '
                  "headache, anxiety/agitation, hallucinations or blurred vision)"),
    ([3], "side effects must be a list of names"),
    (3, "side effects must be a list of names"),
])
def test_side_effects_refused(given, message):
    assert _refused(raw(side_effects=given), "side_effects") == message


@pytest.mark.parametrize("key", ["note", "missing_reason"])
def test_free_text(key):
    vitals = parse_observation(raw(**{key: "  line one\r\nline two\tindented  "}), IV)
    assert getattr(vitals, key) == "line one\nline two\tindented"
    assert getattr(parse_observation(raw(**{key: "x" * 2000}), IV), key) == "x" * 2000
    sql = "'); DROP TABLE observation; --"
    assert getattr(parse_observation(raw(**{key: sql}), IV), key) == sql


@pytest.mark.parametrize(("text", "problem"), [
    ("x" * 2001, "is too long: 2001 characters, at most 2000"),
    ("bell\x07", "holds control characters (only line breaks and tabs are allowed)"),
    ("nul\x00", "holds control characters (only line breaks and tabs are allowed)"),
    ("c1\x85", "holds control characters (only line breaks and tabs are allowed)"),
    ("abc\u202edcba", "holds a text-direction control character"),
    ("abc\u2067dcba", "holds a text-direction control character"),
    ("zero\u200bwidth", "holds an invisible (zero-width) character"),
    ("bom\ufeff", "holds an invisible (zero-width) character"),
    ("non\ufdd0char", "holds a Unicode noncharacter"),
    ("non\U0001fffe", "holds a Unicode noncharacter"),
    ("lone \ud800", "holds an invalid character (a broken surrogate)"),
])
@pytest.mark.parametrize("key", ["note", "missing_reason"])
def test_free_text_refused(key, text, problem):
    message = _refused(raw(**{key: text}), key)
    assert message.endswith(problem)


@pytest.mark.parametrize(("missing", "message"), [
    (["bp"], "say why blood pressure is missing"),
    (["hr", "spo2"], "say why heart rate and SpO2 are missing"),
    (["rr", "moaas", "dissociation"],
     "say why respiratory rate, MOAA/S and dissociation are missing"),
])
def test_partial_observation_needs_reason(missing, message):
    blanks = dict.fromkeys(missing, "  ")
    assert _refused(raw(**blanks, missing_reason=" "), "missing_reason") == message
    vitals = parse_observation(raw(**blanks, missing_reason="patient declined"), IV)
    assert all(getattr(vitals, "sbp" if k == "bp" else k) is None for k in missing)
    assert vitals.missing_reason == "patient declined"


def test_missing_keys_mean_not_taken():
    vitals = parse_observation({"bp": "150/95", "missing_reason": "BP check only"}, IV)
    assert (vitals.sbp, vitals.hr, vitals.temp_c, vitals.on_oxygen) == (150, None, None, False)


def test_temperature_is_optional():
    assert parse_observation(raw(temp=""), IV).temp_c is None


@pytest.mark.parametrize("form", [{}, {"hr": " ", "bp": "", "note": "asleep"},
                                  {"missing_reason": "refused everything"}])
def test_empty_observation_refused(form):
    assert _refused(form, "hr") == "enter at least one value"


def test_on_oxygen_must_be_yes_or_no():
    assert parse_observation(raw(on_oxygen=True), IV).on_oxygen is True
    assert _refused(raw(on_oxygen="yes"), "on_oxygen") == "supplemental oxygen must be yes or no"


# --- time taken ---------------------------------------------------------------------------

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
START = NOW - timedelta(hours=1)


@pytest.mark.parametrize(("taken_at", "message"), [
    (NOW, None), (START, None), (NOW - timedelta(minutes=5), None),
    (NOW + timedelta(seconds=1), "time taken is in the future"),
    (START - timedelta(seconds=1), "time taken is before the episode started"),
    (NOW.replace(tzinfo=None), "time taken has no time zone"),
])
def test_validate_taken_at(taken_at, message):
    if message is None:
        validate_taken_at(taken_at, START, NOW)
        return
    with pytest.raises(ValidationError) as info:
        validate_taken_at(taken_at, START, NOW)
    assert (info.value.field, info.value.message) == ("taken_at", message)


def test_taken_at_without_episode_start():
    validate_taken_at(NOW - timedelta(days=3), None, NOW)
