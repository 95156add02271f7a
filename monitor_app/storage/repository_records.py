"""Discharge records: checklist answers, overrides and REMS answers.

All append-only. A new checklist answer supersedes the previous one for its key; a
REMS answer's latest row wins; an override is voided, never edited.

Inputs are the domain's own types (``ManualAnswer``, ``Override`` from
``domain.discharge``); the stored records come back with who and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor_app.domain.models import ValidationError
from monitor_app.domain.text import clean_text
from monitor_app.storage.connection import Database
from monitor_app.storage.db import parse_utc, utc_text
from monitor_app.storage.repository_base import (
    Row,
    fetch_rows,
    from_json,
    get_row,
    insert_row,
    to_json,
    transaction,
    update_row,
)
from monitor_app.storage.repository_episodes import ensure_unlocked

if TYPE_CHECKING:  # the discharge rules load with the discharge screen, not at start
    from monitor_app.domain.discharge import ManualAnswer, Override


@dataclass(frozen=True)
class ChecklistAnswer:
    """A stored answer; has the domain ``ManualAnswer``'s confirmed, not_applicable, details."""

    id: int
    episode_id: int
    key: str
    confirmed: bool
    not_applicable: bool
    details: dict[str, Any]
    answered_by: int
    answered_at: datetime
    superseded_by: int | None = None


@dataclass(frozen=True)
class OverrideRecord:
    """A stored override; has the domain ``Override``'s criterion, reason, prescriber_id."""

    id: int
    episode_id: int
    criterion: str
    reason: str
    prescriber_id: int
    recorded_by: int
    recorded_at: datetime
    voided_at: datetime | None = None
    voided_by: int | None = None
    void_reason: str = ""

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True)
class RemsAnswer:
    id: int
    episode_id: int
    key: str
    value: Any
    answered_by: int
    answered_at: datetime


# --- checklist ----------------------------------------------------------------------


def _answer(row: Row) -> ChecklistAnswer:
    return ChecklistAnswer(
        id=row["id"], episode_id=row["episode_id"], key=row["key"],
        confirmed=bool(row["confirmed"]), not_applicable=bool(row["not_applicable"]),
        details=from_json(row["details"], {}), answered_by=row["answered_by"],
        answered_at=parse_utc(row["answered_at"]),
        superseded_by=row["superseded_by"],
    )


def save_checklist_answer(
    db: Database,
    episode_id: int,
    key: str,
    answer: ManualAnswer,
    *,
    actor_id: int,
    at: datetime,
) -> ChecklistAnswer:
    """Append an answer for ``key``; the previous one is marked superseded by it."""
    with transaction(db):
        ensure_unlocked(db, episode_id)
        previous = fetch_rows(
            db, 'SELECT * FROM checklist_answers WHERE episode_id = ? AND "key" = ? '
            "AND superseded_by IS NULL", [episode_id, key],
        )
        row = insert_row(
            db, "checklist_answers",
            {"episode_id": episode_id, "key": key, "confirmed": int(bool(answer.confirmed)),
             "not_applicable": int(bool(answer.not_applicable)),
             "details": to_json(dict(answer.details)),
             "answered_by": actor_id, "answered_at": utc_text(at)},
            action="save_checklist_answer", actor_id=actor_id, at=at,
        )
        for old in previous:
            update_row(db, "checklist_answers", old["id"], {"superseded_by": row["id"]},
                       action="save_checklist_answer", actor_id=actor_id, at=at, before=old)
    return _answer(row)


def current_checklist(db: Database, episode_id: int) -> dict[str, ChecklistAnswer]:
    rows = fetch_rows(
        db, "SELECT * FROM checklist_answers WHERE episode_id = ? AND superseded_by IS NULL "
        "ORDER BY id", [episode_id],
    )
    return {row["key"]: _answer(row) for row in rows}


def checklist_history(db: Database, episode_id: int) -> list[ChecklistAnswer]:
    rows = fetch_rows(
        db, "SELECT * FROM checklist_answers WHERE episode_id = ? ORDER BY id", [episode_id]
    )
    return [_answer(row) for row in rows]


# --- overrides ----------------------------------------------------------------------


def _override(row: Row) -> OverrideRecord:
    return OverrideRecord(
        id=row["id"], episode_id=row["episode_id"], criterion=row["criterion"],
        reason=row["reason"], prescriber_id=row["prescriber_id"],
        recorded_by=row["recorded_by"],
        recorded_at=parse_utc(row["recorded_at"]),
        voided_at=parse_utc(row["voided_at"]), voided_by=row["voided_by"],
        void_reason=row["void_reason"] or "",
    )


