"""REMS answers the record can contradict: a "no" that an observation says was "yes".

Pure. The limits come from the protocol: sedation is any MOAA/S below the discharge
criterion's ``moaas_min`` (5 when the protocol has no sedation criterion), dissociation
any score above 0, respiratory depression a respiratory rate or SpO2 below the
protocol's flag limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import tzinfo

from monitor_app.domain.models import Observation
from monitor_app.domain.protocol import Protocol, RemsField

ALERT_MOAAS = 5  # "responds readily to name spoken in normal tone"


def _first(observations: Iterable[Observation],
           test: Callable[[Observation], bool]) -> Observation | None:
    return next((o for o in sorted(observations, key=lambda o: o.taken_at)
                 if not o.voided and test(o)), None)


def contradiction(field: RemsField, answer: str, protocol: Protocol,
                  observations: Iterable[Observation], tz: tzinfo) -> str:
    """Why ``answer`` cannot stand ("" when it can): names the observation, its local time
    and value. Only a "no" to a question with a ``check`` is ever contradicted."""
    if not field.check or answer.strip().lower() != "no":
        return ""
    observations = list(observations)
    if field.check == "sedation":
        floor = int(protocol.criteria.get("sedation", {}).get("moaas_min", ALERT_MOAAS))
        obs = _first(observations, lambda o: o.vitals.moaas is not None
                     and o.vitals.moaas < floor)
        if obs is not None:
            return _refusal(field, obs, tz, f"MOAA/S {obs.vitals.moaas} (below {floor})")
    elif field.check == "dissociation":
        obs = _first(observations, lambda o: o.vitals.dissociation is not None
                     and o.vitals.dissociation > 0)
        if obs is not None:
            return _refusal(field, obs, tz, f"dissociation score {obs.vitals.dissociation}")
    elif field.check == "respiratory_depression":
        rr_low = protocol.limits["rr"].flag_below
        spo2_low = protocol.limits["spo2"].flag_below
        obs = _first(observations, lambda o: (
            (rr_low is not None and o.vitals.rr is not None and o.vitals.rr < rr_low)
            or (spo2_low is not None and o.vitals.spo2 is not None
                and o.vitals.spo2 < spo2_low)))
        if obs is not None:
            v = obs.vitals
            parts = []
            if rr_low is not None and v.rr is not None and v.rr < rr_low:
                parts.append(f"respiratory rate {v.rr}/min (below {rr_low:g})")
            if spo2_low is not None and v.spo2 is not None and v.spo2 < spo2_low:
                parts.append(f"SpO2 {v.spo2}% (below {spo2_low:g})")
            return _refusal(field, obs, tz, " and ".join(parts))
    return ""


def _refusal(field: RemsField, obs: Observation, tz: tzinfo, finding: str) -> str:
    when = obs.taken_at.astimezone(tz).strftime("%H:%M")
    return (f"{field.label}: \"no\" contradicts the observation at {when}: {finding}. "
            "Answer yes, or correct that observation first")
