"""The alerts one observation raises, and the pre-dose caution, at the shipped
protocols' edges.

Limits are read from the shipped protocols, never repeated here, except where a
message is checked against the defaults of CLINICAL.md.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor_app.domain.models import Vitals
from monitor_app.domain.vitals import (
    alerts_for,
    parse_observation,
    predose_caution,
)
from tests.helpers.domain_data import IV, NORMAL, PROTOCOL_IDS, PROTOCOLS, raw

# --- alerts -------------------------------------------------------------------------------

STEP = {"temp_c": 0.1}
HIGH = {"hr": "hr_high", "sbp": "hypertension", "dbp": "hypertension", "spo2": "spo2_high",
        "rr": "rr_high", "temp_c": "temp_high", "moaas": "moaas_high",
        "dissociation": "dissociation"}
LOW = {"hr": "hr_low", "sbp": "hypotension", "dbp": "hypotension", "spo2": "spo2_low",
       "rr": "rr_low", "temp_c": "temp_low", "moaas": "sedation",
       "dissociation": "dissociation_low"}


def _alert_edges():
    """(protocol, field, value, expected code or None) on both sides of every flag."""
    for pid in PROTOCOL_IDS:
        for name, lim in PROTOCOLS[pid].limits.items():
            step, high, low = STEP.get(name, 1), HIGH[name], LOW[name]
            cases = []
            if lim.flag_at_or_above is not None:
                cases += [(lim.flag_at_or_above, high), (lim.flag_at_or_above - step, None)]
            if lim.flag_above is not None:
                cases += [(lim.flag_above + step, high), (lim.flag_above, None)]
            if lim.flag_at_or_below is not None:
                cases += [(lim.flag_at_or_below, low), (lim.flag_at_or_below + step, None)]
            if lim.flag_below is not None:
                cases += [(lim.flag_below - step, low), (lim.flag_below, None)]
            for value, code in cases:
                yield pytest.param(pid, name, value, code, id=f"{pid}-{name}-{value:g}")


def test_normal_raises_no_alert():
    for protocol in PROTOCOLS.values():
        assert alerts_for(NORMAL, protocol, NORMAL) == []


@pytest.mark.parametrize(("pid", "name", "value", "code"), list(_alert_edges()))
def test_alert_edges(pid, name, value, code):
    vitals = replace(NORMAL, **{name: round(value, 1) if name == "temp_c" else int(value)})
    codes = [a.code for a in alerts_for(vitals, PROTOCOLS[pid], None)]
    assert codes == ([code] if code else [])


def test_every_default_alert_is_configured():
    codes = {case.values[3] for case in _alert_edges() if case.values[0] == "ketamine-iv"}
    assert {"hypertension", "hr_high", "hr_low", "spo2_low", "rr_low", "rr_high", "sedation",
            "dissociation"} <= codes


@pytest.mark.parametrize("pid", PROTOCOL_IDS)
@pytest.mark.parametrize("name", ["sbp", "dbp"])
def test_rise_from_baseline_edges(pid, name):
    protocol = PROTOCOLS[pid]
    limit = int(protocol.limits[name].flag_rise_from_baseline)
    baseline = replace(NORMAL, sbp=110, dbp=60)
    start = getattr(baseline, name)
    at = replace(baseline, **{name: start + limit})
    below = replace(baseline, **{name: start + limit - 1})
    assert [a.code for a in alerts_for(at, protocol, baseline)] == ["hypertension"]
    assert alerts_for(below, protocol, baseline) == []
    assert alerts_for(at, protocol, None) == []  # no baseline, no rise alert
    no_bp = replace(baseline, sbp=None, dbp=None)
    assert alerts_for(at, protocol, no_bp) == []


def test_alert_messages():
    vitals = replace(NORMAL, hr=48, sbp=184, dbp=112, spo2=91, rr=25, moaas=3, dissociation=3)
    baseline = replace(NORMAL, sbp=126, dbp=80)
    assert [(a.code, a.field, a.message) for a in alerts_for(vitals, IV, baseline)] == [
        ("hr_low", "hr", "HR 48 at or below 50"),
        ("hypertension", "bp", "SBP 184 at or above 180"),
        ("hypertension", "bp", "SBP rose 58 from baseline 126 (limit 40)"),
        ("hypertension", "bp", "DBP 112 at or above 110"),
        ("hypertension", "bp", "DBP rose 32 from baseline 80 (limit 25)"),
        ("spo2_low", "spo2", "SpO2 91 below 92"),
        ("rr_high", "rr", "RR 25 above 24"),
        ("sedation", "moaas", "MOAA/S 3 at or below 3"),
        ("dissociation", "dissociation", "Dissociation 3 at or above 3"),
    ]


def test_temperature_alert_when_configured():
    limits = {**IV.limits, "temp_c": replace(IV.limits["temp_c"], flag_at_or_above=38.0,
                                              flag_below=35.5)}
    protocol = replace(IV, limits=limits)
    hot = alerts_for(replace(NORMAL, temp_c=38.0), protocol, None)
    cold = alerts_for(replace(NORMAL, temp_c=35.4), protocol, None)
    assert [(a.code, a.field, a.message) for a in hot + cold] == [
        ("temp_high", "temp", "Temp 38.0 at or above 38.0"),
        ("temp_low", "temp", "Temp 35.4 below 35.5"),
    ]


def test_abnormal_value_is_accepted_and_flagged():
    vitals = parse_observation(raw(hr="130", bp="190/115", spo2="88"), IV)
    assert (vitals.hr, vitals.sbp, vitals.spo2) == (130, 190, 88)
    codes = {a.code for a in alerts_for(vitals, IV, None)}
    assert codes == {"hr_high", "hypertension", "spo2_low"}


def test_partial_observation_alerts_on_what_was_taken():
    vitals = Vitals(hr=130, missing_reason="patient asleep")
    assert [a.code for a in alerts_for(vitals, IV, NORMAL)] == ["hr_high"]


# --- pre-dose caution ---------------------------------------------------------------------

@pytest.mark.parametrize("pid", PROTOCOL_IDS)
def test_predose_caution_edges(pid):
    protocol = PROTOCOLS[pid]
    sbp, dbp = protocol.predose_sbp_above, protocol.predose_dbp_above
    assert predose_caution(replace(NORMAL, sbp=sbp, dbp=dbp), protocol) is None
    for high in (replace(NORMAL, sbp=sbp + 1, dbp=dbp), replace(NORMAL, sbp=sbp, dbp=dbp + 1)):
        alert = predose_caution(high, protocol)
        assert alert is not None
        assert (alert.code, alert.field) == ("predose_caution", "bp")
        assert f"above {sbp}/{dbp}" in alert.message
    assert predose_caution(replace(NORMAL, sbp=None, dbp=None), protocol) is None


def test_predose_caution_message():
    alert = predose_caution(replace(NORMAL, sbp=150, dbp=85), IV)
    assert alert is not None
    assert alert.message == ("baseline BP 150/85 above 140/90: a prescriber acknowledges "
                             "before dosing starts")
