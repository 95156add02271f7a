"""Is the patient ready to go home? Pure: ``now`` is always a parameter.

Every number comes from the protocol's ``[discharge.*]`` tables; this module holds only
the wording. Observation-based criteria look at observations taken after dosing start
(the ones at or before it are baseline and say nothing about recovery); "latest" is the
latest such non-voided observation that has the value in question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from monitor_app.domain.models import Episode, Observation, ValidationError, Vitals
from monitor_app.domain.protocol import Protocol

LABELS: dict[str, str] = {
    "minimum_observation": "Minimum observation time",
    "blood_pressure": "Blood pressure",
    "heart_rate": "Heart rate",
    "oxygen_saturation": "Oxygen saturation",
    "respiratory_rate": "Respiratory rate",
    "sedation": "Sedation (MOAA/S)",
    "dissociation": "Dissociation",
    "no_nausea": "No nausea or vomiting",
    "aldrete": "Modified Aldrete score",
}
MET, NOT_MET, UNKNOWN, NOT_APPLICABLE = "met", "not_met", "unknown", "not_applicable"


@dataclass(frozen=True)
class ManualAnswer:
    confirmed: bool = False
    not_applicable: bool = False
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Override:
    criterion: str
    reason: str
    prescriber_id: int


@dataclass(frozen=True)
class CriterionResult:
    key: str
    label: str
    status: str  # "met" | "not_met" | "unknown"
    value: str  # what the record shows: "BP 138/86"
    detail: str  # the limit behind it: "within 20% of baseline 126/80"
    override: Override | None = None
    not_overridable: str = ""  # why no override is allowed ("" when one is)

    @property
    def overridden(self) -> bool:
        return self.override is not None

    @property
    def ok(self) -> bool:
        return self.status == MET or self.overridden


@dataclass(frozen=True)
class ManualResult:
    key: str
    label: str
    status: str  # "met" | "not_applicable" | "not_met"
    detail: str  # "" when met; otherwise what is missing
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in (MET, NOT_APPLICABLE)


@dataclass(frozen=True)
class DischargeEvaluation:
    criteria: tuple[CriterionResult, ...]
    manual: tuple[ManualResult, ...]
    ready: bool
    blocking: tuple[str, ...]  # why not ready, one line each, in display order


def validate_override(override: Override, protocol: Protocol | None = None) -> None:
    """An override needs a written reason, a prescriber and (given a protocol) a
    criterion that protocol has and allows to be overridden."""
    if protocol is not None:
        check_overridable(override.criterion, protocol)
    if not override.reason.strip():
        raise ValidationError("reason", "an override needs a written reason")
    if not override.prescriber_id or override.prescriber_id <= 0:
        raise ValidationError("prescriber", "choose the authorising prescriber")


def check_overridable(criterion: str, protocol: Protocol) -> None:
    """Refuse a criterion the protocol lacks or does not allow to be overridden."""
    if criterion not in protocol.criteria:
        raise ValidationError("criterion", f"\"{criterion}\" is not an automatic "
                              f"criterion of {protocol.name}")
    because = protocol.not_overridable.get(criterion)
    if because is not None:
        label = LABELS.get(criterion, criterion.replace("_", " "))
        raise ValidationError("criterion", f"{label} cannot be overridden: {because}")


def evaluate_discharge(
    protocol: Protocol,
    episode: Episode,
    observations: Iterable[Observation],
    baseline: Vitals | None,
    aldrete_total: int | None,
    manual: Mapping[str, ManualAnswer],
    overrides: Mapping[str, Override],
    now: datetime,
) -> DischargeEvaluation:
    """Every automatic criterion of the protocol (file order) and every manual item.

    ``observations`` may include voided ones (ignored). ``overrides`` is keyed by
    criterion; one without a reason or a prescriber counts for nothing.
    """
    criteria = list(_criteria(protocol, episode, observations, baseline, aldrete_total,
                              overrides, now))
    manual_results = [_manual(item.key, item.label, item.details, item.allow_na,
                              manual.get(item.key)) for item in protocol.manual]
    blocking = [_blocking(c) for c in criteria if not c.ok]
    blocking += [f"{m.label}: {m.detail}" for m in manual_results if not m.ok]
    return DischargeEvaluation(tuple(criteria), tuple(manual_results), not blocking,
                               tuple(blocking))


def automatic_criteria_ok(protocol: Protocol, episode: Episode,
                          observations: Iterable[Observation], baseline: Vitals | None,
                          aldrete_total: int | None, overrides: Mapping[str, Override],
                          now: datetime) -> bool:
    """Every automatic criterion of ``evaluate_discharge`` met or overridden, an Aldrete
    not scored yet aside; stops at the first that is not (what a save needs to know)."""
    return all(c.ok or (c.key == "aldrete" and c.status == UNKNOWN) for c in _criteria(
        protocol, episode, observations, baseline, aldrete_total, overrides, now))


def _criteria(protocol: Protocol, episode: Episode, observations: Iterable[Observation],
              baseline: Vitals | None, aldrete_total: int | None,
              overrides: Mapping[str, Override], now: datetime) -> Iterator[CriterionResult]:
    """The automatic criteria in the protocol's file order, each worked out when asked."""
    context = _Context(protocol, episode, observations, baseline, aldrete_total, now)
    for key, params in protocol.criteria.items():
        check = _CHECKS.get(key)
        if check is None:
            status, value, detail = UNKNOWN, "", "not evaluated by this version"
        else:
            status, value, detail = check(context, params)
        override = overrides.get(key)
        if override is not None and not _valid(override, key, protocol):
            override = None  # without reason or prescriber, or not allowed: counts for nothing
        yield CriterionResult(key, LABELS.get(key, key.replace("_", " ")), status, value,
                              detail, override, protocol.not_overridable.get(key, ""))


