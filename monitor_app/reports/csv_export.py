"""Signed episodes as CSV for spreadsheets and registries, from plain data.

UTF-8 with a byte-order mark: Excel opens a BOM-less UTF-8 file as the local code page
and garbles accented names; LibreOffice, Numbers and Python's ``utf-8-sig`` read the BOM
fine. Comma-separated, CRLF line ends, one header row. Times are the station's local
time as ``YYYY-MM-DD HH:MM`` (a spreadsheet reads them as date-times). A text cell that
starts with ``= + - @`` (or a tab or carriage return) gets a leading apostrophe, so a
name typed as a formula stays text (CSV formula injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvObservation:
    observation_id: int
    taken_at: datetime
    entered_at: datetime
    by: str
    hr: int | None
    sbp: int | None
    dbp: int | None
    spo2: int | None
    rr: int | None
    temp_c: float | None
    on_oxygen: bool
    moaas: int | None
    dissociation: int | None
    side_effects: tuple[str, ...]
    flags: tuple[str, ...]
    news2: int | None
    late: bool
    voided: bool
    void_reason: str
    corrects: int | None
    note: str
    missing_reason: str


@dataclass(frozen=True)
class CsvEpisode:
    number: str
    mrn: str
    protocol: str
    chair: str
    opened_at: datetime
    dosing_start: datetime | None
    dosing_end: datetime | None
    closed_at: datetime | None
    weight_kg: float
    dose_mg: float
    lot_number: str
    signed_by: str
    signed_at: datetime
    record_sha256: str
    observations: tuple[CsvObservation, ...]


OBSERVATION_HEADER = (
    "episode", "mrn", "protocol", "observation_id", "taken_at", "entered_at", "late_entry",
    "by", "hr", "sbp", "dbp", "spo2", "rr", "temp_c", "on_oxygen", "moaas", "dissociation",
    "side_effects", "flags", "news2", "voided", "void_reason", "corrects_observation",
    "note", "missing_reason",
)
EPISODE_HEADER = (
    "episode", "mrn", "protocol", "chair", "opened_at", "dosing_start", "dosing_end",
    "closed_at", "weight_kg", "dose_mg", "dose_mg_per_kg", "lot_number", "observations",
    "voided_observations", "max_news2", "flags", "side_effects", "signed_by", "signed_at",
    "record_sha256",
)


def safe_cell(value: object) -> str:
    """The cell's text; a would-be formula is made plain text with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _time(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _observation_row(e: CsvEpisode, o: CsvObservation, tz: tzinfo) -> list[object]:
    return [e.number, e.mrn, e.protocol, o.observation_id, _time(o.taken_at, tz),
            _time(o.entered_at, tz), o.late, o.by, o.hr, o.sbp, o.dbp, o.spo2, o.rr,
            o.temp_c, o.on_oxygen, o.moaas, o.dissociation, "; ".join(o.side_effects),
            "; ".join(o.flags), o.news2, o.voided, o.void_reason, o.corrects, o.note,
            o.missing_reason]


def _episode_row(e: CsvEpisode, tz: tzinfo) -> list[object]:
    current = [o for o in e.observations if not o.voided]
    scores = [o.news2 for o in current if o.news2 is not None]
    flags = dict.fromkeys(f for o in current for f in o.flags)
    effects = dict.fromkeys(s for o in current for s in o.side_effects)
    per_kg = f"{e.dose_mg / e.weight_kg:.2f}" if e.weight_kg else ""
    return [e.number, e.mrn, e.protocol, e.chair, _time(e.opened_at, tz),
            _time(e.dosing_start, tz), _time(e.dosing_end, tz), _time(e.closed_at, tz),
            e.weight_kg or "", e.dose_mg, per_kg, e.lot_number, len(current),  # 0: not recorded
            len(e.observations) - len(current), max(scores) if scores else None,
            "; ".join(flags), "; ".join(effects), e.signed_by, _time(e.signed_at, tz),
            e.record_sha256]


def episodes_csv(episodes: Iterable[CsvEpisode], tz: tzinfo, per_episode: bool = False
                 ) -> bytes:
    """The CSV file's bytes: one row per observation, or one per episode."""
    rows: list[Sequence[object]] = []
    for e in episodes:
        if per_episode:
            rows.append(_episode_row(e, tz))
        else:
            rows.extend(_observation_row(e, o, tz) for o in e.observations)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EPISODE_HEADER if per_episode else OBSERVATION_HEADER)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
