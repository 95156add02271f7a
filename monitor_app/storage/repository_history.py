"""Past episodes and the REMS filing record: the history's search, the REMS queue's
sessions and the clinic's notes that a REMS form was filed.

Every query is an index look-up (``episodes_created``, ``episodes_patient``,
``episodes_protocol``, ``episodes_closed``, ``signatures_episode``,
``rems_submissions_episode``, ``rems_submissions_filed_on``, the unfiled sessions of
``_rems_unfiled``), so the cost follows the number of rows found, not
the years of history the file holds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from monitor_app.domain.models import AlertAck, Episode, Phase, ValidationError
from monitor_app.storage.connection import Database
from monitor_app.storage.db import parse_utc, utc_text
from monitor_app.storage.repository_base import (
    Row,
    fetch_rows,
    get_row,
    ids_json,
    insert_row,
    transaction,
)
from monitor_app.storage.repository_episodes import _episode

CLOSED_PHASES = (Phase.DISCHARGED, Phase.CANCELLED)


@dataclass(frozen=True)
class RemsSubmission:
    """An administrator's note that a REMS form was filed (or a withdrawal of one)."""

    id: int
    episode_id: int
    kind: str  # "submitted" or "withdrawn"
    submitted_on: date | None
    confirmation: str
    supersedes: int | None
    reason: str
    recorded_by: int
    recorded_at: datetime


def closed_episodes(
    db: Database,
    *,
    created_from: datetime | None = None,
    created_before: datetime | None = None,
    patient_ids: Sequence[int] | None = None,
    protocol_id: str | None = None,
    limit: int = 200,
) -> list[Episode]:
    """Discharged and cancelled episodes, newest first. ``patient_ids`` (from
    ``find_patients``) narrows through the patient index; otherwise the date range
    and protocol go through the created-at or protocol index. The phase is a filter
    on the rows found (``+``: never the phase index, which holds almost every row)."""
    where = [f"+e.phase IN ({', '.join('?' for _ in CLOSED_PHASES)})"]
    params: list[object] = [p.value for p in CLOSED_PHASES]
    if patient_ids is not None:
        where.append("e.patient_id IN (SELECT value FROM json_each(?))")
        params.append(ids_json(patient_ids))
    if protocol_id:
        where.append("e.protocol_id = ?")
        params.append(protocol_id)
    if created_from is not None:
        where.append("e.created_at >= ?")
        params.append(utc_text(created_from))
    if created_before is not None:
        where.append("e.created_at < ?")
        params.append(utc_text(created_before))
    rows = fetch_rows(
        db, f"SELECT e.* FROM episodes AS e WHERE {' AND '.join(where)} "
        "ORDER BY e.created_at DESC, e.id DESC LIMIT ?", [*params, limit])
    return [_episode(row) for row in rows]


def episodes_closed_since(db: Database, since: datetime, *, limit: int = 200) -> list[Episode]:
    """Discharged and cancelled episodes closed at or after ``since``, whenever they were
    opened, the latest opened first (as every history list)."""
    phases = ", ".join("?" for _ in CLOSED_PHASES)
    rows = fetch_rows(
        db, f"SELECT e.* FROM episodes AS e "
        f"WHERE e.closed_at >= ? AND +e.phase IN ({phases}) "
        "ORDER BY e.created_at DESC, e.id DESC LIMIT ?",
        [utc_text(since), *(p.value for p in CLOSED_PHASES), limit])
    return [_episode(row) for row in rows]


