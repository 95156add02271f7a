"""Rules for one observation: parse what the nurse typed, check the time, raise alerts.

Pure functions, no I/O. Every number comes from the protocol: ``plausible`` limits refuse
a physically impossible value (``ValidationError``); the ``flag_*`` limits accept a
concerning value and raise an ``Alert``.

Digits: any script's decimal digits (Unicode category Nd, e.g. Arabic-Indic ``١٢٠``) are
accepted and normalised to ASCII, because a keyboard layout can produce them and the
stored and echoed value is plain ASCII; a number that mixes digits from two scripts is
refused. Superscripts, fractions and other digit-like symbols are refused. Temperature
takes ``.`` or ``,`` (or the Arabic ``٫``) as decimal point. Invisible and control
characters are refused in numbers; notes may hold line breaks and tabs only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from monitor_app.domain.models import SIDE_EFFECTS, Alert, AlertDirection, ValidationError, Vitals
from monitor_app.domain.protocol import FieldLimits, Protocol
from monitor_app.domain.text import clean_text
from monitor_app.domain.units import c_to_f
from monitor_app.domain.vital_fields import VITAL_FIELDS

LABELS = {
    **{f.key: f.label for f in VITAL_FIELDS},
    "side_effects": "side effects",
    "note": "note",
    "missing_reason": "reason for missing values",
}
# Values a full observation holds; temperature is optional (CLINICAL.md section 2).
EXPECTED = ("hr", "bp", "spo2", "rr", "moaas", "dissociation")

_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"([+-]?)([0-9]+)(?:[.,٫]([0-9]*))?")
_BP = re.compile(r"([0-9]+)\s*/\s*([0-9]+)")
_ALLOWED_IN_NUMBER = " \t\n\r"
_MAX_DIGITS = 6  # longer (after leading zeros) is outside any plausible range


def parse_observation(raw: Mapping[str, object], protocol: Protocol) -> Vitals:
    """Turn the form's values into ``Vitals``, or raise ``ValidationError`` for the field.

    Empty, whitespace-only or missing keys mean "not taken". Keys other than the form's
    fields are ignored.
    """
    limits = protocol.limits
    hr = _whole(raw, "hr", limits["hr"])
    sbp, dbp = _blood_pressure(raw, limits["sbp"], limits["dbp"])
    spo2 = _whole(raw, "spo2", limits["spo2"])
    rr = _whole(raw, "rr", limits["rr"])
    temp_c = _temperature(raw, limits["temp_c"])
    on_oxygen = raw.get("on_oxygen")
    if on_oxygen is None:
        on_oxygen = False
    if not isinstance(on_oxygen, bool):
        raise ValidationError("on_oxygen", "supplemental oxygen must be yes or no")
    moaas = _whole(raw, "moaas", limits["moaas"])
    dissociation = _whole(raw, "dissociation", limits["dissociation"])
    side_effects = _side_effects(raw.get("side_effects"))
    note = _free_text(raw, "note")
    missing_reason = _free_text(raw, "missing_reason")

    values = {"hr": hr, "bp": sbp, "spo2": spo2, "rr": rr, "moaas": moaas,
              "dissociation": dissociation}
    if temp_c is None and all(v is None for v in values.values()):
        raise ValidationError("hr", "enter at least one value")
    missing = [LABELS[key] for key in EXPECTED if values[key] is None]
    if missing and not missing_reason:
        verb = "is" if len(missing) == 1 else "are"
        raise ValidationError("missing_reason", f"say why {_join(missing)} {verb} missing")
    return Vitals(hr=hr, sbp=sbp, dbp=dbp, spo2=spo2, rr=rr, temp_c=temp_c,
                  on_oxygen=on_oxygen, moaas=moaas, dissociation=dissociation,
                  side_effects=side_effects, note=note, missing_reason=missing_reason)


def validate_taken_at(taken_at: datetime, not_before: datetime | None, now: datetime) -> None:
    """Refuse a clinical time after ``now`` or before the episode started (both allowed)."""
    if taken_at.tzinfo is None or taken_at.utcoffset() is None:
        raise ValidationError("taken_at", "time taken has no time zone")
    if taken_at > now:
        raise ValidationError("taken_at", "time taken is in the future")
    if not_before is not None and taken_at < not_before:
        raise ValidationError("taken_at", "time taken is before the episode started")


# --- alerts -----------------------------------------------------------------------------

# protocol field -> (form key, label, code when high, code when low)
_ALERT_FIELDS: dict[str, tuple[str, str, str, str]] = {
    "hr": ("hr", "HR", "hr_high", "hr_low"),
    "sbp": ("bp", "SBP", "hypertension", "hypotension"),
    "dbp": ("bp", "DBP", "hypertension", "hypotension"),
    "spo2": ("spo2", "SpO2", "spo2_high", "spo2_low"),
    "rr": ("rr", "RR", "rr_high", "rr_low"),
    "temp_c": ("temp", "Temp", "temp_high", "temp_low"),
    "moaas": ("moaas", "MOAA/S", "moaas_high", "sedation"),
    "dissociation": ("dissociation", "Dissociation", "dissociation", "dissociation_low"),
}


def alerts_for(vitals: Vitals, protocol: Protocol, baseline: Vitals | None,
               temp_unit: str = "C") -> list[Alert]:
    """Every flag the protocol raises for these values, in form order.

    A rise from baseline (``flag_rise_from_baseline``) counts when the rise is at or
    above the limit. SBP and DBP alerts share the code ``hypertension``, one per reason.
    A temperature's message is written in the clinic's unit (``temp_unit`` "C" or "F");
    its ``value`` and ``limit`` stay in degrees C, as stored.
    """
    alerts: list[Alert] = []
    for name, (key, label, high_code, low_code) in _ALERT_FIELDS.items():
        value = getattr(vitals, name)
        if value is None:
            continue
        lim = protocol.limits[name]
        for limit, high, word in ((lim.flag_at_or_above, True, "at or above"),
                                  (lim.flag_above, True, "above"),
                                  (lim.flag_at_or_below, False, "at or below"),
                                  (lim.flag_below, False, "below")):
            if limit is None or not _beyond(value, limit, word):
                continue
            alerts.append(Alert(high_code if high else low_code, key,
                                f"{label} {_shown(value, name, temp_unit)} {word} "
                                f"{_shown(limit, name, temp_unit)}", label, value,
                                AlertDirection.HIGH if high else AlertDirection.LOW, limit))
        rise_alert = _rise(name, value, lim, baseline)
        if rise_alert is not None:
            alerts.append(rise_alert)
    return alerts


def _shown(number: float, name: str, temp_unit: str) -> str:
    """A value or limit as an alert's message writes it (only flagged ones are)."""
    if name == "temp_c" and temp_unit == "F":
        return f"{c_to_f(number):.1f} °F"
    return _fmt(number, name)


