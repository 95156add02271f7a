"""NEWS2 and Modified Aldrete against the published bands (CLINICAL.md sections 4 and 5).

The expected scores are written out here, independently of ``news2.toml``, so a
mistake in the shipped table fails a test.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor_app.domain.models import ValidationError, Vitals
from monitor_app.domain.protocol import ProtocolError
from monitor_app.domain.scores import aldrete, load_aldrete, load_news2, news2
from tests.helpers.domain_data import ALDRETE, ALDRETE_PATH, NEWS2, NEWS2_PATH

ZERO = Vitals(hr=70, sbp=120, dbp=80, spo2=97, rr=16, temp_c=37.0, moaas=5, dissociation=0)


def _score(**changes: object):
    result = news2(replace(ZERO, **changes), NEWS2)
    assert result is not None
    return result


def test_zero_observation_scores_zero():
    result = _score()
    assert (result.total, result.response, result.single_parameter) == (0, "routine", False)
    assert set(result.parts) == {"rr", "spo2", "oxygen", "sbp", "hr", "consciousness", "temp"}


# Both sides of every band edge: score 3/2/1/0/1/2/3 as in CLINICAL.md section 4.
@pytest.mark.parametrize(("part", "value", "score"), [
    ("rr", 2, 3), ("rr", 8, 3), ("rr", 9, 1), ("rr", 11, 1), ("rr", 12, 0), ("rr", 20, 0),
    ("rr", 21, 2), ("rr", 24, 2), ("rr", 25, 3), ("rr", 60, 3),
    ("spo2", 50, 3), ("spo2", 91, 3), ("spo2", 92, 2), ("spo2", 93, 2), ("spo2", 94, 1),
    ("spo2", 95, 1), ("spo2", 96, 0), ("spo2", 100, 0),
    ("sbp", 50, 3), ("sbp", 90, 3), ("sbp", 91, 2), ("sbp", 100, 2), ("sbp", 101, 1),
    ("sbp", 110, 1), ("sbp", 111, 0), ("sbp", 219, 0), ("sbp", 220, 3), ("sbp", 300, 3),
    ("hr", 20, 3), ("hr", 40, 3), ("hr", 41, 1), ("hr", 50, 1), ("hr", 51, 0), ("hr", 90, 0),
    ("hr", 91, 1), ("hr", 110, 1), ("hr", 111, 2), ("hr", 130, 2), ("hr", 131, 3),
    ("hr", 250, 3),
])
def test_news2_band_edges(part, value, score):
    result = _score(**{part: value})
    assert result.parts[part] == score
    assert result.total == score


@pytest.mark.parametrize(("temp", "score"), [
    (30.0, 3), (35.0, 3), (35.04, 3), (35.05, 1), (35.1, 1), (36.0, 1), (36.04, 1),
    (36.05, 0), (36.1, 0), (38.0, 0), (38.04, 0), (38.05, 1), (38.1, 1), (39.0, 1),
    (39.04, 1), (39.05, 2), (39.1, 2), (43.0, 2),
])
def test_news2_temperature_half_open_edges(temp, score):
    assert _score(temp_c=temp).parts["temp"] == score


def test_news2_temperature_missing_scores_zero_and_says_so():
    result = _score(temp_c=None)
    assert (result.parts["temp"], result.partial_temp) == (0, True)
    assert _score().partial_temp is False


@pytest.mark.parametrize(("on_oxygen", "score"), [(False, 0), (True, 2)])
def test_news2_supplemental_oxygen(on_oxygen, score):
    assert _score(on_oxygen=on_oxygen).parts["oxygen"] == score


@pytest.mark.parametrize(("moaas", "score"), [(5, 0), (4, 3), (3, 3), (1, 3), (0, 3)])
def test_news2_consciousness(moaas, score):
    assert _score(moaas=moaas).parts["consciousness"] == score


@pytest.mark.parametrize("missing", ["rr", "spo2", "sbp", "hr", "moaas"])
def test_news2_needs_a_full_observation(missing):
    assert news2(replace(ZERO, **{missing: None}), NEWS2) is None


@pytest.mark.parametrize(("changes", "total", "response", "single"), [
    ({}, 0, "routine", False),
    ({"hr": 95}, 1, "nurse assessment", False),
    ({"hr": 115, "rr": 22}, 4, "nurse assessment", False),
    ({"rr": 8}, 3, "urgent clinical review", True),
    ({"moaas": 4}, 3, "urgent clinical review", True),
    ({"hr": 115, "rr": 22, "spo2": 95}, 5, "urgent clinical review", False),
    ({"hr": 115, "rr": 22, "on_oxygen": True}, 6, "urgent clinical review", False),
    ({"hr": 115, "rr": 22, "on_oxygen": True, "spo2": 95}, 7, "emergency response", False),
    ({"rr": 8, "hr": 131, "sbp": 90, "spo2": 91, "moaas": 0, "temp_c": 35.0,
      "on_oxygen": True}, 20, "emergency response", True),
])
def test_news2_response_levels(changes, total, response, single):
    result = _score(**changes)
    assert (result.total, result.response, result.single_parameter) == (total, response, single)


def _write(tmp_path, source, old, new):
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "key"), [
    ("rr = [[0, 9, 3]", "rr = [[0, 8, 3]", "bands.rr[1]"),
    ("rr = [[0, 9, 3]", "rr = [[0, 9, 4]", "bands.rr[0]"),
    ("rr = [[0, 9, 3]", "rr = [[9, 0, 3]", "bands.rr[0]"),
    ("rr = [[0, 9, 3]", "rr = [[0, 9]", "bands.rr[0]"),
    ("rr = [[0, 9, 3], ", "rr = [], x = [[0, 9, 3], ", "-"),
    ("rr = ", "breaths = ", "bands.breaths"),
    ("supplemental_oxygen = 2", "supplemental_oxygen = \"two\"", "other.supplemental_oxygen"),
    ("alert_moaas = 5", "", "other.alert_moaas"),
    ("[0, \"routine\"], ", "", "response.levels[0]"),
    ("[5, \"urgent clinical review\"]", "[5, \"urgent\"]", "response.single_parameter_level"),
    ("[response]", "[responses]", "responses"),
])
def test_load_news2_refuses_a_malformed_table(tmp_path, old, new, key):
    with pytest.raises(ProtocolError) as info:
        load_news2(_write(tmp_path, NEWS2_PATH, old, new))
    assert info.value.key == key
    assert info.value.path.endswith("news2.toml")


def test_load_news2_missing_file(tmp_path):
    with pytest.raises(ProtocolError, match="cannot be read"):
        load_news2(tmp_path / "absent.toml")


# --- Modified Aldrete ---------------------------------------------------------------------

BASE = Vitals(hr=70, sbp=100, dbp=70, spo2=98, rr=14, moaas=5, dissociation=0)


def _aldrete(activity=2, respiration=2, baseline=BASE, **changes: object):
    result = aldrete(replace(BASE, **changes), baseline, activity, respiration, ALDRETE)
    assert result is not None
    return result


def test_aldrete_full_marks():
    result = _aldrete()
    assert result.total == 10
    assert list(result.items) == ["activity", "respiration", "circulation", "consciousness",
                                  "spo2"]


@pytest.mark.parametrize(("score", "reason"), [
    (2, "moves 4 limbs"), (1, "moves 2 limbs"), (0, "moves no limbs"),
])
def test_aldrete_activity(score, reason):
    result = _aldrete(activity=score)
    assert result.items["activity"] == (score, reason)
    assert result.total == 8 + score


@pytest.mark.parametrize(("score", "reason"), [
    (2, "breathes deeply and coughs freely"), (1, "dyspnoea or shallow breathing"),
    (0, "apnoeic"),
])
def test_aldrete_respiration(score, reason):
    assert _aldrete(respiration=score).items["respiration"] == (score, reason)


@pytest.mark.parametrize(("sbp", "score"), [
    (100, 2), (120, 2), (80, 2), (121, 1), (79, 1), (150, 1), (50, 1), (151, 0), (49, 0),
])
def test_aldrete_circulation_is_percent_of_baseline(sbp, score):
    got, reason = _aldrete(sbp=sbp).items["circulation"]
    assert got == score
    assert "percent of baseline" in reason


@pytest.mark.parametrize(("sbp", "base", "reason"), [
    (120, 100, "SBP 120 is 20% above baseline 100: within 20 percent of baseline"),
    (121, 100, "SBP 121 is 21% above baseline 100: beyond 20, within 50 percent of baseline"),
    (49, 100, "SBP 49 is 51% below baseline 100: beyond 50 percent of baseline"),
    (100, 100, "SBP 100 equals baseline 100: within 20 percent of baseline"),
    # 20.03% reads as 20.1, never as 20, since it does not score as within 20
    (12003, 10000, "SBP 12003 is 20.1% above baseline 10000: beyond 20, within 50 "
                   "percent of baseline"),
])
def test_aldrete_circulation_reason(sbp, base, reason):
    result = _aldrete(sbp=sbp, baseline=replace(BASE, sbp=base))
    assert result.items["circulation"][1] == reason


@pytest.mark.parametrize(("moaas", "score"), [(5, 2), (4, 1), (3, 1), (2, 0), (1, 0), (0, 0)])
def test_aldrete_consciousness(moaas, score):
    got, reason = _aldrete(moaas=moaas).items["consciousness"]
    assert got == score
    assert f"MOAA/S {moaas}" in reason


@pytest.mark.parametrize(("spo2", "on_oxygen", "score"), [
    (93, False, 2), (100, False, 2), (92, False, 0), (85, False, 0),
    (91, True, 1), (99, True, 1), (90, True, 0), (80, True, 0),
])
def test_aldrete_spo2(spo2, on_oxygen, score):
    got, reason = _aldrete(spo2=spo2, on_oxygen=on_oxygen).items["spo2"]
    assert got == score
    assert f"SpO2 {spo2}%" in reason


@pytest.mark.parametrize(("changes", "baseline"), [
    ({"sbp": None, "dbp": None}, BASE), ({"spo2": None}, BASE), ({"moaas": None}, BASE),
    ({}, None), ({}, replace(BASE, sbp=None, dbp=None)),
])
def test_aldrete_needs_bp_spo2_moaas_and_baseline(changes, baseline):
    assert aldrete(replace(BASE, **changes), baseline, 2, 2, ALDRETE) is None


@pytest.mark.parametrize("bad", [-1, 3, True, "2", 1.0, None])
@pytest.mark.parametrize("item", ["activity", "respiration"])
def test_aldrete_nurse_items_validated(item, bad):
    answers = {"activity": 2, "respiration": 2, item: bad}
    with pytest.raises(ValidationError) as info:
        aldrete(BASE, BASE, answers["activity"], answers["respiration"], ALDRETE)
    assert (info.value.field, info.value.message) == (item, f"{item} must be scored 0, 1 or 2")


@pytest.mark.parametrize(("old", "new", "key"), [
    ("score_2_within_pct = 20", "score_2_within_pct = 60", "circulation.score_1_within_pct"),
    ("score_1_moaas_min = 3", "score_1_moaas_min = 5", "consciousness.score_1_moaas_min"),
    ("score_1_spo2_above = 90", "score_1_spo2_above = true", "oxygen.score_1_spo2_above"),
    ('"moves 2 limbs", ', "", "activity.choices"),
    ("[respiration]", "[breathing]", "breathing"),
    ("[oxygen]", "[oxygen]\ncolour = 1", "oxygen.colour"),
])
def test_load_aldrete_refuses_a_malformed_table(tmp_path, old, new, key):
    with pytest.raises(ProtocolError) as info:
        load_aldrete(_write(tmp_path, ALDRETE_PATH, old, new))
    assert info.value.key == key
