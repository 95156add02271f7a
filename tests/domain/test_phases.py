import itertools

import pytest

from monitor_app.domain.models import Phase, ValidationError
from monitor_app.domain.phases import (
    ACTIVE_PHASES,
    FINAL_PHASES,
    allowed_next,
    can_transition,
    check_transition,
)

P = Phase
ALLOWED = {
    (P.PRECHECK, P.DOSING),
    (P.PRECHECK, P.CANCELLED),
    (P.DOSING, P.RECOVERY),
    (P.RECOVERY, P.READY),
    (P.RECOVERY, P.DISCHARGED),
    (P.READY, P.RECOVERY),
    (P.READY, P.DISCHARGED),
}
ALL_PAIRS = list(itertools.product(Phase, Phase))


@pytest.mark.parametrize(("current", "new"), sorted(ALLOWED))
def test_allowed_transition_passes(current, new):
    check_transition(current, new)
    assert can_transition(current, new)


@pytest.mark.parametrize(("current", "new"), [p for p in ALL_PAIRS if p not in ALLOWED])
def test_refused_transition_raises_on_phase_field(current, new):
    with pytest.raises(ValidationError) as info:
        check_transition(current, new)
    assert info.value.field == "phase"
    assert not can_transition(current, new)


def test_refusal_names_both_phases():
    with pytest.raises(ValidationError) as info:
        check_transition(P.RECOVERY, P.DOSING)
    assert info.value.message == "cannot go from recovery to dosing"


def test_staying_in_the_same_phase_is_refused_with_its_own_message():
    with pytest.raises(ValidationError, match="already in dosing"):
        check_transition(P.DOSING, P.DOSING)


@pytest.mark.parametrize("final", [P.DISCHARGED, P.CANCELLED])
def test_final_phases_go_nowhere(final):
    assert allowed_next(final) == frozenset()
    with pytest.raises(ValidationError, match="closed"):
        check_transition(final, P.RECOVERY)


def test_plain_strings_are_accepted():
    check_transition("pre-check", "dosing")
    with pytest.raises(ValidationError):
        check_transition("dosing", "ready")


def test_active_and_final_phases_partition_all_phases():
    assert {P.PRECHECK, P.DOSING, P.RECOVERY, P.READY} == ACTIVE_PHASES
    assert {P.DISCHARGED, P.CANCELLED} == FINAL_PHASES
    assert set(Phase) == ACTIVE_PHASES | FINAL_PHASES
    assert not ACTIVE_PHASES & FINAL_PHASES


def test_an_aborted_infusion_still_goes_to_recovery():
    assert allowed_next(P.DOSING) == {P.RECOVERY}
