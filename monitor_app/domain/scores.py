"""NEWS2 and the Modified Aldrete score, with their tables read from ``resources/scores``.

The only I/O is reading the TOML file a caller names; callers find it with
``paths.scores_dir()`` (the domain imports no project layer above it). A malformed
table raises ``ProtocolError(path, key, problem)``, like a malformed protocol.

NEWS2 uses SpO2 scale 1 only. Bands are half-open ``[lower, upper)``; a value below the
first band scores as the first band, one at or above the last upper edge as the last.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor_app.domain.models import ValidationError, Vitals
from monitor_app.domain.protocol import ProtocolError

if TYPE_CHECKING:
    from fractions import Fraction

NEWS2_PARAMETERS = ("rr", "spo2", "sbp", "hr", "temp_c")

Band = tuple[float, float, int]  # lower (inclusive), upper (exclusive), score


@dataclass(frozen=True)
class News2Table:
    """NEWS2's scoring bands and response levels, read from ``news2.toml``."""

    bands: dict[str, tuple[Band, ...]]
    supplemental_oxygen: int
    not_alert: int
    alert_moaas: int
    levels: tuple[tuple[int, str], ...]  # (lowest total, response), increasing
    single_parameter_score: int
    single_parameter_level: str


@dataclass(frozen=True)
class News2Result:
    """A NEWS2 score: the total, each parameter's part and the response."""

    total: int
    parts: dict[str, int]  # rr, spo2, oxygen, sbp, hr, consciousness, temp
    response: str
    single_parameter: bool  # some single parameter scored the "red" score (3)
    partial_temp: bool  # temperature not taken: scored 0


@dataclass(frozen=True)
class AldreteTable:
    """The Modified Aldrete score's thresholds and texts, read from ``aldrete.toml``."""

    circulation_2_within_pct: float
    circulation_1_within_pct: float
    consciousness_2_moaas_min: int
    consciousness_1_moaas_min: int
    spo2_2_above_on_air: float
    spo2_1_above: float
    activity: tuple[str, str, str]  # texts for scores 2, 1, 0
    respiration: tuple[str, str, str]


@dataclass(frozen=True)
class AldreteResult:
    """A Modified Aldrete score: the total and each item's score and reason."""

    total: int
    items: dict[str, tuple[int, str]]  # activity, respiration, circulation, consciousness, spo2


# --- loading -----------------------------------------------------------------------------

