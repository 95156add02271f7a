"""From a monitor's OBX results to the entry form's values: codes, units, plausibility.

The code table is data (``resources/monitor/codes.toml``). A value is checked exactly
like a typed one (``vitals.parse_observation``), so a refused value is refused with the
same message the nurse would see after typing it; it is shown refused, never stored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from monitor_app.domain.hl7_message import Obx
from monitor_app.domain.models import ValidationError
from monitor_app.domain.protocol import Protocol, ProtocolError
from monitor_app.domain.vital_fields import form_key
from monitor_app.domain.vitals import LABELS, parse_observation

# result field -> the quantity its unit must measure, and its unit on the station
FIELDS: dict[str, tuple[str, str]] = {
    "hr": ("rate", "/min"), "sbp": ("pressure", "mmHg"), "dbp": ("pressure", "mmHg"),
    "spo2": ("percent", "%"), "rr": ("rate", "/min"), "temp_c": ("temperature", "Cel"),
}
_IGNORED_STATUS = {"X", "D", "W", "N"}  # cannot be obtained, deleted, wrong, not asked


@dataclass(frozen=True)
class Unit:
    name: str
    quantity: str
    add: float = 0.0
    multiply: float = 1.0


@dataclass(frozen=True)
class CodeTable:
    mdc: Mapping[str, str]
    loinc: Mapping[str, str]
    text: Mapping[str, str]  # casefolded vendor text -> field
    units: Mapping[str, Unit]  # casefolded unit name -> unit

    def field_of(self, obx: Obx) -> str | None:
        system = obx.system.upper()
        if system in ("MDC", "MDC_IEEE", "ISO11073"):
            found = self.mdc.get(obx.code)
        elif system in ("LN", "LOINC"):
            found = self.loinc.get(obx.code)
        else:
            found = self.text.get(obx.code.casefold()) if system else (
                self.mdc.get(obx.code) or self.loinc.get(obx.code))
        return found or self.text.get(obx.text.casefold())


@dataclass(frozen=True)
class MappedValues:
    """The form's text per key (``hr``, ``bp``, ``spo2``, ``rr``, ``temp``), the refused
    ones with their message, and what was ignored (unknown codes, duplicates)."""

    values: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()


def load_code_table(path: Path) -> CodeTable:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProtocolError(path, "-", f"cannot be read: {exc}") from exc
    tables: dict[str, dict[str, str]] = {}
    for section in ("mdc", "loinc", "text"):
        entries = data.get(section, {})
        for code, name in entries.items():
            if name not in FIELDS:
                raise ProtocolError(path, f"{section}.{code}", f"unknown field {name!r} "
                                    f"(expected one of {', '.join(FIELDS)})")
        key = str.casefold if section == "text" else str
        tables[section] = {key(str(code)): name for code, name in entries.items()}
    units: dict[str, Unit] = {}
    for name, spec in data.get("units", {}).items():
        quantity = spec.get("quantity")
        if quantity not in {q for q, _ in FIELDS.values()}:
            raise ProtocolError(path, f"units.{name}.quantity", f"unknown quantity {quantity!r}")
        unit = Unit(name, quantity, float(spec.get("add", 0.0)), float(spec.get("multiply", 1.0)))
        for alias in [name, *spec.get("names", [])]:
            units[str(alias).casefold()] = unit
    return CodeTable(tables["mdc"], tables["loinc"], tables["text"], units)


def map_results(results: Sequence[Obx], table: CodeTable) -> tuple[dict[str, float],
                                                                    dict[str, str], list[str]]:
    """Numbers in station units per result field, refusals per form key, ignored notes."""
    numbers: dict[str, float] = {}
    refused: dict[str, str] = {}
    ignored: list[str] = []
    for obx in results:
        name = table.field_of(obx)
        shown = obx.text or obx.code or "?"
        if name is None:
            ignored.append(f"unknown code {obx.code}^{obx.text}^{obx.system}")
            continue
        if obx.status.upper() in _IGNORED_STATUS or not obx.value:
            ignored.append(f"{shown}: no value (status {obx.status or '-'})")
            continue
        if name in numbers:
            ignored.append(f"{shown}: a second {LABELS[form_key(name)]}")
            continue
        quantity, station_unit = FIELDS[name]
        unit = table.units.get(obx.unit.casefold()) if obx.unit else Unit(station_unit, quantity)
        key = form_key(name)
        if unit is None or unit.quantity != quantity:
            refused[key] = f"{LABELS[key]}: unit {obx.unit!r} is not known for this value"
            continue
        try:
            number = float(obx.value)
        except ValueError:
            refused[key] = f"{LABELS[key]} {obx.value[:20]!r} is not a number"
            continue
        if number != number or abs(number) > 1e6:  # NaN, inf, absurd
            refused[key] = f"{LABELS[key]} {obx.value[:20]!r} is not a measurement"
            continue
        numbers[name] = (number + unit.add) * unit.multiply
    return numbers, refused, ignored


def form_values(results: Sequence[Obx], table: CodeTable,
                protocols: Sequence[Protocol]) -> MappedValues:
    """The results as the entry form's text, each checked against every protocol's
    plausible limits (a value any protocol refuses is refused)."""
    numbers, refused, ignored = map_results(results, table)
    texts: dict[str, str] = {}
    for name in ("hr", "spo2", "rr"):
        if name in numbers:
            texts[name] = str(round(numbers[name]))
    if "temp_c" in numbers:
        texts["temp"] = f"{numbers['temp_c']:.1f}"
    if "sbp" in numbers and "dbp" in numbers:
        texts["bp"] = f"{round(numbers['sbp'])}/{round(numbers['dbp'])}"
    elif ("sbp" in numbers or "dbp" in numbers) and "bp" not in refused:
        refused["bp"] = "blood pressure: the monitor sent only one of systolic and diastolic"
    values = {}
    for key, text in texts.items():
        problem = check_value(key, text, protocols)
        if problem:
            refused[key] = problem
        else:
            values[key] = text
    return MappedValues(values, refused, tuple(ignored))


def check_value(key: str, text: str, protocols: Sequence[Protocol]) -> str:
    """'' when every protocol accepts ``text`` for ``key``, else the first refusal."""
    for protocol in protocols:
        try:
            parse_observation({key: text, "missing_reason": "from the monitor"}, protocol)
        except ValidationError as exc:
            return exc.message
    return ""
