"""Which phase an episode may move to next. Pure rules, no I/O.

pre-check -> dosing | cancelled
dosing    -> recovery            (dosing ended, or was aborted: the patient still needs watching)
recovery  -> ready | discharged  (discharge from recovery needs overrides: discharge.py decides)
ready     -> recovery | discharged  (back to recovery when a criterion lapses)
discharged, cancelled: final
"""

from __future__ import annotations

from monitor_app.domain.models import Phase, ValidationError

TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.PRECHECK: frozenset({Phase.DOSING, Phase.CANCELLED}),
    Phase.DOSING: frozenset({Phase.RECOVERY}),
    Phase.RECOVERY: frozenset({Phase.READY, Phase.DISCHARGED}),
    Phase.READY: frozenset({Phase.RECOVERY, Phase.DISCHARGED}),
    Phase.DISCHARGED: frozenset(),
    Phase.CANCELLED: frozenset(),
}

ACTIVE_PHASES: frozenset[Phase] = frozenset(
    {Phase.PRECHECK, Phase.DOSING, Phase.RECOVERY, Phase.READY}
)
FINAL_PHASES: frozenset[Phase] = frozenset({Phase.DISCHARGED, Phase.CANCELLED})


def allowed_next(current: Phase) -> frozenset[Phase]:
    """The phases ``current`` may move to (empty for a closed episode)."""
    return TRANSITIONS[Phase(current)]


def can_transition(current: Phase, new: Phase) -> bool:
    return Phase(new) in allowed_next(current)


def check_transition(current: Phase, new: Phase) -> None:
    """Raise ``ValidationError("phase", ...)`` unless ``current -> new`` is allowed."""
    current, new = Phase(current), Phase(new)
    if new in TRANSITIONS[current]:
        return
    if current == new:
        raise ValidationError("phase", f"the episode is already in {current}")
    if current in FINAL_PHASES:
        raise ValidationError(
            "phase", f"cannot go from {current} to {new}: the episode is closed"
        )
    raise ValidationError("phase", f"cannot go from {current} to {new}")