def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProtocolError(path, "-", f"cannot be read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProtocolError(path, "-", "is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(path, "-", f"is not valid TOML: {exc}") from exc


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Table:
    """One TOML table; every error names the file and the dotted key."""

    def __init__(self, path: Path, data: dict[str, Any], name: str, allowed: set[str]) -> None:
        self.path, self.name = path, name
        value = data.get(name)
        if not isinstance(value, dict):
            raise ProtocolError(path, name, "missing" if value is None else "expected a table")
        for key in value:
            if key not in allowed:
                raise self.error(key, f"unknown key (expected one of {', '.join(sorted(allowed))})")
        self.data = value

    def error(self, key: str, problem: str) -> ProtocolError:
        return ProtocolError(self.path, f"{self.name}.{key}", problem)

    def get(self, key: str, check: Any, expected: str) -> Any:
        if key not in self.data:
            raise self.error(key, "missing")
        if not check(self.data[key]):
            raise self.error(key, f"expected {expected}")
        return self.data[key]

    def number(self, key: str) -> float:
        return self.get(key, _is_number, "a number")

    def integer(self, key: str) -> int:
        return self.get(key, _is_int, "an integer")

    def text(self, key: str) -> str:
        return self.get(key, lambda v: isinstance(v, str) and v.strip() != "", "text")

    def choices(self, key: str) -> tuple[str, str, str]:
        value = self.get(key, lambda v: isinstance(v, list) and len(v) == 3
                         and all(isinstance(x, str) and x.strip() for x in v),
                         "three texts, for scores 2, 1 and 0")
        return (value[0], value[1], value[2])


def _unknown(path: Path, data: dict[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise ProtocolError(path, key, f"unknown table (expected {', '.join(sorted(allowed))})")


def _bands(table: _Table, key: str) -> tuple[Band, ...]:
    value = table.get(key, lambda v: isinstance(v, list) and len(v) > 0, "a list of bands")
    bands: list[Band] = []
    for index, band in enumerate(value):
        where = f"{key}[{index}]"
        if not (isinstance(band, list) and len(band) == 3 and _is_number(band[0])
                and _is_number(band[1]) and _is_int(band[2])):
            raise table.error(where, "expected [lower, upper, score]")
        lower, upper, score = band
        if lower >= upper:
            raise table.error(where, f"lower edge {lower} is not below upper edge {upper}")
        if not 0 <= score <= 3:
            raise table.error(where, f"score {score} is outside 0 to 3")
        if bands and lower != bands[-1][1]:
            raise table.error(where, f"starts at {lower}, but the band before ends at "
                              f"{bands[-1][1]} (bands must touch)")
        bands.append((lower, upper, score))
    return tuple(bands)


def load_news2(path: Path) -> News2Table:
    data = _read(path)
    _unknown(path, data, {"bands", "other", "response"})
    bands = _Table(path, data, "bands", set(NEWS2_PARAMETERS))
    other = _Table(path, data, "other", {"supplemental_oxygen", "not_alert", "alert_moaas"})
    response = _Table(path, data, "response",
                      {"levels", "single_parameter_score", "single_parameter_level"})
    raw_levels = response.get("levels", lambda v: isinstance(v, list) and len(v) > 0,
                              "a list of [lowest total, response]")
    levels: list[tuple[int, str]] = []
    for index, level in enumerate(raw_levels):
        if not (isinstance(level, list) and len(level) == 2 and _is_int(level[0])
                and isinstance(level[1], str) and level[1].strip()):
            raise response.error(f"levels[{index}]", "expected [lowest total, response]")
        if (levels and level[0] <= levels[-1][0]) or (not levels and level[0] != 0):
            raise response.error(f"levels[{index}]", "totals must start at 0 and increase")
        levels.append((level[0], level[1]))
    single_level = response.text("single_parameter_level")
    if single_level not in {text for _, text in levels}:
        raise response.error("single_parameter_level", f'"{single_level}" is not one of the '
                             "levels")
    return News2Table(
        bands={name: _bands(bands, name) for name in NEWS2_PARAMETERS},
        supplemental_oxygen=other.integer("supplemental_oxygen"),
        not_alert=other.integer("not_alert"),
        alert_moaas=other.integer("alert_moaas"),
        levels=tuple(levels),
        single_parameter_score=response.integer("single_parameter_score"),
        single_parameter_level=single_level,
    )


def load_aldrete(path: Path) -> AldreteTable:
    data = _read(path)
    _unknown(path, data, {"circulation", "consciousness", "oxygen", "activity", "respiration"})
    circulation = _Table(path, data, "circulation", {"score_2_within_pct", "score_1_within_pct"})
    consciousness = _Table(path, data, "consciousness", {"score_2_moaas_min", "score_1_moaas_min"})
    oxygen = _Table(path, data, "oxygen", {"score_2_spo2_above_on_air", "score_1_spo2_above"})
    activity = _Table(path, data, "activity", {"choices"})
    respiration = _Table(path, data, "respiration", {"choices"})
    within_2 = circulation.number("score_2_within_pct")
    within_1 = circulation.number("score_1_within_pct")
    if not 0 < within_2 < within_1:
        raise circulation.error("score_1_within_pct", "percentages must be above 0 and "
                                "score_2_within_pct below score_1_within_pct")
    awake = consciousness.integer("score_2_moaas_min")
    arousable = consciousness.integer("score_1_moaas_min")
    if not 0 <= arousable < awake:
        raise consciousness.error("score_1_moaas_min", "must be 0 or more and below "
                                  "score_2_moaas_min")
    return AldreteTable(
        circulation_2_within_pct=within_2,
        circulation_1_within_pct=within_1,
        consciousness_2_moaas_min=awake,
        consciousness_1_moaas_min=arousable,
        spo2_2_above_on_air=oxygen.number("score_2_spo2_above_on_air"),
        spo2_1_above=oxygen.number("score_1_spo2_above"),
        activity=activity.choices("choices"),
        respiration=respiration.choices("choices"),
    )


# --- NEWS2 -------------------------------------------------------------------------------

def _band_score(value: float, bands: tuple[Band, ...]) -> int:
    if value < bands[0][0]:
        return bands[0][2]
    for lower, upper, score in bands:
        if lower <= value < upper:
            return score
    return bands[-1][2]


def news2(vitals: Vitals, table: News2Table) -> News2Result | None:
    """NEWS2 for a full observation (RR, SpO2, SBP, HR, MOAA/S); ``None`` otherwise.

    A missing temperature scores 0 and sets ``partial_temp``.
    """
    rr, spo2, sbp, hr, moaas = vitals.rr, vitals.spo2, vitals.sbp, vitals.hr, vitals.moaas
    if rr is None or spo2 is None or sbp is None or hr is None or moaas is None:
        return None
    temp = vitals.temp_c
    parts = {
        "rr": _band_score(rr, table.bands["rr"]),
        "spo2": _band_score(spo2, table.bands["spo2"]),
        "oxygen": table.supplemental_oxygen if vitals.on_oxygen else 0,
        "sbp": _band_score(sbp, table.bands["sbp"]),
        "hr": _band_score(hr, table.bands["hr"]),
        "consciousness": 0 if moaas >= table.alert_moaas else table.not_alert,
        "temp": 0 if temp is None else _band_score(temp, table.bands["temp_c"]),
    }
    total = sum(parts.values())
    response = table.levels[0][1]
    rank = 0
    for index, (lowest, text) in enumerate(table.levels):
        if total >= lowest:
            response, rank = text, index
    single = any(score >= table.single_parameter_score for score in parts.values())
    if single:
        single_rank = [text for _, text in table.levels].index(table.single_parameter_level)
        if single_rank > rank:
            response = table.single_parameter_level
    return News2Result(total=total, parts=parts, response=response, single_parameter=single,
                       partial_temp=vitals.temp_c is None)


# --- Modified Aldrete --------------------------------------------------------------------

def _nurse_item(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2:
        raise ValidationError(name, f"{name} must be scored 0, 1 or 2")
    return value


def _pct_text(pct: Fraction) -> str:
    """Rounded up to 0.1, so a value just beyond a limit never reads as on it."""
    tenths = math.ceil(pct * 10)
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def _circulation(sbp: int, base: int, table: AldreteTable) -> tuple[int, str]:
    from fractions import Fraction  # here, not at start-up: fractions loads decimal

    diff = sbp - base
    pct = Fraction(abs(diff) * 100, base)
    direction = "above" if diff > 0 else "below"
    where = (f"SBP {sbp} equals baseline {base}" if diff == 0
             else f"SBP {sbp} is {_pct_text(pct)}% {direction} baseline {base}")
    within_2 = Fraction(table.circulation_2_within_pct)
    within_1 = Fraction(table.circulation_1_within_pct)
    two, one = _fmt(table.circulation_2_within_pct), _fmt(table.circulation_1_within_pct)
    if pct <= within_2:
        return 2, f"{where}: within {two} percent of baseline"
    if pct <= within_1:
        return 1, f"{where}: beyond {two}, within {one} percent of baseline"
    return 0, f"{where}: beyond {one} percent of baseline"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def aldrete(vitals: Vitals, baseline: Vitals | None, activity: int, respiration: int,
            table: AldreteTable) -> AldreteResult | None:
    """Modified Aldrete; ``None`` when SBP, SpO2, MOAA/S or the baseline SBP is missing.

    ``activity`` and ``respiration`` are the nurse's answers, 0 to 2.
    """
    activity = _nurse_item("activity", activity)
    respiration = _nurse_item("respiration", respiration)
    if (vitals.sbp is None or vitals.spo2 is None or vitals.moaas is None
            or baseline is None or baseline.sbp is None or baseline.sbp <= 0):
        return None
    moaas, spo2 = vitals.moaas, vitals.spo2
    if moaas >= table.consciousness_2_moaas_min:
        consciousness = (2, f"fully awake (MOAA/S {moaas})")
    elif moaas >= table.consciousness_1_moaas_min:
        consciousness = (1, f"arousable on calling (MOAA/S {moaas})")
    else:
        consciousness = (0, f"not responding (MOAA/S {moaas})")
    on_air, on_o2 = _fmt(table.spo2_2_above_on_air), _fmt(table.spo2_1_above)
    if not vitals.on_oxygen and spo2 > table.spo2_2_above_on_air:
        oxygen = (2, f"SpO2 {spo2}% on air (above {on_air}%)")
    elif vitals.on_oxygen and spo2 > table.spo2_1_above:
        oxygen = (1, f"SpO2 {spo2}% needs oxygen to stay above {on_o2}%")
    elif vitals.on_oxygen:
        oxygen = (0, f"SpO2 {spo2}% with oxygen (not above {on_o2}%)")
    else:
        oxygen = (0, f"SpO2 {spo2}% on air (not above {on_air}%)")
    items = {
        "activity": (activity, table.activity[2 - activity]),
        "respiration": (respiration, table.respiration[2 - respiration]),
        "circulation": _circulation(vitals.sbp, baseline.sbp, table),
        "consciousness": consciousness,
        "spo2": oxygen,
    }
    return AldreteResult(total=sum(score for score, _ in items.values()), items=items)
