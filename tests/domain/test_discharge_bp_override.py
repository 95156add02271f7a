"""The discharge BP criterion never passes low blood pressure, and a protocol can make a
criterion not overridable (the esketamine 2-hour minimum: the REMS requires it)."""

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from monitor_app.domain.discharge import Override, validate_override
from monitor_app.domain.models import ValidationError, Vitals
from monitor_app.domain.protocol import ProtocolError, parse_protocol
from tests.helpers.clinical import criterion, esketamine, evaluate, iv, latest

PRESCRIBER = 3


def bp_result(baseline, bp, protocol=None):
    base = Vitals(sbp=baseline[0], dbp=baseline[1])
    result = evaluate(protocol, observations=latest(sbp=bp[0], dbp=bp[1]), baseline=base,
                      now=130)
    return criterion(result, "blood_pressure")


def test_a_fall_from_150_95_to_90_60_is_not_met():
    c = bp_result((150, 95), (90, 60))
    assert c.status == "not_met"
    assert c.value == "BP 90/60: SBP 40% below baseline, DBP 37% below baseline"


def test_a_rise_from_150_95_to_165_98_is_met_but_only_below_160_100_for_a_big_rise():
    assert bp_result((150, 95), (165, 98)).status == "met"  # within 20%: a small rise
    assert bp_result((120, 75), (159, 99)).status == "met"  # beyond 20%, below 160/100
    assert bp_result((120, 75), (165, 98)).status == "not_met"


def test_a_systolic_under_the_floor_is_not_met_even_within_20_percent():
    c = bp_result((120, 80), (88, 60))
    assert (c.status, c.value) == ("not_met", "BP 88/60: SBP below 90")
    assert bp_result((105, 70), (90, 60)).status == "met"  # at the floor, within 20%


@pytest.mark.parametrize(("bp", "status"), [
    ((120, 76), "met"),  # exactly 20% below on both
    ((119, 76), "not_met"),
    ((120, 75), "not_met"),
])
def test_a_fall_of_exactly_20_percent_is_the_edge(bp, status):
    assert bp_result((150, 95), bp).status == status


def test_the_sheet_and_dialog_detail_says_the_rule():
    c = bp_result((150, 95), (90, 60), esketamine())
    assert c.detail == ("within 20% of baseline 150/95, or a rise below 160/100; "
                        "SBP at least 90")


@pytest.mark.parametrize(("value", "message"), [
    (0, "must be above 0 and below or_below_sbp"),
    (160, "must be above 0 and below or_below_sbp"),
    ("90", "expected an integer"),
])
def test_the_loader_checks_min_sbp(value, message):
    data = _data(iv())
    data["discharge"]["blood_pressure"]["min_sbp"] = value
    with pytest.raises(ProtocolError, match=r"\[discharge.blood_pressure.min_sbp\] " + message):
        parse_protocol(data)
    del data["discharge"]["blood_pressure"]["min_sbp"]
    with pytest.raises(ProtocolError, match=r"min_sbp\] missing"):
        parse_protocol(data)


# --- criteria that cannot be overridden ---------------------------------------


def test_the_esketamine_two_hour_minimum_cannot_be_overridden():
    protocol = esketamine()
    assert "minimum_observation" in protocol.not_overridable
    assert "REMS" in protocol.not_overridable["minimum_observation"]
    with pytest.raises(ValidationError, match="cannot be overridden: required by the REMS"):
        validate_override(Override("minimum_observation", "patient wants to go", PRESCRIBER),
                          protocol)
    validate_override(Override("heart_rate", "usual rate", PRESCRIBER), protocol)
    validate_override(Override("minimum_observation", "long infusion", PRESCRIBER), iv())


def test_a_stored_override_of_a_locked_criterion_counts_for_nothing():
    override = Override("minimum_observation", "in a hurry", PRESCRIBER)
    result = evaluate(esketamine(), overrides={"minimum_observation": override}, now=100)
    c = criterion(result, "minimum_observation")
    assert c.status == "not_met" and not c.overridden and not c.ok
    assert c.not_overridable.startswith("required by the REMS")
    assert not result.ready
    assert result.blocking[0] == ("Minimum observation time: 100 min since start of dosing "
                                  "(needs minimum 120 min; cannot be overridden)")


def test_overridable_is_optional_and_checked():
    data = _data(iv())
    data["discharge"]["heart_rate"]["overridable"] = False
    assert parse_protocol(data).not_overridable == {
        "heart_rate": "the protocol does not allow it"}
    data["discharge"]["heart_rate"]["overridable"] = "no"
    with pytest.raises(ProtocolError, match=r"heart_rate.overridable\] expected true or false"):
        parse_protocol(data)
    data["discharge"]["heart_rate"]["overridable"] = True
    data["discharge"]["heart_rate"]["not_overridable_because"] = "x"
    with pytest.raises(ProtocolError, match="only for a criterion with overridable = false"):
        parse_protocol(data)


def test_no_override_needs_a_prescriber_message_that_says_what_to_do():
    with pytest.raises(ValidationError, match="choose the authorising prescriber"):
        validate_override(replace(Override("heart_rate", "usual", 0)), iv())


def _data(protocol):
    return tomllib.loads(Path(protocol.source).read_text(encoding="utf-8"))
