"""The SQL of the rules the file enforces itself: append-only tables, void-only and
supersede-only updates, and the lock of a signed episode. Shared by the migrations
that create those triggers and those that must recreate them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

# Tables whose rows belong to one episode: the signed lock covers them.
EPISODE_CHILD_TABLES = (
    "observations",
    "alert_acks",
    "checklist_answers",
    "overrides",
    "rems_answers",
)
NEVER_DELETED = (
    "staff",
    "patients",
    "episodes",
    *EPISODE_CHILD_TABLES,
    "signatures",
    "addenda",
    "audit",
)
NEVER_UPDATED = ("alert_acks", "rems_answers", "signatures", "addenda", "audit")
LOCKED_MESSAGE = "episode is signed and locked; add an addendum"
OBSERVATION_MESSAGE = "observations are never changed: void and correct"
GENESIS_HASH = "0" * 64

OBSERVATION_VALUE_COLUMNS = (
    "id", "episode_id", "taken_at", "entered_at", "recorded_by", "hr", "sbp", "dbp",
    "spo2", "rr", "temp_c", "on_oxygen", "moaas", "dissociation", "side_effects", "note",
    "missing_reason", "supersedes",
)
OVERRIDE_VALUE_COLUMNS = (
    "id", "episode_id", "criterion", "reason", "prescriber_id", "recorded_by", "recorded_at",
)
CHECKLIST_VALUE_COLUMNS = (
    "id", "episode_id", "key", "confirmed", "not_applicable", "details", "answered_by",
    "answered_at",
)
EPISODE_FIXED_COLUMNS = ("id", "number", "patient_id", "created_at", "created_by")

VOID_FILLED = (
    "OLD.voided_at IS NULL AND OLD.voided_by IS NULL AND OLD.void_reason IS NULL "
    "AND NEW.voided_at IS NOT NULL AND NEW.voided_by IS NOT NULL "
    "AND trim(coalesce(NEW.void_reason, '')) <> ''"
)


def run(db: Database, statements: Iterable[str]) -> None:
    for statement in statements:
        db.execute(statement)


def unchanged(columns: Iterable[str]) -> str:
    return " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns)


def refuse(name: str, event: str, table: str, message: str, when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table}{condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def signed(episode_expr: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM signatures AS s "
        f"WHERE s.episode_id = {episode_expr} AND s.kind = 'discharge')"
    )
