from dataclasses import replace

import pytest

from monitor_app.domain.discharge import (
    LABELS,
    ManualAnswer,
    Override,
    validate_override,
)
from monitor_app.domain.models import ValidationError, Vitals
from tests.helpers.clinical import (
    all_confirmed,
    at,
    criterion,
    esketamine,
    evaluate,
    good_obs,
    iv,
    latest,
    make_obs,
)

PRESCRIBER = 3



# --- everything met ----------------------------------------------------------


@pytest.mark.parametrize("protocol", [iv(), esketamine()], ids=["iv", "esketamine"])
def test_all_met_is_ready(protocol):
    result = evaluate(protocol, now=130)
    assert result.ready, result.blocking
    assert result.blocking == ()
    assert [c.key for c in result.criteria] == list(protocol.criteria)  # file order
    assert all(c.status == "met" and not c.overridden for c in result.criteria)
    assert [m.key for m in result.manual] == [i.key for i in protocol.manual]
    assert all(c.label == LABELS[c.key] for c in result.criteria)


def test_value_and_limit_texts():
    result = evaluate(observations=latest(sbp=138, dbp=86), now=86)
    bp = criterion(result, "blood_pressure")
    assert (bp.value, bp.detail) == ("BP 138/86", "within 20% of baseline 126/80, or a rise "
                                     "below 160/100; SBP at least 90")
    minimum = criterion(result, "minimum_observation")
    assert (minimum.value, minimum.detail) == ("46 min since end of infusion", "minimum 30 min")


# --- minimum observation -----------------------------------------------------


@pytest.mark.parametrize(("now", "status", "value"), [
    (at(69, 59), "not_met", "29 min since end of infusion"),
    (at(70), "met", "30 min since end of infusion"),
    (at(30), "not_met", "0 min since end of infusion"),  # clock before the end
])
def test_minimum_observation_after_infusion_end(now, status, value):
    result = evaluate(now=now)
    c = criterion(result, "minimum_observation")
    assert (c.status, c.value) == (status, value)


def test_minimum_observation_unknown_before_the_end():
    c = criterion(evaluate(end=None), "minimum_observation")
    assert (c.status, c.value) == ("unknown", "no end of infusion yet")


@pytest.mark.parametrize(("now", "status"), [(at(119, 59), "not_met"), (at(120), "met")])
def test_esketamine_minimum_counts_from_dosing_start(now, status):
    c = criterion(evaluate(esketamine(), end=3, now=now), "minimum_observation")
    assert c.status == status
    assert c.value.endswith("min since start of dosing")
    assert c.detail == "minimum 120 min"


# --- blood pressure ----------------------------------------------------------


@pytest.mark.parametrize(("bp", "baseline", "status"), [
    ((180, 114), (150, 95), "met"),  # exactly 20% above on both
    ((181, 114), (150, 95), "not_met"),
    ((180, 115), (150, 95), "not_met"),
    ((200, 120), (250, 150), "met"),  # exactly 20% below on both
    ((199, 120), (250, 150), "not_met"),
    ((159, 99), (100, 60), "met"),  # far from baseline but below 160/100
    ((160, 99), (100, 60), "not_met"),
    ((159, 100), (100, 60), "not_met"),
])
def test_blood_pressure_edges(bp, baseline, status):
    base = Vitals(sbp=baseline[0], dbp=baseline[1])
    result = evaluate(observations=latest(sbp=bp[0], dbp=bp[1]), baseline=base)
    assert criterion(result, "blood_pressure").status == status


def test_blood_pressure_without_baseline_cannot_tell_a_fall():
    below = criterion(evaluate(baseline=None), "blood_pressure")
    assert below.status == "unknown"
    assert below.detail == "within 20% of baseline, or a rise below 160/100; SBP at least 90"
    high = criterion(evaluate(baseline=None, observations=latest(sbp=170, dbp=90)),
                     "blood_pressure")
    assert high.status == "unknown"
    assert "no baseline" in high.value


def test_blood_pressure_uses_latest_observation_that_has_one():
    observations = [good_obs(45, sbp=200, dbp=120), make_obs(60, hr=70),
                    good_obs(50, sbp=130, dbp=80)]
    c = criterion(evaluate(observations=observations), "blood_pressure")
    assert (c.status, c.value) == ("met", "BP 130/80")


