"""Signatures and addenda.

A signature binds exactly what was shown to the signer (``content``) by its hash
(``audit.signature_content_hash``), with the printed name, credentials and meaning.
A discharge signature locks the episode (database triggers); later facts go in an
addendum, which can itself be signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from monitor_app.domain.models import Phase
from monitor_app.domain.text import clean_text
from monitor_app.storage import audit
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

SignatureKind = Literal["discharge", "addendum"]


@dataclass(frozen=True)
class Addendum:
    id: int
    episode_id: int
    text: str
    created_by: int
    created_at: datetime


@dataclass(frozen=True)
class Signature:
    id: int
    episode_id: int
    kind: SignatureKind
    signer_id: int
    signer_name: str
    signer_credentials: str
    meaning: str  # "Discharged by"
    signed_at: datetime
    content_hash: str
    content: dict[str, Any] = field(default_factory=dict)
    addendum_id: int | None = None


def _addendum(row: Row) -> Addendum:
    return Addendum(
        id=row["id"], episode_id=row["episode_id"], text=row["text"],
        created_by=row["created_by"],
        created_at=parse_utc(row["created_at"]),
    )


def _signature(row: Row) -> Signature:
    return Signature(
        id=row["id"], episode_id=row["episode_id"], kind=row["kind"],
        signer_id=row["signer_id"], signer_name=row["signer_name"],
        signer_credentials=row["signer_credentials"], meaning=row["meaning"],
        signed_at=parse_utc(row["signed_at"]),
        content_hash=row["content_hash"], content=from_json(row["content"], {}),
        addendum_id=row["addendum_id"],
    )


def add_addendum(
    db: Database, episode_id: int, text: str, *, actor_id: int, at: datetime
) -> Addendum:
    """A later fact about an episode (allowed after signing); sign it with add_signature."""
    text = clean_text(text, "addendum", "addendum", multiline=True)
    with transaction(db):
        get_row(db, "episodes", episode_id, "episode")
        row = insert_row(
            db, "addenda",
            {"episode_id": episode_id, "text": text, "created_by": actor_id,
             "created_at": utc_text(at)},
            action="add_addendum", actor_id=actor_id, at=at,
        )
    return _addendum(row)


def add_signature(
    db: Database,
    episode_id: int,
    kind: SignatureKind,
    signer_id: int,
    meaning: str,
    content: dict[str, Any],
    *,
    at: datetime,
    addendum_id: int | None = None,
) -> Signature:
    """Sign ``content`` (exactly what was shown) as ``signer_id``; the signer is the actor.

    The printed name and credentials are copied from the staff record now, and the
    content is bound by ``audit.signature_content_hash``. A 'discharge' signature
    locks the episode: change its phase first (see ``sign_discharge``).
    """
    if kind not in ("discharge", "addendum"):
        raise ValueError(f"unknown signature kind {kind!r}")
    meaning = clean_text(meaning, "meaning", "meaning of the signature")
    with transaction(db):
        if kind == "discharge":
            ensure_unlocked(db, episode_id)
        signer = get_row(db, "staff", signer_id, "staff member")
        row = insert_row(
            db, "signatures",
            {"episode_id": episode_id, "kind": kind, "addendum_id": addendum_id,
             "signer_id": signer_id, "signer_name": signer["name"],
             "signer_credentials": signer["credentials"], "meaning": meaning,
             "signed_at": utc_text(at), "content_hash": audit.signature_content_hash(content),
             "content": to_json(content)},
            action=f"sign_{kind}", actor_id=signer_id, at=at,
        )
    return _signature(row)


def sign_discharge(
    db: Database,
    episode_id: int,
    signer_id: int,
    meaning: str,
    content: dict[str, Any],
    *,
    at: datetime,
) -> Signature:
    """Close the episode as discharged at ``at`` and sign it, in one transaction."""
    with transaction(db):
        before = ensure_unlocked(db, episode_id)
        update_row(db, "episodes", episode_id,
                   {"phase": Phase.DISCHARGED.value, "closed_at": utc_text(at)},
                   action="sign_discharge", actor_id=signer_id, at=at, before=before)
        return add_signature(db, episode_id, "discharge", signer_id, meaning, content, at=at)


def sign_addendum(
    db: Database,
    episode_id: int,
    text: str,
    signer_id: int,
    meaning: str,
    content: dict[str, Any],
    *,
    at: datetime,
) -> tuple[Addendum, Signature]:
    """Add an addendum and sign it, in one transaction (``content`` should hold the text)."""
    with transaction(db):
        addendum = add_addendum(db, episode_id, text, actor_id=signer_id, at=at)
        signature = add_signature(db, episode_id, "addendum", signer_id, meaning, content,
                                  at=at, addendum_id=addendum.id)
    return addendum, signature


def list_signatures(db: Database, episode_id: int) -> list[Signature]:
    rows = fetch_rows(db, "SELECT * FROM signatures WHERE episode_id = ? ORDER BY id", [episode_id])
    return [_signature(row) for row in rows]


def list_addenda(db: Database, episode_id: int) -> list[Addendum]:
    rows = fetch_rows(db, "SELECT * FROM addenda WHERE episode_id = ? ORDER BY id", [episode_id])
    return [_addendum(row) for row in rows]


def is_signed(db: Database, episode_id: int) -> bool:
    found = db.execute(
        "SELECT 1 FROM signatures WHERE episode_id = ? AND kind = 'discharge'", [episode_id]
    ).fetchone()
    return found is not None


def signed_episodes(db: Database) -> list[tuple[int, str, datetime]]:
    """(id, number, time of its latest signature, addenda included) of every episode
    with a discharge signature, oldest first."""
    rows = db.execute(
        "SELECT e.id, e.number, (SELECT max(signed_at) FROM signatures AS l "
        "WHERE l.episode_id = e.id) FROM episodes AS e JOIN signatures AS s "
        "ON s.episode_id = e.id AND s.kind = 'discharge' ORDER BY e.id")
    return [(row[0], row[1], parse_utc(row[2])) for row in rows]


def signed_addenda_counts(db: Database) -> dict[int, int]:
    """episode id -> how many signed addenda it has (episodes without any are absent)."""
    rows = db.execute("SELECT episode_id, count(*) FROM signatures WHERE kind = 'addendum' "
                      "GROUP BY episode_id")
    return {row[0]: row[1] for row in rows}
