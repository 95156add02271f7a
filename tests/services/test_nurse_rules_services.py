"""Issue 8 rules through the services: the end-of-infusion grace on a fixed clock, the
override authorised by the prescriber's PIN, the REMS minimum that cannot be
overridden, and the BP recheck that survives the board's tick."""

from __future__ import annotations

import pytest

from monitor_app.domain.models import ValidationError
from monitor_app.domain.schedule import RECHECK_LABEL
from monitor_app.services import AuthError
from tests.helpers.world import (
    ESCORT,
    MD_PIN,
    NURSE_PIN,
    World,
    answer_everything,
    good,
    open_iv,
    precheck,
    to_ready,
    to_recovery,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


def test_end_of_infusion_is_due_not_overdue_until_the_grace_passes(w: World) -> None:
    e = open_iv(w)
    w.s.record_observation(w.nurse.id, e.id, good())
    w.s.start_dosing(w.nurse.id, e.id)
    for _ in range(3):
        w.clock.advance(minutes=10)
        w.s.record_observation(w.nurse.id, e.id, good())
    w.clock.advance(minutes=13)
    w.s.end_dosing(w.nurse.id, e.id)  # at 43 min, between two checks
    status = w.s.episode_view(e.id).status
    assert (status.next_label, status.state) == ("end of infusion", "due")
    w.clock.advance(seconds=1)
    assert w.s.episode_view(e.id).status.state == "due"
    grace = w.s.protocols["ketamine-iv"].schedule.dosing_end_grace_min
    w.clock.advance(minutes=grace, seconds=-2)
    assert w.s.episode_view(e.id).status.state == "due"
    assert w.s.board()[0].status.state == "due"
    w.clock.advance(seconds=1)
    assert w.s.episode_view(e.id).status.state == "overdue"


# --- overrides -------------------------------------------------------------------


def _unmet_heart_rate(w: World) -> int:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good(hr="118"))
    return e.id


def test_an_override_needs_the_prescribers_pin(w: World) -> None:
    e = _unmet_heart_rate(w)
    with pytest.raises(AuthError, match="wrong PIN"):
        w.s.add_override(w.nurse.id, e, "heart_rate", "usual resting rate", w.md.id, "000000")
    assert w.s.staff_member(w.md.id).failed_attempts == 1  # one typo counts once
    assert not w.s.discharge_view(e).overrides
    w.s.add_override(w.nurse.id, e, "heart_rate", "usual resting rate", w.md.id, MD_PIN)
    assert w.s.discharge_view(e).overrides["heart_rate"].prescriber_id == w.md.id
    assert w.s.staff_member(w.md.id).failed_attempts == 0


def test_an_override_refuses_a_nurse_an_inactive_prescriber_and_no_prescriber(w: World) -> None:
    e = _unmet_heart_rate(w)
    with pytest.raises(ValidationError, match="only a prescriber") as exc:
        w.s.add_override(w.nurse.id, e, "heart_rate", "usual rate", w.nurse.id, NURSE_PIN)
    assert exc.value.field == "prescriber"
    with pytest.raises(ValidationError, match="choose the authorising prescriber") as exc:
        w.s.add_override(w.nurse.id, e, "heart_rate", "usual rate", 0, "")
    assert exc.value.field == "prescriber"
    md = w.s.staff_member(w.md.id)
    w.s.update_staff(w.admin.id, md.id, md.name, md.credentials, md.role, active=False)
    with pytest.raises(ValidationError, match="not active"):
        w.s.add_override(w.nurse.id, e, "heart_rate", "usual rate", w.md.id, MD_PIN)
    assert not w.s.discharge_view(e).overrides


def test_the_rems_two_hour_minimum_cannot_be_overridden(w: World) -> None:
    e = w.s.open_episode(w.nurse.id, w.patient_ids[0], "esketamine-rems", "4", 70, 56,
                         ESCORT, precheck(w.s, "esketamine-rems"), lot_number="L1")
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, e.id, good())
    w.s.start_dosing(w.nurse.id, e.id)
    w.clock.advance(minutes=5)
    w.s.end_dosing(w.nurse.id, e.id)
    w.clock.advance(minutes=40)
    w.s.record_observation(w.nurse.id, e.id, good())
    state = w.s.discharge_view(e.id)
    minimum = next(c for c in state.evaluation.criteria if c.key == "minimum_observation")
    assert minimum.status == "not_met"
    assert minimum.not_overridable.startswith("required by the REMS")
    with pytest.raises(ValidationError, match="cannot be overridden: required by the REMS"):
        w.s.add_override(w.nurse.id, e.id, "minimum_observation", "must leave", w.md.id,
                         MD_PIN)
    assert w.s.staff_member(w.md.id).failed_attempts == 0  # refused before any PIN check
    assert not w.s.discharge_view(e.id).overrides


# --- BP recheck ------------------------------------------------------------------


def test_a_flagged_bp_puts_a_recheck_on_the_board_that_survives_the_tick(w: World) -> None:
    e = open_iv(w)
    to_recovery(w, e.id)
    w.s.record_observation(w.nurse.id, e.id, good())  # the end-of-infusion check
    w.clock.advance(minutes=3)
    w.s.record_observation(w.nurse.id, e.id, good(bp="186/100"))
    rows = w.s.board()
    assert (rows[0].status.next_label, rows[0].status.state) == (RECHECK_LABEL, "ok")
    w.s.close()  # the tick reads no database
    w.clock.advance(minutes=4)
    ticked = w.s.board_tick(rows)
    assert (ticked[0].status.next_label, ticked[0].status.state) == (RECHECK_LABEL,
                                                                      "due_soon")
    w.clock.advance(minutes=1)
    ticked = w.s.board_tick(ticked)
    assert (ticked[0].status.next_label, ticked[0].status.state) == (RECHECK_LABEL, "overdue")


def test_a_recheck_with_bp_clears_it(w: World) -> None:
    e = open_iv(w)
    to_recovery(w, e.id)
    w.s.record_observation(w.nurse.id, e.id, good())
    w.clock.advance(minutes=3)
    w.s.record_observation(w.nurse.id, e.id, good(bp="186/100"))
    w.clock.advance(minutes=5)
    w.s.record_observation(w.nurse.id, e.id, good(bp="150/90"))
    assert w.s.board()[0].status.next_label == "recovery +30 min"