# --- ranges, oxygen, sedation ------------------------------------------------


@pytest.mark.parametrize(("field", "key", "value", "status"), [
    ("hr", "heart_rate", 50, "met"), ("hr", "heart_rate", 49, "not_met"),
    ("hr", "heart_rate", 110, "met"), ("hr", "heart_rate", 111, "not_met"),
    ("rr", "respiratory_rate", 10, "met"), ("rr", "respiratory_rate", 9, "not_met"),
    ("rr", "respiratory_rate", 22, "met"), ("rr", "respiratory_rate", 23, "not_met"),
    ("spo2", "oxygen_saturation", 94, "met"), ("spo2", "oxygen_saturation", 93, "not_met"),
    ("moaas", "sedation", 5, "met"), ("moaas", "sedation", 4, "not_met"),
])
def test_single_value_edges(field, key, value, status):
    result = evaluate(observations=latest(**{field: value}))
    assert criterion(result, key).status == status
    assert result.ready == (status == "met")


@pytest.mark.parametrize("key", ["heart_rate", "respiratory_rate", "oxygen_saturation",
                                 "sedation", "blood_pressure", "dissociation", "no_nausea"])
def test_unknown_without_observations_after_dosing_start(key):
    result = evaluate(observations=[good_obs(-10)])  # baseline only
    c = criterion(result, key)
    assert c.status == "unknown"
    assert c.value == "no observation since infusion started"
    assert not result.ready


def test_unknown_when_latest_observations_lack_the_value():
    result = evaluate(observations=[make_obs(45, sbp=120, dbp=80)])
    assert criterion(result, "heart_rate").status == "unknown"
    assert criterion(result, "sedation").status == "unknown"


def test_spo2_on_oxygen_is_not_met_when_on_air_is_required():
    c = criterion(evaluate(observations=latest(spo2=99, on_oxygen=True)), "oxygen_saturation")
    assert (c.status, c.value, c.detail) == ("not_met", "SpO2 99% on oxygen",
                                             "at least 94% on air")


def test_spo2_on_oxygen_is_fine_when_the_protocol_allows_it():
    criteria = {**iv().criteria, "oxygen_saturation": {"min": 94, "on_air": False}}
    protocol = replace(iv(), criteria=criteria)
    result = evaluate(protocol, observations=latest(spo2=94, on_oxygen=True))
    assert criterion(result, "oxygen_saturation").status == "met"


def test_voided_and_pre_dose_observations_are_ignored():
    observations = [good_obs(45), make_obs(60, hr=130, voided=True), good_obs(-5, hr=140)]
    assert criterion(evaluate(observations=observations), "heart_rate").value == "HR 72"


# --- dissociation ------------------------------------------------------------


@pytest.mark.parametrize(("values", "status"), [
    ((0, 0), "met"),
    ((1, 0), "not_met"),  # the one before the latest still dissociated
    ((0, 1), "not_met"),
    ((2, 0, 0), "met"),  # only the latest two count
    ((0,), "unknown"),  # one rating is not enough
])
def test_dissociation_latest_two(values, status):
    observations = [good_obs(45 + 5 * i, dissociation=v) for i, v in enumerate(values)]
    c = criterion(evaluate(observations=observations), "dissociation")
    assert c.status == status


def test_dissociation_skips_observations_without_a_rating():
    observations = [good_obs(45), good_obs(50), good_obs(55, dissociation=None)]
    c = criterion(evaluate(observations=observations), "dissociation")
    assert (c.status, c.value) == ("met", "dissociation 0, 0")


# --- nausea, Aldrete ---------------------------------------------------------


@pytest.mark.parametrize(("effects", "status"), [
    (("nausea",), "not_met"), (("dizziness", "vomiting"), "not_met"),
    (("dizziness",), "met"), ((), "met"),
])
def test_no_nausea_on_latest_observation(effects, status):
    c = criterion(evaluate(observations=latest(side_effects=effects)), "no_nausea")
    assert c.status == status


def test_earlier_nausea_does_not_count():
    observations = [good_obs(45, side_effects=("vomiting",)), good_obs(60)]
    assert criterion(evaluate(observations=observations), "no_nausea").status == "met"


@pytest.mark.parametrize(("total", "status"), [(10, "met"), (9, "met"), (8, "not_met"),
                                               (None, "unknown")])
