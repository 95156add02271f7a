"""Shared builders for the clinical-rule tests: the shipped protocols, a fixed start
time and small factories for episodes and observations. Plain functions, no Qt."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from monitor_app.domain.discharge import ManualAnswer, evaluate_discharge
from monitor_app.domain.models import Episode, Observation, Phase, Vitals
from monitor_app.domain.protocol import Protocol, load_protocols

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # dosing starts here in most tests
NURSE = 7
GOOD_VITALS: dict[str, Any] = {
    "hr": 72, "sbp": 128, "dbp": 82, "spo2": 97, "rr": 14, "moaas": 5, "dissociation": 0,
}
_ids = itertools.count(1)


@cache
def protocols() -> dict[str, Protocol]:
    return load_protocols(ROOT / "resources" / "protocols")


def iv() -> Protocol:
    return protocols()["ketamine-iv"]


def esketamine() -> Protocol:
    return protocols()["esketamine-rems"]


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    """T0 plus minutes and seconds (negative: before dosing starts)."""
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def make_obs(minute: float, *, voided: bool = False, obs_id: int | None = None,
             **vitals: Any) -> Observation:
    """An observation taken ``minute`` minutes after T0 with the given vitals."""
    taken = at(minute)
    return Observation(
        id=obs_id if obs_id is not None else next(_ids),
        episode_id=1,
        taken_at=taken,
        entered_at=taken + timedelta(minutes=1),
        recorded_by=NURSE,
        vitals=Vitals(**vitals),
        voided_at=taken + timedelta(minutes=2) if voided else None,
        voided_by=NURSE if voided else None,
        void_reason="wrong patient" if voided else "",
    )


def good_obs(minute: float, **changes: Any) -> Observation:
    """An observation with every value inside the default discharge limits."""
    return make_obs(minute, **{**GOOD_VITALS, **changes})


def make_episode(protocol: Protocol | None = None, *, phase: Phase = Phase.RECOVERY,
                 start: float | None = 0, end: float | None = 40) -> Episode:
    """An episode whose dosing started ``start`` and ended ``end`` minutes after T0."""
    protocol = protocol or iv()
    return Episode(
        id=1,
        number="E-2026-00001",
        patient_id=1,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        chair="3",
        weight_kg=70.0,
        dose_mg=35.0,
        phase=phase,
        created_at=at(-45),
        created_by=NURSE,
        dosing_start=None if start is None else at(start),
        dosing_end=None if end is None else at(end),
    )


# --- discharge evaluation with the defaults above --------------------------------

BASELINE = Vitals(hr=76, sbp=126, dbp=80, spo2=98, rr=14, moaas=5, dissociation=0)


def all_confirmed(protocol):
    details = {"escort_name": "Sam Lee", "escort_phone": "555 0100",
               "next_appointment": "Monday 9:00"}
    return {item.key: ManualAnswer(True, details={d: details[d] for d in item.details})
            for item in protocol.manual}


def evaluate(protocol=None, *, observations=None, baseline=BASELINE, aldrete=10,
             manual=None, overrides=None, now=70, start=0, end=40):
    protocol = protocol or iv()
    if observations is None:
        observations = [good_obs(45), good_obs(60)]
    return evaluate_discharge(
        protocol, make_episode(protocol, phase=Phase.RECOVERY, start=start, end=end),
        observations, baseline, aldrete,
        all_confirmed(protocol) if manual is None else manual,
        overrides or {}, at(now) if isinstance(now, (int, float)) else now,
    )


def criterion(result, key):
    return next(c for c in result.criteria if c.key == key)


def latest(minute=60, **changes):
    """The default observations with the latest one changed."""
    return [good_obs(45), good_obs(minute, **changes)]
