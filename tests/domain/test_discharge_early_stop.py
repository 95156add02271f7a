"""A save asks only whether the automatic criteria are met: ``automatic_criteria_ok``
stops at the first one that is not, and must answer as the full evaluation does."""

from __future__ import annotations

import pytest

from monitor_app.domain.discharge import UNKNOWN, Override, automatic_criteria_ok
from monitor_app.domain.models import Phase
from tests.helpers.clinical import (
    BASELINE,
    at,
    esketamine,
    evaluate,
    good_obs,
    iv,
    latest,
    make_episode,
)

OVERRIDE_SPO2 = {"oxygen_saturation": Override("oxygen_saturation", "on home oxygen", 9)}
CASES = [
    {},  # everything met
    {"now": 50},  # minimum time not reached
    {"observations": latest(spo2=88)},
    {"observations": latest(spo2=88), "overrides": OVERRIDE_SPO2},
    {"observations": latest(sbp=85, dbp=50)},
    {"observations": latest(dissociation=3)},
    {"observations": latest(side_effects=("nausea",))},
    {"aldrete": None},  # not scored yet: does not hold the phase back
    {"aldrete": 6},
    {"baseline": None},
    {"observations": []},
    {"now": 50, "observations": latest(spo2=88), "aldrete": 6},
]


@pytest.mark.parametrize("protocol", [iv, esketamine])
@pytest.mark.parametrize("case", CASES)
def test_the_early_answer_is_the_full_evaluations(protocol, case) -> None:  # type: ignore[no-untyped-def]
    chosen = protocol()
    full = evaluate(chosen, **case)
    expected = all(c.ok or (c.key == "aldrete" and c.status == UNKNOWN)
                   for c in full.criteria)
    observations = case.get("observations", [good_obs(45), good_obs(60)])
    now = at(case.get("now", 70))
    answer = automatic_criteria_ok(
        chosen, make_episode(chosen, phase=Phase.RECOVERY), observations,
        case.get("baseline", BASELINE), case.get("aldrete", 10), case.get("overrides", {}), now)
    assert answer == expected


def test_both_answers_occur() -> None:
    """The cases above are not all one answer (the comparison could not fail otherwise)."""
    answers = {all(c.ok or (c.key == "aldrete" and c.status == UNKNOWN)
                   for c in evaluate(**case).criteria) for case in CASES}
    assert answers == {True, False}