def _valid(override: Override, key: str, protocol: Protocol) -> bool:
    try:
        validate_override(override, protocol)
    except ValidationError:
        return False
    return override.criterion == key


def _blocking(result: CriterionResult) -> str:
    if result.status == UNKNOWN:
        return f"{result.label}: cannot tell yet ({result.value})"
    locked = "; cannot be overridden" if result.not_overridable else ""
    return f"{result.label}: {result.value} (needs {result.detail}{locked})"


def _manual(key: str, label: str, wanted: tuple[str, ...], allow_na: bool,
            answer: ManualAnswer | None) -> ManualResult:
    if answer is None:
        return ManualResult(key, label, NOT_MET, "not confirmed")
    details = dict(answer.details)
    if answer.not_applicable:
        if allow_na:
            return ManualResult(key, label, NOT_APPLICABLE, "", details)
        if not answer.confirmed:
            return ManualResult(key, label, NOT_MET, "cannot be marked not applicable",
                                details)
    if not answer.confirmed:
        return ManualResult(key, label, NOT_MET, "not confirmed", details)
    missing = [d.replace("_", " ") for d in wanted if not details.get(d, "").strip()]
    if missing:
        return ManualResult(key, label, NOT_MET, "missing " + ", ".join(missing), details)
    return ManualResult(key, label, MET, "", details)


# --- the automatic criteria ------------------------------------------------------

Result = tuple[str, str, str]  # status, value, detail


@dataclass(frozen=True)
class _Context:
    protocol: Protocol
    episode: Episode
    observations: Iterable[Observation]
    baseline: Vitals | None
    aldrete_total: int | None
    now: datetime

    @cached_property
    def recent(self) -> list[Observation]:
        """After dosing start, non-voided, latest first; sorted only for a criterion
        that reads observations (a save stops at the first criterion not met)."""
        start = self.episode.dosing_start
        if start is None:
            return []
        return sorted((o for o in self.observations if not o.voided and o.taken_at > start),
                      key=lambda o: (o.taken_at, o.id), reverse=True)

    def latest(self, has: Callable[[Vitals], bool]) -> Vitals | None:
        return next((o.vitals for o in self.recent if has(o.vitals)), None)

    @property
    def none_yet(self) -> str:
        if self.episode.dosing_start is None:
            return f"{self.protocol.dosing_label} not started"
        return f"no observation since {self.protocol.dosing_label} started"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _met(ok: bool) -> str:
    return MET if ok else NOT_MET


