"""The header of the episode window: who, what protocol and dose, phase, what is due.

The schedule state (ok, due soon, due, overdue, baseline) is the core's; the header only
words it, with an icon and text beside the colour.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from monitor_app.domain.models import Phase
from monitor_app.domain.schedule import ScheduleState, ScheduleStatus
from monitor_app.gui.common.formatting import clock_text, local_time, weight_text
from monitor_app.services.views import EpisodeView

STATE_STYLES = {
    "overdue": "background: #b3261e; color: white;",
    "due": "background: #ffb300; color: black;",
    "due_soon": "background: #ffe08a; color: black;",
    "baseline": "background: #ffe08a; color: black;",
    "ok": "background: #e3f1e6; color: #1f5f36;",
    "none": "color: #444444;",
}
BADGE = "font-weight: bold; padding: 4px 8px; border-radius: 4px;"
DUE_GLYPH = "◷"  # a clock face DejaVu Sans has (the alarm clock U+23F0 drew an empty box)


def status_text(status: ScheduleStatus, now: datetime) -> str:
    """The schedule in words: what is next, when, and how long to go (or how late)."""
    if status.next_due is None:
        if status.state == ScheduleState.BASELINE:
            return f"⚠ {status.next_label}"
        return status.next_label or "No observation scheduled"
    # Whole seconds, floored as the board counts them: a part of a second late is late
    # by 0:01, never "OVERDUE by 0:00".
    seconds = status.seconds_to_due
    if seconds is None:
        seconds = math.floor((status.next_due - now).total_seconds())
    due = local_time(status.next_due)
    label = status.next_label
    if status.state == ScheduleState.OVERDUE and seconds < 0:
        return f"⚠ OVERDUE by {clock_text(-seconds)}: {label} was due at {due}"
    if status.state in (ScheduleState.DUE, ScheduleState.OVERDUE):  # at the due second
        return f"{DUE_GLYPH} DUE NOW: {label} (due {due})"
    if status.state == ScheduleState.DUE_SOON:
        return f"{DUE_GLYPH} Due soon: {label} at {due}, in {clock_text(max(seconds, 0))}"
    return f"Next: {label} at {due}, in {clock_text(max(seconds, 0))}"


def _mark(field: str, corrected: set[str]) -> str:
    return " <i>(corrected)</i>" if field in corrected else ""


def corrections_text(view: EpisodeView) -> str:
    """Each weight or dose correction with the old value and the reason (a tooltip)."""
    names = {"weight_kg": ("Weight", "kg"), "dose_mg": ("Dose", "mg")}
    return "\n".join(
        f"{names[c.field][0]} corrected {local_time(c.corrected_at, True)} from "
        f"{c.old_value:g} to {c.new_value:g} {names[c.field][1]}: {c.reason}"
        for c in view.corrections)


def dosing_times(view: EpisodeView) -> str:
    """" · Infusion 09:12 (entered late, 09:30) to 09:52": when dosing started and ended,
    marked like a late observation when typed after the late-entry limit."""
    e = view.episode
    if e.dosing_start is None:
        return ""
    text = f" · {view.protocol.dosing_label.capitalize()} {local_time(e.dosing_start)}"
    if view.dosing_start_late and e.dosing_start_entered_at is not None:
        text += f" <span style='color: #8a5a00;'>(entered late, " \
                f"{local_time(e.dosing_start_entered_at)})</span>"
    if e.dosing_end is not None:
        text += f" to {local_time(e.dosing_end)}"
        if view.dosing_end_late and e.dosing_end_entered_at is not None:
            text += f" <span style='color: #8a5a00;'>(entered late, " \
                    f"{local_time(e.dosing_end_entered_at)})</span>"
    return text


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


class EpisodeHeader(QWidget):
    """Labels by objectName: patient, episode_details, phase, schedule_status,
    predose_caution, dose_caution."""

    def __init__(self, weight_unit: str = "kg", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weight_unit = weight_unit
        self.labels: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for key, row, col, span in (("patient", 0, 0, 3), ("episode_details", 1, 0, 3),
                                    ("phase", 2, 0, 1), ("schedule_status", 2, 1, 1),
                                    ("predose_caution", 3, 0, 3), ("dose_caution", 4, 0, 3)):
            label = QLabel()
            label.setObjectName(key)
            label.setAccessibleName(key.replace("_", " ").capitalize())
            label.setWordWrap(key in ("episode_details", "predose_caution", "dose_caution"))
            grid.addWidget(label, row, col, 1, span)
            self.labels[key] = label
        grid.setColumnStretch(2, 1)
        self.grid = grid

    def add_action(self, widget: QWidget) -> None:
        """A button at the header's right end, beside the patient's name (the action row
        below has no room to spare at 1280 px)."""
        self.grid.addWidget(widget, 0, 3, 1, 1, Qt.AlignmentFlag.AlignRight
                            | Qt.AlignmentFlag.AlignTop)
        self.labels["phase"].setTextFormat(Qt.TextFormat.PlainText)  # holds typed reasons
        self.labels["patient"].setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.labels["phase"].setStyleSheet(BADGE + "background: #e8eaf0; color: #1d2a4d;")
        self.labels["episode_details"].setStyleSheet("font-size: 11pt;")
        for key in ("predose_caution", "dose_caution"):
            self.labels[key].setStyleSheet(
                "background: #fff4d6; color: #5c3d00; border: 1px solid #c98a00; padding: 4px;")

    def text(self, key: str) -> str:
        return self.labels[key].text()

    def set_view(self, view: EpisodeView, now: datetime, acknowledged_by: str = "") -> None:
        """``acknowledged_by``: the prescriber who accepted a high baseline, if any."""
        e, p, protocol = view.episode, view.patient, view.protocol
        today = now.astimezone().date()
        self.labels["patient"].setText(
            f"{p.name}   <span style='font-size: 12pt; font-weight: normal;'>MRN {p.mrn} · "
            f"DOB {p.dob:%d %b %Y} ({age_on(p.dob, today)} y)"
            f"{' · ' + p.sex if p.sex else ''}</span>")
        per_kg = e.dose_mg_per_kg
        dose = f"{e.dose_mg:g} mg" + (f" ({per_kg:.2f} mg/kg)" if per_kg is not None else "")
        corrected = {c.field for c in view.corrections}
        self.labels["episode_details"].setText(
            f"<b>{protocol.name}</b> v{protocol.version} · Chair <b>{e.chair}</b> · "
            f"Weight {self._weight(e.weight_kg)}{_mark('weight_kg', corrected)} · "
            f"Dose <b>{dose}</b>{_mark('dose_mg', corrected)} · Episode {e.number}"
            + (f" · Lot {escape(e.lot_number)}" if e.lot_number else "")
            + dosing_times(view))
        self.labels["episode_details"].setToolTip(corrections_text(view))
        phase = e.phase.value.upper() + (" · SIGNED" if view.signed else "")
        if e.phase == Phase.CANCELLED and e.closed_reason:
            phase += f": {e.closed_reason}"
        self.labels["phase"].setText(f"Phase: {phase}")
        caution = view.predose_caution
        if caution is not None and e.predose_ack_by is None and e.dosing_start is None:
            self.labels["predose_caution"].setText(f"⚠ Pre-dose caution: {caution.message}")
            self.labels["predose_caution"].show()
        elif caution is not None:
            base = view.baseline.vitals.bp_text if view.baseline is not None else ""
            self.labels["predose_caution"].setText(
                f"✓ Baseline BP {base} above the pre-dose limit "
                f"{protocol.predose_sbp_above}/{protocol.predose_dbp_above}: acknowledged by "
                f"{acknowledged_by or 'a prescriber'}")
            self.labels["predose_caution"].show()
        else:
            self.labels["predose_caution"].hide()
        reason = f" (reason given: {e.dose_reason})" if e.dose_reason else ""
        self.labels["dose_caution"].setText(f"⚠ Check the dose: {view.dose_caution}{reason}")
        self.labels["dose_caution"].setVisible(bool(view.dose_caution))

    def set_status(self, status: ScheduleStatus, now: datetime) -> None:
        label = self.labels["schedule_status"]
        label.setText(status_text(status, now))
        if label.property("state") != status.state:  # restyle only on a change of state
            label.setStyleSheet(BADGE + STATE_STYLES.get(status.state, ""))
            label.setProperty("state", str(status.state))

    def _weight(self, kg: float) -> str:
        return weight_text(kg, self.weight_unit, with_kg=True)