def _rise(name: str, value: float, lim: FieldLimits, baseline: Vitals | None) -> Alert | None:
    if lim.flag_rise_from_baseline is None or baseline is None:
        return None
    base = getattr(baseline, name)
    if base is None:
        return None
    key, label, high_code, _ = _ALERT_FIELDS[name]
    rise = value - base
    if rise < lim.flag_rise_from_baseline:
        return None
    return Alert(high_code, key, f"{label} rose {_fmt(rise, name)} from baseline "
                 f"{_fmt(base, name)} (limit {_fmt(lim.flag_rise_from_baseline, name)})",
                 label, value, AlertDirection.RISE, lim.flag_rise_from_baseline)


def _beyond(value: float, limit: float, word: str) -> bool:
    if word == "at or above":
        return value >= limit
    if word == "above":
        return value > limit
    if word == "at or below":
        return value <= limit
    return value < limit  # "below"


# Most dangerous first: what the board names when a patient has several flags. A code
# not listed ranks after every listed one.
ALERT_SEVERITY = ("spo2_low", "sedation", "rr_low", "hypotension", "hypertension", "hr_low",
                  "hr_high", "rr_high", "temp_high", "temp_low", "dissociation", "spo2_high",
                  "moaas_high", "dissociation_low", "predose_caution")


def worst_alert(alerts: Sequence[Alert]) -> Alert | None:
    """The most severe alert (the first listed of equally severe ones), or None."""
    rank = {code: i for i, code in enumerate(ALERT_SEVERITY)}
    return min(alerts, key=lambda a: rank.get(a.code, len(rank)), default=None)


def alert_value_text(alert: Alert) -> str:
    """'SBP 182': the value that raised the alert, or its message when it has none."""
    if alert.value is None or not alert.label:
        return alert.message
    name = next((n for n, f in _ALERT_FIELDS.items() if f[1] == alert.label), "")
    return f"{alert.label} {_fmt(alert.value, name)}"


def predose_caution(baseline: Vitals, protocol: Protocol) -> Alert | None:
    """A baseline BP strictly above the protocol's pre-dose limits needs acknowledgement."""
    if baseline.sbp is None or baseline.dbp is None:
        return None
    sbp_limit, dbp_limit = protocol.predose_sbp_above, protocol.predose_dbp_above
    if baseline.sbp > sbp_limit or baseline.dbp > dbp_limit:
        return Alert("predose_caution", "bp",
                     f"baseline BP {baseline.bp_text} above {sbp_limit}/{dbp_limit}: "
                     "a prescriber acknowledges before dosing starts",
                     direction=AlertDirection.HIGH)
    return None


# --- parsing helpers ----------------------------------------------------------------------

