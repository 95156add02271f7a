"""Protocol files: instructions in more than one language, REMS form boxes and checks."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor_app.domain.models import Observation, Vitals
from monitor_app.domain.protocol import ProtocolError, load_protocols, parse_protocol
from monitor_app.domain.rems_checks import contradiction

PROTOCOLS = Path(__file__).resolve().parents[2] / "resources" / "protocols"
REMS = tomllib.loads((PROTOCOLS / "esketamine-rems.toml").read_text())


def test_both_shipped_protocols_have_spanish_instructions_line_for_line():
    for protocol in load_protocols(PROTOCOLS).values():
        assert protocol.languages == ("en", "es")
        spanish = protocol.instructions_in("es")
        assert spanish.title.startswith("Después de su tratamiento")
        assert len(spanish.lines) == len(protocol.instructions)
        assert any("911" in line for line in spanish.lines)
        assert protocol.instructions_in("fr").lines == protocol.instructions  # default


def _broken(change) -> dict:
    data = copy.deepcopy(REMS)
    change(data)
    return data


@pytest.mark.parametrize(("change", "key", "problem"), [
    (lambda d: d["instructions"]["es"].update(lines=["Una línea"]), "instructions.es.lines",
     "has 1 lines; the default language has 6"),
    (lambda d: d["instructions"].update(Spanish={"title": "x", "lines": ["y"]}),
     "instructions.Spanish", "2- or 3-letter lower-case code"),
    (lambda d: d["instructions"].update(en={"title": "x", "lines": ["y"]}),
     "instructions.en", "already the default language"),
    (lambda d: d["instructions"]["es"].update(colour="red"), "instructions.es.colour",
     "unknown key"),
    (lambda d: d["rems_form"][0].update(check="sedation"), "rems_form[0].check",
     "only a yes_no question"),
    (lambda d: d["rems_form"][-2].update(check="sleepiness"), "check", "must be one of"),
    (lambda d: d["rems_form"][1].update(key="patient_name"), "rems_form[1].key",
     "used twice"),
])
def test_mistakes_in_languages_and_the_rems_form_name_the_key(change, key, problem):
    with pytest.raises(ProtocolError) as error:
        parse_protocol(_broken(change), "esketamine-rems.toml")
    assert key in error.value.key and problem in error.value.problem


def _obs(minute: int, **values: int) -> Observation:
    return Observation(id=minute, episode_id=1,
                       taken_at=datetime(2026, 11, 27, 9, minute, tzinfo=UTC),
                       entered_at=datetime(2026, 11, 27, 9, minute, tzinfo=UTC),
                       recorded_by=1, vitals=Vitals(**values))


def test_the_record_contradicts_a_no_only_with_what_it_holds():
    protocol = parse_protocol(REMS)
    fields = {f.key: f for f in protocol.rems_form}
    calm = [_obs(1, moaas=5, dissociation=0, rr=14, spo2=97)]
    for key in ("sedation", "dissociation", "respiratory_depression"):
        assert contradiction(fields[key], "no", protocol, calm, UTC) == ""
    low_spo2 = [*calm, _obs(30, spo2=88)]
    said = contradiction(fields["respiratory_depression"], "no", protocol, low_spo2, UTC)
    assert "observation at 09:30: SpO2 88% (below 92)" in said
    assert contradiction(fields["respiratory_depression"], "yes", protocol, low_spo2, UTC) == ""
    voided = [replace(_obs(20, moaas=2), voided_at=datetime(2026, 11, 27, 9, 25, tzinfo=UTC),
                      voided_by=1)]
    assert voided[0].voided
    assert contradiction(fields["sedation"], "no", protocol, voided, UTC) == ""
