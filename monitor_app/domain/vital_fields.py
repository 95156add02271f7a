"""The one table of the vitals an observation holds: form key, the ``Vitals``
attributes (and protocol limits) behind it, label, short name, unit and how it is
written. The entry form, the table, the board, the sheet, the monitor feed and the
exports read it; the FHIR codes (``resources/fhir/codes.toml``) name its attributes.

The attribute ``temp_c`` is entered and shown under the form key ``temp``: that mapping
is made here and nowhere else (``FORM_KEY``).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor_app.domain.models import Vitals


@dataclass(frozen=True)
class VitalField:
    """One vital sign as every screen, sheet and export names, writes and reads it."""

    key: str  # the form key and objectName: "hr", "bp", "temp"
    attrs: tuple[str, ...]  # Vitals attributes and protocol limit names behind it
    label: str  # in sentences: "heart rate"
    short: str  # in tables and alerts: "HR"
    unit: str  # as stored: "/min", "mmHg", "%", "°C"
    decimals: int = 0  # digits after the point when written

    def text(self, vitals: Vitals) -> str:
        """The value as the station writes it ("132/84", "36.8"), "" when not taken."""
        values = [getattr(vitals, a) for a in self.attrs]
        if any(v is None for v in values):
            return ""
        return "/".join(f"{v:.{self.decimals}f}" if self.decimals else str(v)
                        for v in values)


VITAL_FIELDS: tuple[VitalField, ...] = (
    VitalField("hr", ("hr",), "heart rate", "HR", "/min"),
    VitalField("bp", ("sbp", "dbp"), "blood pressure", "BP", "mmHg"),
    VitalField("spo2", ("spo2",), "SpO2", "SpO2", "%"),
    VitalField("rr", ("rr",), "respiratory rate", "RR", "/min"),
    VitalField("temp", ("temp_c",), "temperature", "Temp", "°C", decimals=1),
    VitalField("moaas", ("moaas",), "MOAA/S", "MOAA/S", ""),
    VitalField("dissociation", ("dissociation",), "dissociation", "Dissociation", ""),
)
BY_KEY = {f.key: f for f in VITAL_FIELDS}
FORM_KEY = {attr: f.key for f in VITAL_FIELDS for attr in f.attrs}  # "temp_c" -> "temp"


def form_key(name: str) -> str:
    """The form key of a Vitals attribute or protocol limit ("sbp" -> "bp"); a form
    key or any other name is returned as it is."""
    return FORM_KEY.get(name, name)


WHOLE_NUMBER_KEYS = ("hr", "spo2", "rr", "moaas", "dissociation")
_SPACES = " \t\r\n"


def typing_problem(key: str, text: str, scale: tuple[float, float] | None = None
                   ) -> str | None:
    """What is wrong with ``text`` typed so far into a whole-number field, for a message
    beside it while the nurse types (None: nothing yet). Digits of any script pass, as
    the parser takes them. ``scale``: the range of a short scale (MOAA/S, dissociation),
    checked as soon as it is typed; longer ranges are checked on save, since "1" on the
    way to "120" is no error."""
    if key not in WHOLE_NUMBER_KEYS:
        return None
    short = BY_KEY[key].short
    value = text.strip(_SPACES)
    if not value:
        return None
    if not value.isdecimal():
        if "/" in value:
            return f"{short} takes one whole number: only BP is typed as systolic/diastolic"
        return f"{short} takes a whole number"
    if scale is not None:
        low, high = (int(v) for v in scale)
        if not low <= int(value) <= high:
            return f"{short} is {low} to {high}: {value} is not on the scale"
    return None
