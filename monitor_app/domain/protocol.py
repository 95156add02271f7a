"""Protocols are data: load and validate a protocol TOML file.

Every problem is reported as ``ProtocolError`` with the file, the dotted key and what
is wrong, so a clinic that edits a file sees exactly where its mistake is.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor_app.domain.protocol_forms import (
    DEFAULT_LANGUAGE,
    REMS_CHECKS,
    Instructions,
    RemsField,
    _instructions,
    _rems_form,
)
from monitor_app.domain.protocol_reader import _number_pair, _Reader
from monitor_app.errors import ProtocolError as ProtocolError

FIELDS = ("hr", "sbp", "dbp", "spo2", "rr", "temp_c", "moaas", "dissociation")
FLAG_KEYS = (
    "flag_at_or_above",
    "flag_above",
    "flag_at_or_below",
    "flag_below",
    "flag_rise_from_baseline",
)
AUTOMATIC_CRITERIA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "minimum_observation": {"minutes": int, "from": str},
    "blood_pressure": {"within_pct_of_baseline": (int, float), "or_below_sbp": int,
                       "or_below_dbp": int, "min_sbp": int},
    "heart_rate": {"min": int, "max": int},
    "oxygen_saturation": {"min": int, "on_air": bool},
    "respiratory_rate": {"min": int, "max": int},
    "sedation": {"moaas_min": int},
    "dissociation": {"max": int, "latest_count": int},
    "no_nausea": {"symptoms": list},
    "aldrete": {"min": int},
}
# Optional in every [discharge.<criterion>] table: whether a prescriber may override it.
OVERRIDE_KEYS: dict[str, type] = {"overridable": bool, "not_overridable_because": str}
NOT_OVERRIDABLE_DEFAULT = "the protocol does not allow it"
ANCHORS = ("dosing_start", "dosing_end")

__all__ = ["DEFAULT_LANGUAGE", "REMS_CHECKS", "Instructions", "Protocol", "ProtocolError",
           "RemsField", "load_protocol", "load_protocols", "parse_protocol"]


@dataclass(frozen=True)
class FieldLimits:
    """One vital sign's limits: plausible range (refused outside) and flag thresholds."""

    plausible: tuple[float, float]
    flag_at_or_above: float | None = None
    flag_above: float | None = None
    flag_at_or_below: float | None = None
    flag_below: float | None = None
    flag_rise_from_baseline: float | None = None


@dataclass(frozen=True)
class Schedule:
    """When observations are due: before, during and after dosing."""

    baseline_window_min: int
    during_interval_min: int  # 0: no slots while dosing
    at_dosing_end: bool
    after_interval_min: int
    after_from: str  # "dosing_end" or "last_timepoint"
    timepoints_min: tuple[int, ...]  # minutes after dosing start
    due_soon_min: int
    overdue_grace_min: int
    # The end-of-dosing check is due the moment dosing ends (a time nobody knew in
    # advance): it turns overdue only this long after.
    dosing_end_grace_min: int = 0
    # A flagged blood pressure asks for a recheck this long after it (0: no recheck).
    recheck_after_flag_min: int = 0

    def grace_min(self, kind: str) -> int:
        """Minutes after its due time that a slot of this kind turns overdue."""
        return self.dosing_end_grace_min if kind == "end" else self.overdue_grace_min


@dataclass(frozen=True)
class ChecklistItem:
    """A discharge criterion the nurse confirms by hand."""

    key: str
    label: str
    details: tuple[str, ...] = ()
    allow_na: bool = False


@dataclass(frozen=True)
class RemsFiling:
    """The REMS Patient Monitoring Form's filing rule: due ``form_due_days`` calendar
    days after the session; "due soon" from ``due_soon_days`` days before."""

    form_due_days: int
    due_soon_days: int = 2


