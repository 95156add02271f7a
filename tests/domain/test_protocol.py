"""The protocol loader: both shipped files load; every kind of mistake names file and key."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from monitor_app.domain.protocol import ProtocolError, load_protocol, load_protocols, parse_protocol

PROTOCOLS = Path(__file__).resolve().parents[2] / "resources" / "protocols"
IV = tomllib.loads((PROTOCOLS / "ketamine-iv.toml").read_text())


def test_both_shipped_protocols_load():
    protocols = load_protocols(PROTOCOLS)
    assert set(protocols) == {"ketamine-iv", "esketamine-rems"}
    iv, rems = protocols["ketamine-iv"], protocols["esketamine-rems"]
    assert iv.schedule.during_interval_min == 10
    assert iv.schedule.after_interval_min == 15
    assert iv.criteria["minimum_observation"] == {"minutes": 30, "from": "dosing_end"}
    assert rems.schedule.timepoints_min == (40,)
    assert rems.criteria["minimum_observation"] == {"minutes": 120, "from": "dosing_start"}
    assert rems.rems and not iv.rems
    assert [f.key for f in rems.rems_form][:3] == ["patient_name", "dob", "sex"]
    assert iv.limits["hr"].plausible == (20, 250)
    assert iv.limits["spo2"].flag_below == 92


def _broken(change) -> dict:
    data = copy.deepcopy(IV)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (lambda d: d["schedule"].pop("after_interval_min"), "schedule.after_interval_min",
         "missing"),
        (lambda d: d["schedule"].__setitem__("during_interval_min", "ten"),
         "schedule.during_interval_min", "expected an integer, got str"),
        (lambda d: d["limits"]["hr"].__setitem__("plausible", [250, 20]), "limits.hr.plausible",
         "lower limit 250 is above upper limit 20"),
        (lambda d: d["limits"]["hr"].__setitem__("flag_at_or_above", 400),
         "limits.hr.flag_at_or_above", "outside the plausible range"),
        (lambda d: d["discharge"].__setitem__("walks_on_water", {}), "discharge.walks_on_water",
         "unknown criterion"),
        (lambda d: d["discharge"]["heart_rate"].__setitem__("min", 120),
         "discharge.heart_rate.min", "lower limit is above upper limit"),
        (lambda d: d["discharge"]["minimum_observation"].__setitem__("from", "lunch"),
         "discharge.minimum_observation.from", "must be"),
        (lambda d: d["protocol"].__setitem__("rems", "yes"), "protocol.rems",
         "expected true or false"),
        (lambda d: d["limits"].pop("spo2"), "limits.spo2", "missing"),
        (lambda d: d["instructions"].__setitem__("lines", []), "instructions.lines",
         "non-empty"),
        (lambda d: d["schedule"].__setitem__("timepoints_min", [40, 20]),
         "schedule.timepoints_min", "increasing"),
        (lambda d: d.__setitem__("colour", "blue"), "colour", "unknown key"),
        (lambda d: d["discharge"]["manual"].append(dict(d["discharge"]["manual"][0])),
         "discharge.manual[6].key", "used twice"),
    ],
)
def test_mistakes_name_the_key_and_the_problem(change, key, problem):
    with pytest.raises(ProtocolError) as info:
        parse_protocol(_broken(change), "clinic.toml")
    assert info.value.key == key
    assert problem in info.value.problem
    assert "clinic.toml" in str(info.value)


def test_not_toml_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[protocol\nid = 'x'")
    with pytest.raises(ProtocolError, match=r"bad\.toml.*not valid TOML"):
        load_protocol(bad)


def test_a_clinic_adds_a_third_protocol_without_code(tmp_path):
    for path in PROTOCOLS.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text())
    third = (PROTOCOLS / "ketamine-iv.toml").read_text().replace(
        'id = "ketamine-iv"', 'id = "ketamine-iv-slow"').replace(
        "during_interval_min = 10", "during_interval_min = 5")
    (tmp_path / "ketamine-iv-slow.toml").write_text(third)
    protocols = load_protocols(tmp_path)
    assert protocols["ketamine-iv-slow"].schedule.during_interval_min == 5


def test_duplicate_ids_are_refused(tmp_path):
    text = (PROTOCOLS / "ketamine-iv.toml").read_text()
    (tmp_path / "a.toml").write_text(text)
    (tmp_path / "b.toml").write_text(text)
    with pytest.raises(ProtocolError, match="already used"):
        load_protocols(tmp_path)


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(ProtocolError, match="no protocol files"):
        load_protocols(tmp_path)


@pytest.mark.parametrize(("protocol_id", "weight", "dose", "words"), [
    ("ketamine-iv", 70, 35, ""),
    ("ketamine-iv", 70, 70, ""),
    ("ketamine-iv", 80, 36, "0.45 mg/kg is outside the protocol's usual 0.5 to 1 mg/kg"),
    ("ketamine-iv", 50, 75, "1.50 mg/kg"),
    ("esketamine-rems", 70, 56, ""),
    ("esketamine-rems", 70, 84, ""),
    ("esketamine-rems", 70, 60, "60 mg is not one of the protocol's doses (56, 84 mg)"),
])
def test_an_unusual_dose_is_flagged_from_the_protocol(protocol_id, weight, dose, words):
    caution = load_protocols(PROTOCOLS)[protocol_id].dose_caution(weight, dose)
    assert (words in caution) if words else caution == ""
