"""The REMS filing rule is protocol data: its days and pre-filled answers are read and
checked from the TOML file, never written in code."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from monitor_app.domain.protocol import ProtocolError, parse_protocol

PROTOCOLS = Path(__file__).resolve().parents[2] / "resources" / "protocols"
REMS = tomllib.loads((PROTOCOLS / "esketamine-rems.toml").read_text())


def with_filing(**filing: object) -> dict:
    data = copy.deepcopy(REMS)
    data["rems_filing"].update(filing)
    return data


def test_a_clinic_changes_the_days_in_the_file() -> None:
    rule = parse_protocol(with_filing(form_due_days=5, due_soon_days=1)).rems_filing
    assert rule is not None and (rule.form_due_days, rule.due_soon_days) == (5, 1)


@pytest.mark.parametrize(("filing", "key", "problem"), [
    ({"form_due_days": 0}, "form_due_days", "1 to 365"),
    ({"due_soon_days": 9}, "due_soon_days", "0 to form_due_days"),
    ({"due_days": 7}, "due_days", "unknown key"),
])
def test_a_wrong_filing_rule_names_the_key(filing: dict, key: str, problem: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_protocol(with_filing(**filing), "esketamine-rems.toml")
    assert key in str(refused.value) and problem in str(refused.value)
