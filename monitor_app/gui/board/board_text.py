"""What the board says, as text: status, countdown, phase, last vitals, the summary line
and the row's colour name. No widgets: ``BoardModel`` and the lock screen show these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor_app.domain.models import Phase, Vitals
from monitor_app.domain.schedule import ScheduleState
from monitor_app.domain.vital_fields import BY_KEY
from monitor_app.domain.vitals import alert_value_text
from monitor_app.gui.common.formatting import clock_text
from monitor_app.services.board import BoardRow

BOARD_VITALS = ("hr", "bp", "spo2", "rr", "moaas")  # the board's last vitals, in order
STATUS_TEXT = {
    ScheduleState.OVERDUE: "⚠ OVERDUE",
    ScheduleState.DUE: "⚠ DUE NOW",
    ScheduleState.DUE_SOON: "◷ DUE SOON",
    ScheduleState.BASELINE: "◷ BASELINE",
    ScheduleState.OK: "on schedule",
    ScheduleState.NONE: "",
}
PHASE_TEXT = {
    Phase.PRECHECK: "pre-check",
    Phase.DOSING: "dosing",
    Phase.RECOVERY: "recovery",
    Phase.READY: "✓ ready for discharge",
}


def countdown_text(row: BoardRow) -> str:
    """'4:05' before the due time, 'due now' at it, 'overdue 3:12' after it; a BP
    recheck says so on a second line ('BP recheck due')."""
    text = _countdown(row)
    return f"{text}\n{row.status.next_label}" if row.status.next_kind == "recheck" else text


def _countdown(row: BoardRow) -> str:
    seconds = row.status.seconds_to_due
    if seconds is None:
        return "now" if row.status.state == ScheduleState.BASELINE else "—"
    if seconds > 0:
        return clock_text(seconds)
    # Late but within the protocol's grace:
    if seconds == 0 or row.status.state == ScheduleState.DUE:
        return "due now"
    return f"overdue {clock_text(-seconds)}"


def status_text(row: BoardRow) -> str:
    """The schedule state; a flag is the first line unless overdue or due comes first,
    then the second: '⚠ OVERDUE' / '⚑ SBP 182 (+3)'."""
    state = STATUS_TEXT.get(row.status.state, row.status.state)
    worst = row.worst_alert
    if worst is None:
        return state
    flag = alert_value_text(worst)
    more = f" · {len(row.alerts)} alerts" if len(row.alerts) > 1 else ""
    if row.status.state in (ScheduleState.OVERDUE, ScheduleState.DUE):
        return f"{state}\n⚑ {flag}{more}"
    return f"⚑ FLAGGED: {flag}\n{state}{more}"


def dosing_text(row: BoardRow, now: datetime) -> str:
    """Minutes since dosing started (while dosing) or ended (after)."""
    if row.dosing_end is not None:
        return f"{row.dosing_ended} {_minutes(now - row.dosing_end)} min ago"
    if row.dosing_start is not None:
        return f"{row.dosing_label} started {_minutes(now - row.dosing_start)} min ago"
    return "not started"


def vitals_parts(v: Vitals | None) -> list[str]:
    """['HR 88', 'BP 132/84', 'SpO2 97 O2', 'RR 14', 'MOAA/S 5'] for the values taken."""
    if not v:
        return []
    parts = []
    for key in BOARD_VITALS:
        field = BY_KEY[key]
        text = field.text(v)
        if text:
            oxygen = " O2" if key == "spo2" and v.on_oxygen else ""
            parts.append(f"{field.short} {text}{oxygen}")
    return parts


def vitals_text(v: Vitals | None) -> str:
    """The last vitals on two lines: HR and BP, then the rest."""
    parts = vitals_parts(v)
    if not parts:
        return "—"
    return "  ".join(parts[:2]) + ("\n" + "  ".join(parts[2:]) if parts[2:] else "")


def _minutes(delta: Any) -> int:
    return max(0, int(delta.total_seconds() // 60))


def alerting(row: BoardRow) -> str:
    """'red', 'amber', 'flag' or '': the row's colour. The schedule state comes first;
    a flagged patient otherwise on schedule is 'flag'."""
    state = row.status.state
    if state == ScheduleState.OVERDUE:
        return "red"
    if state in (ScheduleState.DUE, ScheduleState.DUE_SOON, ScheduleState.BASELINE):
        return "amber"
    return "flag" if row.alerts else ""


def summary_text(rows: list[BoardRow], rems: str = "") -> str:
    """The line above the board: how many chairs, overdue, due and flagged; then
    ``rems``, the REMS forms due soon or late ('REMS forms: 1 overdue'), when any."""
    if not rows:
        return "No active episodes. Start one with New episode (Ctrl+N)." + (
            f"   ·   {rems}" if rems else "")
    red = sum(1 for r in rows if alerting(r) == "red")
    amber = sum(1 for r in rows if alerting(r) == "amber")
    flagged = sum(1 for r in rows if r.alerts)
    parts = [f"{len(rows)} active {'chair' if len(rows) == 1 else 'chairs'}"]
    if red:
        parts.append(f"⚠ {red} overdue")
    if amber:
        parts.append(f"{amber} due")
    if flagged:
        parts.append(f"⚑ {flagged} flagged")
    if rems:
        parts.append(rems)
    return "   ·   ".join(parts)


# The chair's bedside monitor: readings arriving, or quiet longer than its interval.
MONITOR_GLYPHS = {"monitor": "◉", "no signal": "⊘"}
MONITOR_TIPS = {"monitor": "Bedside monitor: readings arriving",
                "no signal": "Bedside monitor: no signal (quiet longer than its interval)"}
