"""The month at a glance, as plain data, and its CSV.

The services layer counts; this module only holds the figures and writes them out.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .csv_export import safe_cell


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``pct``% at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


@dataclass(frozen=True)
class ProtocolCount:
    protocol: str
    sessions: int
    signed: int
    cancelled: int
    open: int


@dataclass(frozen=True)
class WeekCount:
    week_of: date  # the Monday
    sessions: int
    observations: int
    flagged: int


@dataclass(frozen=True)
class OverrideLine:
    episode: str
    criterion: str
    reason: str
    prescriber: str


@dataclass(frozen=True)
class ClinicReportData:
    clinic: str
    date_from: date
    date_to: date
    made_at: str  # "2026-11-30 17:05", station time
    by_protocol: tuple[ProtocolCount, ...]
    weeks: tuple[WeekCount, ...]
    observations: int
    flagged_observations: int
    alerts_by_kind: tuple[tuple[str, int], ...]  # alert label, how many raised
    acknowledged_alerts: int
    unacknowledged_alerts: int
    ack_minutes: tuple[float, ...]  # observation entered -> acknowledged, per observation
    overrides_by_criterion: tuple[tuple[str, int], ...]
    overrides: tuple[OverrideLine, ...]
    rems_on_time: int
    rems_late: int
    rems_outstanding: int
    late_entries: int
    late_entry_min: int
    voided_entries: int
    discharge_minutes: tuple[float, ...]  # end of dosing -> discharge signed, per episode

    @property
    def sessions(self) -> int:
        return sum(p.sessions for p in self.by_protocol)

    @property
    def ack_median(self) -> float | None:
        return median(self.ack_minutes)

    @property
    def discharge_median(self) -> float | None:
        return median(self.discharge_minutes)

    @property
    def discharge_p90(self) -> float | None:
        return percentile(self.discharge_minutes, 90)

    @property
    def discharge_bins(self) -> list[tuple[str, int]]:
        return discharge_bins(self.discharge_minutes)


def discharge_bins(minutes: Sequence[float], size: int = 15) -> list[tuple[str, int]]:
    """Counts of episodes per ``size``-minute bin, from 0 to the longest."""
    if not minutes:
        return []
    top = int(max(minutes) // size) + 1
    counts = [0] * top
    for m in minutes:
        counts[min(top - 1, int(max(0.0, m) // size))] += 1
    return [(f"{i * size}–{(i + 1) * size}", n) for i, n in enumerate(counts)]


def minutes_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} min"


def summary_rows(data: ClinicReportData) -> list[tuple[str, str, str]]:
    """(section, item, value) rows: the CSV, and the PDF's tables read the same."""
    rows: list[tuple[str, str, str]] = [
        ("report", "clinic", data.clinic),
        ("report", "from", data.date_from.isoformat()),
        ("report", "to", data.date_to.isoformat()),
        ("report", "made", data.made_at),
        ("sessions", "total", str(data.sessions)),
    ]
    for p in data.by_protocol:
        rows += [("sessions", f"{p.protocol}: sessions", str(p.sessions)),
                 ("sessions", f"{p.protocol}: signed", str(p.signed)),
                 ("sessions", f"{p.protocol}: cancelled", str(p.cancelled)),
                 ("sessions", f"{p.protocol}: still open", str(p.open))]
    for w in data.weeks:
        rows += [("week", f"{w.week_of}: sessions", str(w.sessions)),
                 ("week", f"{w.week_of}: observations", str(w.observations)),
                 ("week", f"{w.week_of}: flagged observations", str(w.flagged))]
    rows += [("alerts", "observations", str(data.observations)),
             ("alerts", "flagged observations", str(data.flagged_observations))]
    rows += [("alerts", f"raised: {label}", str(n)) for label, n in data.alerts_by_kind]
    rows += [("alerts", "acknowledged", str(data.acknowledged_alerts)),
             ("alerts", "not acknowledged", str(data.unacknowledged_alerts)),
             ("alerts", "median minutes from observation to acknowledgement",
              _number(data.ack_median))]
    rows += [("overrides", f"by criterion: {c}", str(n)) for c, n in data.overrides_by_criterion]
    rows += [("overrides", f"{o.episode} {o.criterion}", f"{o.reason} (authorised by "
              f"{o.prescriber})") for o in data.overrides]
    rows += [("rems forms", "filed on time", str(data.rems_on_time)),
             ("rems forms", "filed late", str(data.rems_late)),
             ("rems forms", "outstanding", str(data.rems_outstanding)),
             ("record", f"late entries (typed over {data.late_entry_min} min after)",
              str(data.late_entries)),
             ("record", "voided entries", str(data.voided_entries)),
             ("discharge", "episodes with end of dosing and discharge",
              str(len(data.discharge_minutes))),
             ("discharge", "median minutes from end of dosing to discharge",
              _number(data.discharge_median)),
             ("discharge", "90th percentile minutes from end of dosing to discharge",
              _number(data.discharge_p90))]
    return rows


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def report_csv(data: ClinicReportData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("section", "item", "value"))
    for row in summary_rows(data):
        writer.writerow(tuple(safe_cell(cell) for cell in row))
    return out.getvalue().encode("utf-8")