def _minimum_observation(c: _Context, p: Mapping[str, Any]) -> Result:
    dosing = c.protocol.dosing_label
    if p["from"] == "dosing_start":
        anchor, since = c.episode.dosing_start, f"start of {dosing}"
    else:
        anchor, since = c.episode.dosing_end, f"end of {dosing}"
    detail = f"minimum {p['minutes']} min"
    if anchor is None:
        return UNKNOWN, f"no {since} yet", detail
    elapsed = c.now - anchor
    shown = max(0, elapsed // timedelta(minutes=1))
    return (_met(elapsed >= timedelta(minutes=p["minutes"])),
            f"{shown} min since {since}", detail)


def _blood_pressure(c: _Context, p: Mapping[str, Any]) -> Result:
    """Within pct of baseline; a RISE beyond it passes only below the ceiling; a fall
    beyond it, or a systolic under the floor, never passes."""
    pct, low_s, low_d, floor = (p["within_pct_of_baseline"], p["or_below_sbp"],
                                p["or_below_dbp"], p["min_sbp"])
    base = c.baseline
    base_text = f" {base.bp_text}" if base is not None and base.bp_text else ""
    detail = (f"within {_num(pct)}% of baseline{base_text}, or a rise below "
              f"{low_s}/{low_d}; SBP at least {floor}")
    latest = c.latest(lambda v: v.sbp is not None and v.dbp is not None)
    if latest is None or latest.sbp is None or latest.dbp is None:
        return UNKNOWN, c.none_yet, detail
    value = f"BP {latest.bp_text}"
    sbp, dbp = latest.sbp, latest.dbp
    if sbp < floor:
        return NOT_MET, f"{value}: SBP below {floor}", detail
    if base is None or base.sbp is None or base.dbp is None:
        return UNKNOWN, f"{value}, no baseline BP", detail
    base_sbp, base_dbp = base.sbp, base.dbp
    fell = [f"{name} {_num(round(100 * (b - v) / b))}% below baseline"
            for name, v, b in (("SBP", sbp, base_sbp), ("DBP", dbp, base_dbp))
            if (b - v) * 100 > pct * b]
    if fell:
        return NOT_MET, f"{value}: " + ", ".join(fell), detail
    within = (abs(sbp - base_sbp) * 100 <= pct * base_sbp
              and abs(dbp - base_dbp) * 100 <= pct * base_dbp)
    if within or (sbp < low_s and dbp < low_d):
        return MET, value, detail
    return NOT_MET, f"{value}: rose beyond {_num(pct)}% and not below {low_s}/{low_d}", detail


def _range(field: str, name: str) -> Callable[[_Context, Mapping[str, Any]], Result]:
    def check(c: _Context, p: Mapping[str, Any]) -> Result:
        detail = f"{p['min']} to {p['max']}"
        latest = c.latest(lambda v: getattr(v, field) is not None)
        if latest is None:
            return UNKNOWN, c.none_yet, detail
        value = getattr(latest, field)
        return _met(p["min"] <= value <= p["max"]), f"{name} {value}", detail
    return check


def _oxygen_saturation(c: _Context, p: Mapping[str, Any]) -> Result:
    detail = f"at least {p['min']}%" + (" on air" if p["on_air"] else "")
    latest = c.latest(lambda v: v.spo2 is not None)
    if latest is None:
        return UNKNOWN, c.none_yet, detail
    value = f"SpO2 {latest.spo2}% " + ("on oxygen" if latest.on_oxygen else "on air")
    ok = latest.spo2 >= p["min"] and not (p["on_air"] and latest.on_oxygen)
    return _met(ok), value, detail


def _sedation(c: _Context, p: Mapping[str, Any]) -> Result:
    detail = f"MOAA/S at least {p['moaas_min']}"
    latest = c.latest(lambda v: v.moaas is not None)
    if latest is None:
        return UNKNOWN, c.none_yet, detail
    return _met(latest.moaas >= p["moaas_min"]), f"MOAA/S {latest.moaas}", detail


def _dissociation(c: _Context, p: Mapping[str, Any]) -> Result:
    count, top = p["latest_count"], p["max"]
    detail = f"at most {top} on the latest {count} observations"
    values = [o.vitals.dissociation for o in c.recent if o.vitals.dissociation is not None]
    values = values[:count]
    if not values:
        return UNKNOWN, c.none_yet, detail
    shown = ", ".join(str(v) for v in reversed(values))  # oldest first, as charted
    if len(values) < count:
        return UNKNOWN, f"only {len(values)} rated ({shown})", detail
    return _met(all(v <= top for v in values)), f"dissociation {shown}", detail


def _no_nausea(c: _Context, p: Mapping[str, Any]) -> Result:
    symptoms = list(p["symptoms"])
    detail = "none of " + ", ".join(symptoms) + " on the latest observation"
    if not c.recent:
        return UNKNOWN, c.none_yet, detail
    present = [s for s in symptoms if s in c.recent[0].vitals.side_effects]
    if present:
        return NOT_MET, ", ".join(present), detail
    return MET, "none reported", detail


def _aldrete(c: _Context, p: Mapping[str, Any]) -> Result:
    detail = f"at least {p['min']}"
    if c.aldrete_total is None:
        return UNKNOWN, "not scored", detail
    return _met(c.aldrete_total >= p["min"]), f"Aldrete {c.aldrete_total}", detail


_CHECKS: dict[str, Callable[[_Context, Mapping[str, Any]], Result]] = {
    "minimum_observation": _minimum_observation,
    "blood_pressure": _blood_pressure,
    "heart_rate": _range("hr", "HR"),
    "oxygen_saturation": _oxygen_saturation,
    "respiratory_rate": _range("rr", "RR"),
    "sedation": _sedation,
    "dissociation": _dissociation,
    "no_nausea": _no_nausea,
    "aldrete": _aldrete,
}
