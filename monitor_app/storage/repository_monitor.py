"""Pending bedside-monitor readings kept across a restart (``_monitor_pending``).

Not the clinical record: no audit event, one row per episode, replaced by the next
reading and deleted when the nurse saves it or it is stale. A reading becomes an
observation only through ``record_observation``, with the nurse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor_app.domain.models import Phase
from monitor_app.storage.connection import Database
from monitor_app.storage.repository_base import from_json, to_json, transaction
from monitor_app.storage.repository_episodes import ACTIVE_PHASES
from monitor_app.storage.times import parse_utc, utc_text


def keep_pending(db: Database, episode_id: int, received_at: datetime,
                 reading: dict[str, Any]) -> None:
    with transaction(db):
        db.execute("INSERT INTO _monitor_pending (episode_id, received_at, reading) "
                   "VALUES (?, ?, ?) ON CONFLICT (episode_id) DO UPDATE SET "
                   "received_at = excluded.received_at, reading = excluded.reading",
                   [episode_id, utc_text(received_at), to_json(reading)])


def forget_pending(db: Database, episode_id: int) -> None:
    with transaction(db):
        db.execute("DELETE FROM _monitor_pending WHERE episode_id = ?", [episode_id])


def kept_pending(db: Database) -> list[tuple[int, datetime, dict[str, Any]]]:
    """(episode id, received at, reading) of the open episodes' kept readings; those of
    episodes closed meanwhile are deleted."""
    rows = db.execute(
        "SELECT p.episode_id, p.received_at, p.reading, e.phase FROM _monitor_pending p "
        "JOIN episodes e ON e.id = p.episode_id ORDER BY p.episode_id").fetchall()
    closed = {episode for episode, _at, _r, phase in rows
              if Phase(phase) not in ACTIVE_PHASES}
    for episode in closed:
        forget_pending(db, episode)
    return [(episode, parse_utc(received), from_json(reading, {}))
            for episode, received, reading, _phase in rows if episode not in closed]
