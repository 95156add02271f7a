"""The FHIR export's code table, read from ``resources/fhir/codes.toml``.

Every code, unit and profile of the export lives in that file; this module checks it
and hands it over as plain data. A malformed file fails with the file, the key and
what is wrong, like a protocol file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from monitor_app.domain.models import Episode, Vitals
from monitor_app.domain.protocol import ProtocolError

VALUE_KINDS = ("quantity", "integer", "text", "components")
SOURCES = {"vitals": {f.name for f in fields(Vitals)},
           "episode": {f.name for f in fields(Episode)}}


class FhirCodesError(ProtocolError):
    """The codes file is malformed; the message names the file and the key (a
    ``ProtocolError``, so the CLI and the GUI report it as one line, like a protocol)."""


@dataclass(frozen=True)
class Code:
    system: str  # the full URI
    code: str
    display: str

    def coding(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True)
class ComponentMap:
    field: str
    text: str
    unit: str
    unit_display: str
    codes: tuple[Code, ...]


@dataclass(frozen=True)
class ObservationMap:
    """How one recorded value (or the BP pair) becomes one Observation."""

    key: str
    source: str  # "vitals" or "episode"
    field: str
    text: str
    category: str
    category_display: str
    profiles: tuple[str, ...]
    value: str  # one of VALUE_KINDS
    codes: tuple[Code, ...]
    unit: str = ""
    unit_display: str = ""
    components: tuple[ComponentMap, ...] = ()
    note_when: str = ""
    note_text: str = ""


@dataclass(frozen=True)
class FhirCodes:
    systems: dict[str, str]
    observations: tuple[ObservationMap, ...]
    encounter_class: Code
    dose_unit: str
    routes: dict[str, Code]  # protocol route text -> code
    document_type_text: str
    signature_type: Code
    agent_type: Code

    @property
    def ucum(self) -> str:
        return self.systems["ucum"]

    @property
    def category_system(self) -> str:
        return self.systems["category"]


def load_fhir_codes(path: Path) -> FhirCodes:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FhirCodesError(path.name, "file", str(exc)) from None
    reader = _Reader(path.name, data)
    return reader.codes()


class _Reader:
    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name = name
        self.data = data
        self.systems = self._table(data, "systems")
        for key in ("loinc", "ucum", "category"):
            self._text(self.systems, key, "systems")

    def fail(self, key: str, problem: str) -> FhirCodesError:
        return FhirCodesError(self.name, key, problem)

    def _table(self, data: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"{where}.{key}".strip("."), "missing table")
        return value

    def _text(self, data: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}.{key}", "must be non-empty text")
        return value

    def _code(self, data: Any, where: str) -> Code:
        if not isinstance(data, dict):
            raise self.fail(where, "a code is a table with system, code and display")
        system_key = self._text(data, "system", where)
        if system_key not in self.systems:
            raise self.fail(f"{where}.system", f"'{system_key}' is not a key of [systems]")
        return Code(self.systems[system_key], self._text(data, "code", where),
                    self._text(data, "display", where))

    def _codes(self, data: dict[str, Any], where: str) -> tuple[Code, ...]:
        items = data.get("codes")
        if not isinstance(items, list) or not items:
            raise self.fail(f"{where}.codes", "give at least one code")
        return tuple(self._code(item, f"{where}.codes") for item in items)

    def _observation(self, item: dict[str, Any], index: int,
                     categories: dict[str, Any], base_profile: str) -> ObservationMap:
        key = item.get("key", "")
        where = f"observation.{key or index}"
        source = self._text(item, "source", where)
        if source not in SOURCES:
            raise self.fail(f"{where}.source", "must be 'vitals' or 'episode'")
        field = self._text(item, "field", where)
        if field not in SOURCES[source]:
            raise self.fail(f"{where}.field", f"'{field}' is not a recorded {source} value")
        value = self._text(item, "value", where)
        if value not in VALUE_KINDS:
            raise self.fail(f"{where}.value", f"must be one of {', '.join(VALUE_KINDS)}")
        category = self._text(item, "category", where)
        if category not in categories:
            raise self.fail(f"{where}.category", f"'{category}' is not in [categories]")
        profile = self._text(item, "profile", where, required=False)
        profiles = (base_profile, profile) if category == "vital-signs" and profile else ()
        components = tuple(
            ComponentMap(self._field(c, source, f"{where}.component"),
                         self._text(c, "text", f"{where}.component"),
                         self._text(c, "unit", f"{where}.component"),
                         self._text(c, "unit_display", f"{where}.component"),
                         self._codes(c, f"{where}.component"))
            for c in item.get("component", []))
        if (value == "components") != bool(components):
            raise self.fail(where, "value 'components' goes with [[observation.component]]")
        note_when = self._text(item, "note_when", where, required=False)
        if note_when and note_when not in SOURCES[source]:
            raise self.fail(f"{where}.note_when", f"'{note_when}' is not a recorded value")
        return ObservationMap(
            key=self._text(item, "key", where), source=source, field=field,
            text=self._text(item, "text", where), category=category,
            category_display=str(categories[category]), profiles=profiles, value=value,
            codes=self._codes(item, where),
            unit=self._text(item, "unit", where, required=value == "quantity"),
            unit_display=self._text(item, "unit_display", where, required=value == "quantity"),
            components=components, note_when=note_when,
            note_text=self._text(item, "note_text", where, required=bool(note_when)))

    def _field(self, item: dict[str, Any], source: str, where: str) -> str:
        field = self._text(item, "field", where)
        if field not in SOURCES[source]:
            raise self.fail(f"{where}.field", f"'{field}' is not a recorded {source} value")
        return field

    def codes(self) -> FhirCodes:
        categories = self._table(self.data, "categories")
        base_profile = self._text(self._table(self.data, "profiles"), "vitalsigns", "profiles")
        items = self.data.get("observation")
        if not isinstance(items, list) or not items:
            raise self.fail("observation", "give at least one [[observation]]")
        observations = tuple(self._observation(item, i, categories, base_profile)
                             for i, item in enumerate(items))
        keys = [o.key for o in observations]
        if len(set(keys)) != len(keys):
            raise self.fail("observation", "every key must be unique")
        medication = self._table(self.data, "medication")
        routes = {}
        for route in medication.get("routes", []):
            routes[self._text(route, "route", "medication.routes")] = self._code(
                route, "medication.routes")
        signature = self._table(self.data, "signature")
        return FhirCodes(
            systems=dict(self.systems), observations=observations,
            encounter_class=self._code(self._table(self.data, "encounter").get("class"),
                                       "encounter.class"),
            dose_unit=self._text(medication, "dose_unit", "medication"), routes=routes,
            document_type_text=self._text(self._table(self.data, "document"), "type_text",
                                          "document"),
            signature_type=self._code(signature.get("type"), "signature.type"),
            agent_type=self._code(signature.get("agent_type"), "signature.agent_type"))
