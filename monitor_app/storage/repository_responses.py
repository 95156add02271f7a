"""What was done about an observation's alerts (rechecked, treatment given...): the
response row, recorded with the acknowledgements it makes in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitor_app.domain.alert_response import AlertAction, AlertResponse
from monitor_app.storage.connection import Database
from monitor_app.storage.db import parse_utc, utc_text
from monitor_app.storage.repository_base import (
    NotFound,
    Row,
    fetch_row,
    fetch_rows,
    from_json,
    insert_row,
    to_json,
    transaction,
)
from monitor_app.storage.repository_episodes import ensure_unlocked
from monitor_app.storage.repository_observations import ack_alert


def _response(row: Row) -> AlertResponse:
    return AlertResponse(
        observation_id=row["observation_id"],
        codes=tuple(from_json(row["codes"], [])),
        action=AlertAction(row["action"]),
        note=row["note"],
        recorded_by=row["recorded_by"],
        recorded_at=parse_utc(row["recorded_at"]),
    )


def acknowledge_alerts(
    db: Database, observation_id: int, codes: Iterable[str], action: AlertAction, note: str,
    *, actor_id: int, at: datetime,
) -> AlertResponse:
    """Acknowledge alerts of one observation and record what was done, in one
    transaction; a code already acknowledged keeps its first acknowledgement."""
    codes = tuple(dict.fromkeys(codes))
    with transaction(db):
        obs = fetch_row(db, "observations", observation_id)
        if obs is None:
            raise NotFound(f"no observation with id {observation_id}")
        ensure_unlocked(db, obs["episode_id"])
        for code in codes:
            ack_alert(db, observation_id, code, actor_id=actor_id, at=at)
        row = insert_row(
            db, "alert_responses",
            {"episode_id": obs["episode_id"], "observation_id": observation_id,
             "codes": to_json(list(codes)), "action": str(action), "note": note,
             "recorded_by": actor_id, "recorded_at": utc_text(at)},
            action="alert_response", actor_id=actor_id, at=at,
        )
    return _response(row)


def alert_responses(db: Database, episode_id: int) -> dict[int, tuple[AlertResponse, ...]]:
    """observation id -> what was done about its alerts, oldest first, for one episode."""
    found: dict[int, list[AlertResponse]] = {}
    for row in fetch_rows(
        db, "SELECT * FROM alert_responses WHERE episode_id = ? ORDER BY id", [episode_id]
    ):
        found.setdefault(row["observation_id"], []).append(_response(row))
    return {obs_id: tuple(items) for obs_id, items in found.items()}
