"""The audit trail's hashing, without the database: canonical JSON, the SHA-256 of an
event and of signed content, and a row as the log records it (secrets fingerprinted).
``audit`` describes the chain these make."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64
SECRET_COLUMNS = frozenset({"pin_hash"})
Row = dict[str, Any]

_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> str:
    """Keys sorted, no spaces, UTF-8 text kept as is, no NaN or infinity."""
    return _CANONICAL.encode(value)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signature_content_hash(content: dict[str, Any]) -> str:
    """The hash that binds a signature to exactly what was signed."""
    return sha256_hex(canonical_json(content))


def event_hash(
    prev_hash: str,
    at: str,
    actor_id: int | None,
    action: str,
    table_name: str,
    row_id: int,
    before: str | None,
    after: str | None,
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "prev_hash": prev_hash,
                "at": at,
                "actor_id": actor_id,
                "action": action,
                "table_name": table_name,
                "row_id": row_id,
                "before": before,
                "after": after,
            }
        )
    )


def row_json(row: Row) -> str:
    """A full row as the audit log records it (secrets fingerprinted)."""
    return canonical_json(redacted(row))


def redacted(row: Row) -> Row:
    if SECRET_COLUMNS.isdisjoint(row):
        return row
    clean = dict(row)
    for column in SECRET_COLUMNS & clean.keys():
        value = clean[column]
        if value is not None:
            clean[column] = "sha256:" + sha256_hex(str(value))
    return clean
