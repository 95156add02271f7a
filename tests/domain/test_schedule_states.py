"""Schedule states are a StrEnum that every layer compares as such (not bare strings)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor_app.domain.models import Phase
from monitor_app.domain.protocol import load_protocols
from monitor_app.domain.schedule import STATES, ScheduleState, schedule_status
from monitor_app.paths import protocols_dir
from monitor_app.services.board import BoardRow

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _status(minutes_after_dosing: int) -> ScheduleState:
    protocol = load_protocols(protocols_dir())["ketamine-iv"]
    status = schedule_status(protocol.schedule, phase=Phase.DOSING, dosing_start=T0,
                             dosing_end=None, taken_at=(T0,),
                             now=T0 + timedelta(minutes=minutes_after_dosing))
    return status.state


def test_the_schedule_says_its_state_as_a_typed_value() -> None:
    states = [_status(m) for m in (0, 9, 10, 40)]
    assert all(type(s) is ScheduleState for s in states)
    assert states[0] == ScheduleState.OK
    assert states[-1] == ScheduleState.OVERDUE
    assert set(STATES) == set(ScheduleState)


def test_the_board_orders_urgency_by_the_typed_state() -> None:
    def row(state: ScheduleState) -> BoardRow:
        from monitor_app.domain.schedule import ScheduleStatus

        return BoardRow(1, "E-1", "1", "P", "M", "ketamine-iv", "IV", Phase.DOSING, T0, None,
                        "", None, None, (), ScheduleStatus(state, None, "", None))

    order = sorted(ScheduleState, key=lambda s: row(s).urgency)
    assert order[:3] == [ScheduleState.OVERDUE, ScheduleState.DUE, ScheduleState.DUE_SOON]
