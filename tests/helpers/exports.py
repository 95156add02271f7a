"""A signed IV episode with every kind of value an export must carry: a correction, a
voided set, a temperature and supplemental oxygen. Plain functions over ``World``
(the ``world`` fixture is in tests/reports/conftest.py)."""

from __future__ import annotations

from monitor_app.domain.models import Episode, Observation
from tests.helpers.world import (
    NURSE_PIN,
    World,
    answer_everything,
    good,
    open_iv,
    to_ready,
)

VOID_REASON = "wrong chair: this was chair 2's patient"
CORRECTION_REASON = "typed 180/110 for 130/84"


def signed_with_corrections(w: World, chair: str = "1", patient: int = 0) -> Episode:
    e = open_iv(w, chair=chair, patient=patient)
    to_ready(w, e.id)
    rows = w.s.episode_view(e.id).rows
    w.clock.advance(minutes=1)
    w.s.correct_observation(w.nurse.id, rows[2].observation.id, CORRECTION_REASON,
                            good(hr="80", bp="130/84", temp="37.2", on_oxygen=True,
                                 side_effects=["nausea"]))
    w.s.void_observation(w.nurse.id, rows[3].observation.id, VOID_REASON)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good(temp="36.9"))
    answer_everything(w, e.id)
    w.clock.advance(minutes=1)
    w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    return w.s.episode(e.id)


def values_recorded(o: Observation) -> int:
    """How many Observations one recorded set must give: one per value, BP as one."""
    v = o.vitals
    present = [v.hr, v.sbp, v.spo2, v.rr, v.temp_c, v.moaas, v.dissociation]
    return sum(x is not None for x in present) + (1 if v.side_effects else 0)
