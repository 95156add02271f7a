"""A monitor's ORU^R01 -> ACK and form values: codes, units, plausibility, malformed input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor_app import paths
from monitor_app.domain.hl7_message import parse_oru
from monitor_app.domain.monitor_codes import load_code_table
from monitor_app.domain.monitor_intake import MonitorConfig, take_message
from monitor_app.domain.protocol import load_protocols
from tests.helpers.monitor_messages import VITALS, oru

NOW = datetime(2026, 11, 27, 9, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def config() -> MonitorConfig:
    return MonitorConfig(table=load_code_table(paths.resources_dir() / "monitor" / "codes.toml"),
                         protocols=tuple(load_protocols(paths.protocols_dir()).values()),
                         allowlist=frozenset({"mon-01", "mon-02"}),
                         chairs={"mon-01": "1", "bay-3": "3"})


def take(text: str | bytes, config: MonitorConfig):
    data = text.encode() if isinstance(text, str) else text
    return take_message(data, config, NOW, "ACK1")


def msa(ack: str) -> list[str]:
    return next(s for s in ack.split("\r") if s.startswith("MSA")).split("|")


def test_mdc_reading_is_accepted_with_form_values(config):
    intake = take(oru(), config)
    assert intake.code == "AA"
    assert msa(intake.ack)[:3] == ["MSA", "AA", "MSG0001"]
    reading = intake.reading
    assert reading is not None and reading.chair == "1" and reading.device == "MON-01"
    assert reading.values == {"hr": "78", "bp": "132/84", "spo2": "97", "rr": "15"}
    assert reading.taken_at == datetime(2026, 11, 27, 9, 5, tzinfo=UTC)


def test_loinc_codes_kpa_and_fahrenheit_are_converted(config):
    results = [("8867-4", "Heart rate", "LN", "64", "/min"),
               ("8480-6", "Systolic", "LN", "16", "kPa"),
               ("8462-4", "Diastolic", "LN", "10.7", "kPa"),
               ("59408-5", "SpO2", "LN", "99", "%"),
               ("8310-5", "Body temperature", "LN", "98.6", "[degF]")]
    reading = take(oru(results), config).reading
    assert reading is not None
    assert reading.values == {"hr": "64", "bp": "120/80", "spo2": "99", "temp": "37.0"}


def test_vendor_text_from_the_table_and_bed_mapping(config):
    results = [("0002-4182", "HR", "99PHILIPS", "71", "bpm"),
               ("X1", "Resp", "99VENDOR", "12", "")]
    intake = take(oru(results, device="MON-02", bed="ICU^^BAY-3"), config)
    assert intake.code == "AA"
    assert intake.reading is not None and intake.reading.values == {"hr": "71", "rr": "12"}
    assert intake.reading.chair == ""  # PV1-3 "ICU/BAY-3" is not "bay-3"
    intake = take(oru(results, device="MON-02", bed="BAY-3"), config)
    assert intake.reading is not None and intake.reading.chair == "3"


def test_unknown_codes_are_ignored_and_noted(config):
    intake = take(oru([*VITALS, ("999999", "MDC_SOMETHING_ELSE", "MDC", "5", "")]), config)
    assert intake.code == "AA"
    assert intake.reading is not None
    assert any("999999" in note for note in intake.reading.ignored)
    only_unknown = take(oru([("999999", "MDC_SOMETHING_ELSE", "MDC", "5", "")]), config)
    assert only_unknown.code == "AE" and only_unknown.reading is None
    assert "no vital sign" in msa(only_unknown.ack)[3]


def test_absurd_value_is_refused_like_a_typed_one(config):
    results = [("147842", "HR", "MDC", "900", "/min"), ("150456", "SPO2", "MDC", "97", "%")]
    intake = take(oru(results), config)
    assert intake.code == "AE"
    assert "heart rate 900 is outside 20 to 250" in intake.ack  # the typed value's message
    assert intake.reading is not None
    assert intake.reading.values == {"spo2": "97"}
    assert "hr" in intake.reading.refused
    assert "ERR|" in intake.ack


@pytest.mark.parametrize("value, unit", [("abc", "/min"), ("nan", "/min"), ("1e300", "/min"),
                                         ("72", "mmHg")])
def test_non_numbers_and_wrong_units_are_refused(config, value, unit):
    intake = take(oru([("147842", "HR", "MDC", value, unit)]), config)
    assert intake.code == "AE"
    assert intake.reading is not None and intake.reading.values == {}


def test_device_not_on_allowlist_is_rejected(config):
    intake = take(oru(device="STRANGER"), config)
    assert intake.code == "AR" and intake.reading is None
    assert "allowlist" in msa(intake.ack)[3]


@pytest.mark.parametrize("data, words", [
    (b"", "MSH"),
    (b"PID|||1\r", "MSH"),
    (oru().replace("ORU^R01", "ADT^A01").encode(), "not ORU^R01"),
    (oru()[:60].encode(), "not ORU^R01"),  # truncated inside MSH
    (oru().encode("utf-16"), "not valid utf-8"),
    ("MSH|^~\\&|GW|MON-01|A|B|20261127||ORU^R01|C1|P|2.6\rOBX|1|NM|147842^HR^MDC||72\xff"
     .encode("latin-1"), "not valid utf-8"),
    (oru().replace("PID|||MRN-0000", "PID|||" + "9" * 1_000_000).encode(), "longer than"),
])
def test_malformed_messages_get_ar(config, data, words):
    intake = take(data, config)
    assert intake.code == "AR" and intake.reading is None
    assert words.casefold() in intake.reason.casefold()
    assert msa(intake.ack)[1] == "AR"


def test_truncated_after_msh_has_no_result(config):
    text = oru().split("\r")[0] + "\r"
    intake = take(text, config)
    assert (intake.code, intake.reading) == ("AE", None)
    assert msa(intake.ack)[2] == "MSG0001"


def test_latin1_message_declared_in_msh18(config):
    results = [("TEMP", "Température", "99V", "37,2".replace(",", "."), "°C")]
    intake = take(oru(results, charset="8859/1").encode("latin-1"), config)
    assert intake.code == "AA"
    assert intake.reading is not None and intake.reading.values == {"temp": "37.2"}


def test_reason_quoting_sender_text_cannot_break_the_ack(config):
    intake = take(oru(device="EVIL&\\x"), config)
    assert intake.code == "AR" and "EVIL&\\x" in intake.reason
    fields = msa(intake.ack)
    assert len(fields) == 4 and fields[2] == "MSG0001"
    assert "EVIL\\T\\\\E\\x" in fields[3]


def test_equipment_id_in_obx18_is_a_device(config):
    message = parse_oru(oru(equipment="MON-02"))
    assert message.devices[0] == "MON-02"