def discharge_times(db: Database, episode_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of these episodes was signed (absent: not signed)."""
    rows = db.execute(
        "SELECT episode_id, signed_at FROM signatures WHERE kind = 'discharge' "
        "AND episode_id IN (SELECT value FROM json_each(?))", [ids_json(episode_ids)])
    return {episode_id: parse_utc(at) for episode_id, at in rows}


def signed_sessions(db: Database, protocol_ids: Sequence[str], *,
                    created_from: datetime | None = None,
                    created_before: datetime | None = None) -> list[Episode]:
    """Signed episodes of these protocols, oldest first (protocol index)."""
    where = ["e.protocol_id IN (SELECT value FROM json_each(?))"]
    params: list[object] = [_json_list(protocol_ids)]
    if created_from is not None:
        where.append("e.created_at >= ?")
        params.append(utc_text(created_from))
    if created_before is not None:
        where.append("e.created_at < ?")
        params.append(utc_text(created_before))
    rows = fetch_rows(
        db, f"SELECT e.* FROM episodes AS e WHERE {' AND '.join(where)} AND EXISTS ("
        "SELECT 1 FROM signatures AS s WHERE s.episode_id = e.id AND s.kind = 'discharge') "
        "ORDER BY e.created_at, e.id", params)
    return [_episode(row) for row in rows]


def unfiled_sessions(db: Database, protocol_ids: Sequence[str]) -> list[Episode]:
    """Signed episodes of these protocols whose REMS form is not filed (no filing note,
    or the latest one withdrew it): ``_rems_unfiled``, never the filed years."""
    rows = fetch_rows(
        db, "SELECT e.* FROM _rems_unfiled AS u CROSS JOIN episodes AS e ON e.id = u.episode_id "
        "WHERE u.protocol_id IN (SELECT value FROM json_each(?))", [_json_list(protocol_ids)])
    return [_episode(row) for row in rows]


def sessions_filed_since(db: Database, protocol_ids: Sequence[str], since: date
                         ) -> list[Episode]:
    """Signed episodes of these protocols whose standing filing note (the latest) says
    the form was filed on ``since`` or later (index of notes by the day filed; CROSS
    JOIN: never the protocol index, which would read every session of the protocol)."""
    rows = fetch_rows(
        db, "SELECT e.* FROM rems_submissions AS r CROSS JOIN episodes AS e "
        "ON e.id = r.episode_id "
        "WHERE r.kind = 'submitted' AND r.submitted_on >= ? AND NOT EXISTS (SELECT 1 FROM "
        "rems_submissions AS later WHERE later.episode_id = r.episode_id AND later.id > r.id) "
        "AND e.protocol_id IN (SELECT value FROM json_each(?))",
        [since.isoformat(), _json_list(protocol_ids)])
    return [_episode(row) for row in rows]


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def _submission(row: Row) -> RemsSubmission:
    return RemsSubmission(
        id=row["id"], episode_id=row["episode_id"], kind=row["kind"],
        submitted_on=date.fromisoformat(row["submitted_on"]) if row["submitted_on"] else None,
        confirmation=row["confirmation"], supersedes=row["supersedes"], reason=row["reason"],
        recorded_by=row["recorded_by"],
        recorded_at=parse_utc(row["recorded_at"]),
    )


def rems_submissions(db: Database, episode_ids: Sequence[int]) -> dict[int, list[RemsSubmission]]:
    """Every filing note of these episodes, oldest first, by episode."""
    rows = fetch_rows(
        db, "SELECT * FROM rems_submissions WHERE episode_id IN "
        "(SELECT value FROM json_each(?)) ORDER BY episode_id, id", [ids_json(episode_ids)])
    found: dict[int, list[RemsSubmission]] = {}
    for row in rows:
        found.setdefault(row["episode_id"], []).append(_submission(row))
    return found


def current_submission(notes: Sequence[RemsSubmission]) -> RemsSubmission | None:
    """The filing note that stands (not superseded), or None when none does or the
    last one withdrew the filing."""
    superseded = {n.supersedes for n in notes if n.supersedes is not None}
    standing = [n for n in notes if n.id not in superseded]
    last = standing[-1] if standing else None
    return last if last is not None and last.kind == "submitted" else None


def add_rems_submission(
    db: Database,
    episode_id: int,
    *,
    submitted_on: date | None,
    confirmation: str,
    reason: str = "",
    actor_id: int,
    at: datetime,
) -> RemsSubmission:
    """Record that the form was filed (``submitted_on`` given) or withdraw the standing
    note (``submitted_on`` None). A note over a standing one supersedes it and needs
    ``reason``. One transaction with its audit row."""
    with transaction(db):
        get_row(db, "episodes", episode_id, "episode")
        notes = rems_submissions(db, [episode_id]).get(episode_id, [])
        superseded = {n.supersedes for n in notes if n.supersedes is not None}
        standing = [n for n in notes if n.id not in superseded]
        previous = standing[-1] if standing else None
        if previous is not None and not reason.strip():
            raise ValidationError("reason", "say why the earlier filing note is corrected")
        if submitted_on is None and (previous is None or previous.kind != "submitted"):
            raise ValidationError("rems_submitted_on", "no filing is recorded to withdraw")
        row = insert_row(db, "rems_submissions", {
            "episode_id": episode_id,
            "kind": "submitted" if submitted_on is not None else "withdrawn",
            "submitted_on": submitted_on.isoformat() if submitted_on else None,
            "confirmation": " ".join(confirmation.split()),
            "supersedes": previous.id if previous is not None else None,
            "reason": " ".join(reason.split()) if previous is not None else "",
            "recorded_by": actor_id,
            "recorded_at": utc_text(at),
        }, action="add_rems_submission", actor_id=actor_id, at=at)
    return _submission(row)


# --- the clinic report ---------------------------------------------------------------


def episodes_between(db: Database, created_from: datetime, created_before: datetime
                     ) -> list[Episode]:
    """Every episode opened in [from, before), oldest first (created-at index)."""
    rows = fetch_rows(db, "SELECT * FROM episodes WHERE created_at >= ? AND created_at < ? "
                      "ORDER BY created_at, id", [utc_text(created_from),
                                                  utc_text(created_before)])
    return [_episode(row) for row in rows]


def acks_for_episodes(db: Database, episode_ids: Sequence[int]) -> list[AlertAck]:
    rows = fetch_rows(db, "SELECT * FROM alert_acks WHERE episode_id IN "
                      "(SELECT value FROM json_each(?)) ORDER BY id", [ids_json(episode_ids)])
    return [AlertAck(observation_id=r["observation_id"], code=r["code"],
                     acknowledged_by=r["acknowledged_by"],
                     acknowledged_at=parse_utc(r["acknowledged_at"]))
            for r in rows]


def overrides_for_episodes(db: Database, episode_ids: Sequence[int]) -> list[Row]:
    """Every override row (voided too) of these episodes, oldest first."""
    return fetch_rows(db, "SELECT * FROM overrides WHERE episode_id IN "
                      "(SELECT value FROM json_each(?)) ORDER BY id", [ids_json(episode_ids)])