@dataclass(frozen=True)
class Protocol:
    """A protocol file, read and checked: schedule, limits and discharge criteria."""

    id: str
    name: str
    version: str
    drug: str
    route: str
    dosing_label: str
    rems: bool
    schedule: Schedule
    limits: dict[str, FieldLimits]
    predose_sbp_above: int
    predose_dbp_above: int
    precheck: tuple[ChecklistItem, ...]
    criteria: dict[str, dict[str, Any]]  # automatic criterion name -> parameters
    manual: tuple[ChecklistItem, ...]
    instructions_title: str
    instructions: tuple[str, ...]
    dose_mg_per_kg: tuple[float, float] | None = None
    default_dose_mg_per_kg: float | None = None
    fixed_doses_mg: tuple[int, ...] = ()
    rems_form: tuple[RemsField, ...] = ()
    # criterion -> why it cannot be overridden; absent: it can be
    not_overridable: dict[str, str] = field(default_factory=dict)
    dosing_ended_label: str = ""  # "spray given": what the board says once dosing ended
    # language code -> instructions; ``instructions_language`` is the [instructions] table's
    translations: dict[str, Instructions] = field(default_factory=dict)
    instructions_language: str = DEFAULT_LANGUAGE
    rems_filing: RemsFiling | None = None  # when a filed REMS form is due after a session
    source: str = field(default="", compare=False)

    @property
    def dosing_ended(self) -> str:
        return self.dosing_ended_label or f"{self.dosing_label} ended"

    @property
    def fixed_dose(self) -> bool:
        """Doses are fixed amounts (not per kg): the weight is not needed to dose."""
        return bool(self.fixed_doses_mg) and self.dose_mg_per_kg is None

    @property
    def requires_lot_number(self) -> bool:
        """The protocol's REMS form needs the lot number, so ask for it at opening."""
        return any(f.required and f.source == "episode.lot_number" for f in self.rems_form)

    @property
    def languages(self) -> tuple[str, ...]:
        """The default language first, then the translations in file order."""
        return (self.instructions_language, *(k for k in self.translations
                                              if k != self.instructions_language))

    def instructions_in(self, language: str) -> Instructions:
        """The instructions in ``language``; the default language when there are none."""
        if language in self.translations:
            return self.translations[language]
        return Instructions(self.instructions_title, self.instructions)

    def limit(self, name: str) -> FieldLimits:
        return self.limits[name]

    def dose_caution(self, weight_kg: float, dose_mg: float) -> str:
        """Why a dose is unusual for this protocol ("" when it is not): accepted and
        flagged on the episode, never refused; the prescriber's order stands."""
        if self.fixed_doses_mg and dose_mg not in self.fixed_doses_mg:
            doses = ", ".join(str(d) for d in self.fixed_doses_mg)
            return f"dose {dose_mg:g} mg is not one of the protocol's doses ({doses} mg)"
        if self.dose_mg_per_kg is not None and weight_kg > 0:
            low, high = self.dose_mg_per_kg
            per_kg = dose_mg / weight_kg
            if not low <= round(per_kg, 2) <= high:
                return (f"dose {per_kg:.2f} mg/kg is outside the protocol's usual "
                        f"{low:g} to {high:g} mg/kg")
        return ""


def _limits(reader: _Reader) -> FieldLimits:
    reader.unknown({"plausible", *FLAG_KEYS})
    low, high = _number_pair(reader, "plausible")
    flags = {k: reader.get(k, (int, float), None) for k in FLAG_KEYS}
    for k in ("flag_at_or_above", "flag_above", "flag_at_or_below", "flag_below"):
        v = flags[k]
        if v is not None and not low <= v <= high:
            raise reader.error(k, f"{v} is outside the plausible range {low} to {high}")
    if flags["flag_at_or_above"] is not None and flags["flag_above"] is not None:
        raise reader.error("flag_above", "give flag_at_or_above or flag_above, not both")
    if flags["flag_at_or_below"] is not None and flags["flag_below"] is not None:
        raise reader.error("flag_below", "give flag_at_or_below or flag_below, not both")
    upper = flags["flag_at_or_above"] if flags["flag_at_or_above"] is not None else (
        flags["flag_above"])
    lower = flags["flag_at_or_below"] if flags["flag_at_or_below"] is not None else (
        flags["flag_below"])
    if upper is not None and lower is not None and lower >= upper:
        raise reader.error("flag_at_or_below", f"low flag {lower} is not below high flag {upper}")
    rise = flags["flag_rise_from_baseline"]
    if rise is not None and rise <= 0:
        raise reader.error("flag_rise_from_baseline", "must be greater than 0")
    return FieldLimits(plausible=(low, high), **flags)