def _text(raw: Mapping[str, object], key: str, kind: str) -> str | None:
    """The field as stripped number text with ASCII digits, or None when not taken."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationError(key, f"{LABELS[key]} must be {kind}")
    if isinstance(value, int) and abs(value) >= 10**_MAX_DIGITS:
        value = f"{'-' if value < 0 else ''}{'9' * (_MAX_DIGITS + 1)}"  # str() may refuse it
    text = str(value)
    if text.isascii() and text.isprintable():  # typed digits: nothing to check or map
        return text.strip() or None
    for char in text:
        if char in _ALLOWED_IN_NUMBER:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise ValidationError(key, f"{LABELS[key]} contains an invisible or control "
                                  "character")
    text = text.strip()
    return _ascii_digits(text, key) if text else None


def _ascii_digits(text: str, key: str) -> str:
    zeros: set[int] = set()
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            if char.isdigit():
                zeros.add(ord("0"))
        elif unicodedata.category(char) == "Nd":
            digit = unicodedata.decimal(char)
            zeros.add(ord(char) - digit)
            out.append(str(digit))
        else:
            out.append(char)
    if len(zeros) > 1:
        raise ValidationError(key, f"{LABELS[key]} mixes digits from different scripts")
    return "".join(out)


def _whole(raw: Mapping[str, object], key: str, lim: FieldLimits) -> int | None:
    text = _text(raw, key, "a whole number")
    if text is None:
        return None
    if not _INT.fullmatch(text):
        raise ValidationError(key, f"{LABELS[key]} must be a whole number")
    return _in_range(key, text, lim)


def _in_range(key: str, text: str, lim: FieldLimits) -> int:
    """``text`` is a signed run of ASCII digits; return it as int if plausible."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").lstrip("0") or "0"
    low, high = lim.plausible
    if len(digits) > _MAX_DIGITS:
        raise ValidationError(key, f"{LABELS[key]} is far outside {_span(low, high)}")
    value = sign * int(digits)
    if not low <= value <= high:
        raise ValidationError(key, f"{LABELS[key]} {value} is outside {_span(low, high)}")
    return value


def _span(low: float, high: float) -> str:
    return f"{_fmt(low)} to {_fmt(high)}"


def _blood_pressure(raw: Mapping[str, object], sbp_lim: FieldLimits, dbp_lim: FieldLimits
                    ) -> tuple[int | None, int | None]:
    text = _text(raw, "bp", "typed as systolic/diastolic")
    if text is None:
        return None, None
    match = _BP.fullmatch(text)
    if match is None:
        raise ValidationError("bp", "blood pressure must be typed as systolic/diastolic, "
                              "e.g. 128/84")
    sbp = _bp_part("systolic", match.group(1), sbp_lim)
    dbp = _bp_part("diastolic", match.group(2), dbp_lim)
    if sbp <= dbp:
        raise ValidationError("bp", "systolic must be higher than diastolic")
    return sbp, dbp


def _bp_part(label: str, digits: str, lim: FieldLimits) -> int:
    try:
        return _in_range("bp", digits, lim)
    except ValidationError as exc:  # re-word "blood pressure 350" as "systolic 350"
        raise ValidationError("bp", exc.message.replace(LABELS["bp"], label, 1)) from None


def _temperature(raw: Mapping[str, object], lim: FieldLimits) -> float | None:
    text = _text(raw, "temp", "a number")
    if text is None:
        return None
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise ValidationError("temp", "temperature must be a number in degrees C, e.g. 36.8")
    sign, whole, tenths = match.groups()
    if tenths is not None and len(tenths) > 1:
        raise ValidationError("temp", "temperature has at most one decimal")
    low, high = lim.plausible
    span = f"{_fmt(low, 'temp_c')} to {_fmt(high, 'temp_c')} degrees C"
    whole = whole.lstrip("0") or "0"
    if len(whole) > _MAX_DIGITS:
        raise ValidationError("temp", f"temperature is far outside {span}")
    value = round(float(f"{sign}{whole}.{tenths or 0}"), 1)
    if not low <= value <= high:
        raise ValidationError("temp", f"temperature {value:.1f} is outside {span}")
    return value


def _side_effects(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise ValidationError("side_effects", "side effects must be a list of names")
    known = {name.casefold(): name for name in SIDE_EFFECTS}
    chosen: set[str] = set()
    for item in value:
        if not isinstance(item, str):
            raise ValidationError("side_effects", "side effects must be a list of names")
        name = known.get(item.strip().casefold())
        if name is None:
            raise ValidationError("side_effects", f'unknown side effect "{_preview(item)}" '
                                  f"(expected {_join(list(SIDE_EFFECTS), 'or')})")
        chosen.add(name)
    return tuple(name for name in SIDE_EFFECTS if name in chosen)


def _free_text(raw: Mapping[str, object], key: str) -> str:
    return clean_text(raw.get(key), key, LABELS[key], required=False, multiline=True)


def _preview(text: str, size: int = 40) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text[:size])
    return shown + ("…" if len(text) > size else "")


def _join(words: list[str], last: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _fmt(value: float, name: str = "") -> str:
    """Integers as integers; temperature always with one decimal."""
    if name == "temp_c":
        return f"{value:.1f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}"