def test_aldrete(total, status):
    assert criterion(evaluate(aldrete=total), "aldrete").status == status


# --- manual items ------------------------------------------------------------


def manual_result(answers_changes, key):
    answers = {**all_confirmed(iv()), **answers_changes}
    result = evaluate(manual=answers)
    return result, next(m for m in result.manual if m.key == key)


def test_unanswered_manual_item_blocks():
    answers = all_confirmed(iv())
    del answers["oriented"]
    result = evaluate(manual=answers)
    assert not result.ready
    assert result.blocking == ("Oriented to person, place and time: not confirmed",)


def test_unconfirmed_manual_item_blocks():
    result, item = manual_result({"walks_steadily": ManualAnswer(False)}, "walks_steadily")
    assert (item.status, result.ready) == ("not_met", False)


@pytest.mark.parametrize("details", [
    {"escort_name": "Sam Lee"}, {"escort_name": "Sam Lee", "escort_phone": "  "}, {},
])
def test_escort_needs_name_and_phone(details):
    result, item = manual_result({"escort_present": ManualAnswer(True, details=details)},
                                 "escort_present")
    assert item.status == "not_met"
    assert "escort phone" in item.detail
    assert not result.ready


def test_next_appointment_may_be_not_applicable():
    result, item = manual_result({"next_appointment": ManualAnswer(False, True)},
                                 "next_appointment")
    assert (item.status, result.ready) == ("not_applicable", True)


def test_next_appointment_confirmed_needs_its_detail():
    result, item = manual_result({"next_appointment": ManualAnswer(True)}, "next_appointment")
    assert (item.status, item.detail) == ("not_met", "missing next appointment")
    assert not result.ready


def test_not_applicable_is_refused_where_the_protocol_does_not_allow_it():
    result, item = manual_result({"oriented": ManualAnswer(False, True)}, "oriented")
    assert (item.status, result.ready) == ("not_met", False)


# --- overrides and the overall verdict ---------------------------------------


def test_override_makes_an_unmet_criterion_acceptable():
    override = Override("heart_rate", "known resting tachycardia", PRESCRIBER)
    result = evaluate(observations=latest(hr=118), overrides={"heart_rate": override})
    hr = criterion(result, "heart_rate")
    assert (hr.status, hr.overridden, hr.override) == ("not_met", True, override)
    assert result.ready


def test_override_of_an_unknown_criterion_makes_ready():
    override = Override("aldrete", "scored on paper: 10", PRESCRIBER)
    assert evaluate(aldrete=None, overrides={"aldrete": override}).ready


def test_override_without_reason_counts_for_nothing():
    result = evaluate(observations=latest(hr=118),
                      overrides={"heart_rate": Override("heart_rate", "  ", PRESCRIBER)})
    assert not criterion(result, "heart_rate").overridden
    assert not result.ready


def test_blocking_lists_every_reason_in_display_order():
    result = evaluate(observations=latest(hr=118, moaas=4), aldrete=None, now=60,
                      manual={})
    assert result.blocking[:4] == (
        "Minimum observation time: 20 min since end of infusion (needs minimum 30 min)",
        "Heart rate: HR 118 (needs 50 to 110)",
        "Sedation (MOAA/S): MOAA/S 4 (needs MOAA/S at least 5)",
        "Modified Aldrete score: cannot tell yet (not scored)",
    )
    assert len(result.blocking) == 4 + len(iv().manual)


def test_validate_override():
    validate_override(Override("heart_rate", "resting tachycardia", PRESCRIBER), iv())
    with pytest.raises(ValidationError) as info:
        validate_override(Override("heart_rate", "   ", PRESCRIBER))
    assert info.value.field == "reason"
    with pytest.raises(ValidationError) as info:
        validate_override(Override("heart_rate", "why", 0))
    assert info.value.field == "prescriber"
    with pytest.raises(ValidationError) as info:
        validate_override(Override("walks_steadily", "why", PRESCRIBER), iv())
    assert info.value.field == "criterion"


def test_not_started_episode_is_unknown_everywhere_it_matters():
    result = evaluate(start=None, end=None, observations=[good_obs(-10)])
    assert criterion(result, "heart_rate").value == "infusion not started"
    assert not result.ready