def _schedule(reader: _Reader) -> Schedule:
    reader.unknown({f for f in Schedule.__dataclass_fields__})
    ints = {}
    for name in ("baseline_window_min", "during_interval_min", "after_interval_min",
                 "due_soon_min", "overdue_grace_min"):
        ints[name] = reader.get(name, int)
        if ints[name] < 0:
            raise reader.error(name, "must not be negative")
    for name, default in (("dosing_end_grace_min", ints["overdue_grace_min"]),
                          ("recheck_after_flag_min", 0)):
        ints[name] = reader.get(name, int, default)
        if ints[name] < 0:
            raise reader.error(name, "must not be negative")
    if ints["after_interval_min"] == 0:
        raise reader.error("after_interval_min", "must be greater than 0")
    after_from = reader.get("after_from", str)
    if after_from not in ("dosing_end", "last_timepoint"):
        raise reader.error("after_from", "must be \"dosing_end\" or \"last_timepoint\"")
    timepoints = reader.get("timepoints_min", list)
    if not all(isinstance(t, int) and not isinstance(t, bool) and t > 0 for t in timepoints):
        raise reader.error("timepoints_min", "expected a list of whole minutes above 0")
    if list(timepoints) != sorted(set(timepoints)):
        raise reader.error("timepoints_min", "minutes must be increasing, without repeats")
    if after_from == "last_timepoint" and not timepoints:
        raise reader.error("after_from", "\"last_timepoint\" needs at least one timepoint")
    return Schedule(at_dosing_end=reader.get("at_dosing_end", bool), after_from=after_from,
                    timepoints_min=tuple(timepoints), **ints)


def _checklist(readers: list[_Reader]) -> tuple[ChecklistItem, ...]:
    items = []
    seen: set[str] = set()
    for r in readers:
        r.unknown({"key", "label", "details", "allow_na"})
        key = r.get("key", str)
        if key in seen:
            raise r.error("key", f"\"{key}\" is used twice")
        seen.add(key)
        details = r.get("details", list, [])
        if not all(isinstance(d, str) for d in details):
            raise r.error("details", "expected a list of field names")
        items.append(ChecklistItem(key=key, label=r.get("label", str),
                                   details=tuple(details), allow_na=r.get("allow_na", bool, False)))
    return tuple(items)


@dataclass(frozen=True)
class _Discharge:
    """The ``[discharge]`` table, read: automatic criteria, manual items, overrides."""

    criteria: dict[str, dict[str, Any]]
    manual: tuple[ChecklistItem, ...]
    not_overridable: dict[str, str]


def _criteria(reader: _Reader) -> _Discharge:
    criteria: dict[str, dict[str, Any]] = {}
    locked: dict[str, str] = {}
    for name in reader.data:
        if name == "manual":
            continue
        if name not in AUTOMATIC_CRITERIA:
            raise reader.error(name, "unknown criterion (expected one of "
                               f"{', '.join(AUTOMATIC_CRITERIA)}, manual)")
        table = reader.table(name)
        spec = AUTOMATIC_CRITERIA[name]
        table.unknown(set(spec) | set(OVERRIDE_KEYS))
        criteria[name] = {k: table.get(k, kind) for k, kind in spec.items()}
        because = table.get("not_overridable_because", str, "").strip()
        if not table.get("overridable", bool, True):
            locked[name] = because or NOT_OVERRIDABLE_DEFAULT
        elif because:
            raise table.error("not_overridable_because", "only for a criterion with "
                              "overridable = false")
    if "minimum_observation" in criteria:
        anchor = criteria["minimum_observation"]["from"]
        if anchor not in ANCHORS:
            raise reader.error("minimum_observation.from", "must be \"dosing_start\" or "
                               "\"dosing_end\"")
    for name, key in (("heart_rate", "min"), ("respiratory_rate", "min")):
        if name in criteria and criteria[name][key] > criteria[name]["max"]:
            raise reader.error(f"{name}.min", "lower limit is above upper limit")
    if "blood_pressure" in criteria:
        _check_blood_pressure(reader.table("blood_pressure"), criteria["blood_pressure"])
    manual = _checklist(reader.array_of_tables("manual"))
    return _Discharge(criteria, manual, locked)