def _in_force(db: Database, episode_id: int, criterion: str) -> list[Row]:
    return fetch_rows(
        db, "SELECT * FROM overrides WHERE episode_id = ? AND criterion = ? "
        "AND voided_at IS NULL ORDER BY id", [episode_id, criterion],
    )


def _withdraw(db: Database, row: Row, reason: str, actor_id: int, at: datetime) -> Row:
    return update_row(
        db, "overrides", row["id"],
        {"voided_at": utc_text(at), "voided_by": actor_id, "void_reason": reason},
        action="void_override", actor_id=actor_id, at=at, before=row,
    )


def add_override(
    db: Database, episode_id: int, override: Override, *, actor_id: int, at: datetime
) -> OverrideRecord:
    """Record that a prescriber authorised discharge although a criterion is not met.

    An override already in force for the same criterion is withdrawn (voided) by it.
    """
    reason = clean_text(override.reason, "reason", "written reason for the override",
                        multiline=True)
    with transaction(db):
        ensure_unlocked(db, episode_id)
        get_row(db, "staff", override.prescriber_id, "prescriber")
        for old in _in_force(db, episode_id, override.criterion):
            _withdraw(db, old, "replaced by a new override", actor_id, at)
        row = insert_row(
            db, "overrides",
            {"episode_id": episode_id, "criterion": override.criterion, "reason": reason,
             "prescriber_id": override.prescriber_id, "recorded_by": actor_id,
             "recorded_at": utc_text(at)},
            action="add_override", actor_id=actor_id, at=at,
        )
    return _override(row)


def void_override(
    db: Database,
    episode_id: int,
    criterion: str,
    *,
    actor_id: int,
    at: datetime,
    reason: str = "withdrawn",
) -> OverrideRecord:
    """Withdraw the override in force for ``criterion``; it stays on record, voided."""
    reason = clean_text(reason, "reason", "reason for withdrawing this override")
    with transaction(db):
        ensure_unlocked(db, episode_id)
        in_force = _in_force(db, episode_id, criterion)
        if not in_force:
            raise ValidationError("override", f"no override in force for {criterion}")
        rows = [_withdraw(db, old, reason, actor_id, at) for old in in_force]
    return _override(rows[-1])


def list_overrides(db: Database, episode_id: int) -> list[OverrideRecord]:
    """Every override of the episode, withdrawn ones included, oldest first."""
    rows = fetch_rows(db, "SELECT * FROM overrides WHERE episode_id = ? ORDER BY id", [episode_id])
    return [_override(row) for row in rows]


def current_overrides(db: Database, episode_id: int) -> list[OverrideRecord]:
    """The overrides in force (at most one per criterion), oldest first."""
    rows = fetch_rows(
        db, "SELECT * FROM overrides WHERE episode_id = ? AND voided_at IS NULL ORDER BY id",
        [episode_id],
    )
    return [_override(row) for row in rows]


# --- REMS answers -------------------------------------------------------------------


def _rems(row: Row) -> RemsAnswer:
    return RemsAnswer(
        id=row["id"], episode_id=row["episode_id"], key=row["key"],
        value=from_json(row["value"], None), answered_by=row["answered_by"],
        answered_at=parse_utc(row["answered_at"]),
    )


def save_rems_answer(
    db: Database, episode_id: int, key: str, value: Any, *, actor_id: int, at: datetime
) -> RemsAnswer:
    """Append an answer to a REMS form question (any JSON-able value); the latest wins."""
    with transaction(db):
        ensure_unlocked(db, episode_id)
        row = insert_row(
            db, "rems_answers",
            {"episode_id": episode_id, "key": key, "value": to_json(value),
             "answered_by": actor_id, "answered_at": utc_text(at)},
            action="save_rems_answer", actor_id=actor_id, at=at,
        )
    return _rems(row)


def current_rems_answers(db: Database, episode_id: int) -> dict[str, Any]:
    """key -> the latest answer's value."""
    return {answer.key: answer.value for answer in rems_history(db, episode_id)}


def rems_history(db: Database, episode_id: int) -> list[RemsAnswer]:
    """Every REMS answer with who and when, oldest first (the latest per key wins)."""
    rows = fetch_rows(
        db, "SELECT * FROM rems_answers WHERE episode_id = ? ORDER BY id", [episode_id]
    )
    return [_rems(row) for row in rows]
