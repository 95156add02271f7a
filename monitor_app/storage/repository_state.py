"""One read of what a write to an episode needs: the episode row, whether it is signed
and, when asked, the checklist answers and overrides its discharge criteria read.

A save reads each row once: before this, the episode row was read five times and the
signed check twice for one observation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from monitor_app.domain.models import Episode
from monitor_app.storage.connection import Database
from monitor_app.storage.repository_base import fetch_rows
from monitor_app.storage.repository_episodes import _episode
from monitor_app.storage.repository_records import (
    ChecklistAnswer,
    OverrideRecord,
    _answer,
    _override,
)

_CHECKLIST_COLUMNS = ("id", "episode_id", "key", "confirmed", "not_applicable", "details",
                      "answered_by", "answered_at", "superseded_by")
_OVERRIDE_COLUMNS = ("id", "episode_id", "criterion", "reason", "prescriber_id",
                     "recorded_by", "recorded_at", "voided_at", "voided_by", "void_reason")


@dataclass(frozen=True)
class EpisodeState:
    episode: Episode
    signed: bool
    checklist: dict[str, ChecklistAnswer] | None = None  # None: not asked for
    overrides: list[OverrideRecord] | None = None  # in force, oldest first


def _rows_json(table: str, columns: tuple[str, ...], where: str) -> str:
    pairs = ", ".join(f"'{c}', t.\"{c}\"" for c in columns)
    return (f"(SELECT json_group_array(json_object({pairs})) FROM "
            f"(SELECT * FROM {table} WHERE episode_id = e.id AND {where} ORDER BY id) AS t)")


def episode_state(db: Database, episode_id: int, *,
                  discharge_inputs: bool = False) -> EpisodeState | None:
    """The episode with its signed state (and its discharge inputs) in one statement."""
    extra = ""
    if discharge_inputs:
        extra = (", " + _rows_json("checklist_answers", _CHECKLIST_COLUMNS,
                                   "superseded_by IS NULL") + " AS _checklist, "
                 + _rows_json("overrides", _OVERRIDE_COLUMNS, "voided_at IS NULL")
                 + " AS _overrides")
    rows = fetch_rows(db, "SELECT e.*, EXISTS (SELECT 1 FROM signatures WHERE episode_id = e.id "
                      f"AND kind = 'discharge') AS _signed{extra} FROM episodes AS e "
                      "WHERE e.id = ?", [episode_id])
    if not rows:
        return None
    row = rows[0]
    checklist = overrides = None
    if discharge_inputs:
        answers = [_answer(r) for r in json.loads(row.pop("_checklist"))]
        checklist = {a.key: a for a in answers}
        overrides = [_override(r) for r in json.loads(row.pop("_overrides"))]
    signed = bool(row.pop("_signed"))
    return EpisodeState(_episode(row), signed, checklist, overrides)