def _check_blood_pressure(reader: _Reader, p: dict[str, Any]) -> None:
    if not 0 < p["within_pct_of_baseline"] < 100:
        raise reader.error("within_pct_of_baseline", "must be above 0 and below 100")
    if not 0 < p["min_sbp"] < p["or_below_sbp"]:
        raise reader.error("min_sbp", "must be above 0 and below or_below_sbp "
                           f"({p['or_below_sbp']})")


def _rems_filing(root: _Reader) -> RemsFiling | None:
    if "rems_filing" not in root.data:
        return None
    r = root.table("rems_filing")
    r.unknown({"form_due_days", "due_soon_days"})
    due = r.get("form_due_days", int)
    soon = r.get("due_soon_days", int, 2)
    if not 1 <= due <= 365:
        raise r.error("form_due_days", "must be 1 to 365 days")
    if not 0 <= soon <= due:
        raise r.error("due_soon_days", f"must be 0 to form_due_days ({due})")
    return RemsFiling(form_due_days=due, due_soon_days=soon)


def parse_protocol(data: dict[str, Any], path: Path | str = "<protocol>") -> Protocol:
    root = _Reader(path, data)
    root.unknown({"protocol", "schedule", "limits", "predose", "precheck", "discharge",
                  "instructions", "rems_form", "rems_filing"})
    head = root.table("protocol")
    head.unknown({"id", "name", "version", "drug", "route", "dosing_label",
                  "dosing_ended_label", "rems",
                  "dose_mg_per_kg", "default_dose_mg_per_kg", "fixed_doses_mg"})
    limits_table = root.table("limits")
    limits = {}
    for name in FIELDS:
        limits[name] = _limits(limits_table.table(name))
    limits_table.unknown(set(FIELDS))
    predose = root.table("predose")
    predose.unknown({"sbp_above", "dbp_above"})
    discharge = _criteria(root.table("discharge"))
    language, instructions, translations = _instructions(root.table("instructions"))
    dose_range = _number_pair(head, "dose_mg_per_kg") if "dose_mg_per_kg" in head.data else None
    fixed = head.get("fixed_doses_mg", list, [])
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in fixed):
        raise head.error("fixed_doses_mg", "expected a list of whole milligrams above 0")
    protocol_id = head.get("id", str)
    if not protocol_id.strip():
        raise head.error("id", "must not be empty")
    return Protocol(
        id=protocol_id,
        name=head.get("name", str),
        version=head.get("version", str),
        drug=head.get("drug", str),
        route=head.get("route", str),
        dosing_label=head.get("dosing_label", str, "dosing"),
        rems=head.get("rems", bool, False),
        schedule=_schedule(root.table("schedule")),
        limits=limits,
        predose_sbp_above=predose.get("sbp_above", int),
        predose_dbp_above=predose.get("dbp_above", int),
        precheck=_checklist(root.array_of_tables("precheck")),
        criteria=discharge.criteria,
        manual=discharge.manual,
        instructions_title=instructions.title,
        instructions=instructions.lines,
        dose_mg_per_kg=dose_range,
        default_dose_mg_per_kg=head.get("default_dose_mg_per_kg", (int, float), None),
        fixed_doses_mg=tuple(fixed),
        rems_form=_rems_form(root.array_of_tables("rems_form")),
        rems_filing=_rems_filing(root),
        not_overridable=discharge.not_overridable,
        dosing_ended_label=head.get("dosing_ended_label", str, ""),
        translations=translations,
        instructions_language=language,
        source=str(path),
    )


def load_protocol(path: Path) -> Protocol:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolError(path, "-", f"cannot be read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProtocolError(path, "-", "is not UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(path, "-", f"is not valid TOML: {exc}") from exc
    return parse_protocol(data, path)


def load_protocols(folder: Path) -> dict[str, Protocol]:
    """Every ``*.toml`` in ``folder``, by protocol id. The first bad file stops the load."""
    protocols: dict[str, Protocol] = {}
    for path in sorted(folder.glob("*.toml")):
        protocol = load_protocol(path)
        if protocol.id in protocols:
            raise ProtocolError(path, "protocol.id", f"\"{protocol.id}\" is already used by "
                                f"{protocols[protocol.id].source}")
        protocols[protocol.id] = protocol
    if not protocols:
        raise ProtocolError(folder, "-", "holds no protocol files (*.toml)")
    return protocols
