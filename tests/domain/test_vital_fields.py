"""One vitals-field table: every measured value of an observation, its form key, label,
unit and how it is written; temp_c is entered and shown as "temp" through it alone."""

from __future__ import annotations

from dataclasses import fields

from monitor_app.domain.models import Vitals
from monitor_app.domain.protocol import FIELDS as PROTOCOL_FIELDS
from monitor_app.domain.vital_fields import BY_KEY, VITAL_FIELDS, form_key
from monitor_app.domain.vitals import LABELS


def test_every_measured_value_and_protocol_limit_has_one_field() -> None:
    numbers = {f.name for f in fields(Vitals)} - {"on_oxygen", "side_effects", "note",
                                                   "missing_reason"}
    covered = [a for f in VITAL_FIELDS for a in f.attrs]
    assert sorted(covered) == sorted(numbers) == sorted(PROTOCOL_FIELDS)


def test_temperature_is_stored_as_temp_c_and_entered_as_temp() -> None:
    assert form_key("temp_c") == "temp" and form_key("sbp") == form_key("dbp") == "bp"
    assert form_key("side_effects") == "side_effects"
    assert LABELS["temp"] == BY_KEY["temp"].label == "temperature"


def test_values_are_written_the_station_s_way() -> None:
    v = Vitals(hr=88, sbp=132, dbp=84, temp_c=36.84)
    assert BY_KEY["bp"].text(v) == "132/84"
    assert BY_KEY["temp"].text(v) == "36.8"
    assert BY_KEY["spo2"].text(v) == ""
