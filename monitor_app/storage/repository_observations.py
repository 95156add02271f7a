"""Observations and alert acknowledgements (what was done about the alerts is in
``repository_responses``).

An observation is never changed: ``void_observation`` fills only the void columns,
and ``correct_observation`` voids the old one and records the new one that
``supersedes`` it, in one transaction. The database's triggers enforce both this
and the signed lock; the checks here only give friendlier messages first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime

from monitor_app.domain.models import (
    AlertAck,
    Observation,
    ObservationSource,
    ValidationError,
    Vitals,
)
from monitor_app.storage.connection import Database
from monitor_app.storage.db import parse_utc, utc_text
from monitor_app.storage.repository_base import (
    NotFound,
    Row,
    fetch_row,
    fetch_rows,
    from_json,
    get_row,
    ids_json,
    insert_row,
    require_transaction,
    to_json,
    transaction,
    update_row,
)
from monitor_app.storage.repository_episodes import ensure_unlocked

# --- observations -------------------------------------------------------------------


def _observation(row: Row) -> Observation:
    vitals = Vitals(
        hr=row["hr"],
        sbp=row["sbp"],
        dbp=row["dbp"],
        spo2=row["spo2"],
        rr=row["rr"],
        temp_c=row["temp_c"],
        on_oxygen=bool(row["on_oxygen"]),
        moaas=row["moaas"],
        dissociation=row["dissociation"],
        side_effects=() if row["side_effects"] == _NONE else tuple(
            from_json(row["side_effects"], [])),
        note=row["note"],
        missing_reason=row["missing_reason"],
    )
    return Observation(
        id=row["id"],
        episode_id=row["episode_id"],
        taken_at=parse_utc(row["taken_at"]),
        entered_at=parse_utc(row["entered_at"]),
        recorded_by=row["recorded_by"],
        vitals=vitals,
        supersedes=row["supersedes"],
        voided_at=parse_utc(row["voided_at"]),
        voided_by=row["voided_by"],
        void_reason=row["void_reason"] or "",
        source=ObservationSource(row.get("source") or ObservationSource.MANUAL),
    )


_NONE = "[]"  # no side effects, as stored: most observations (no JSON to write or read)


def _vitals_values(vitals: Vitals) -> Row:
    return {
        "hr": vitals.hr,
        "sbp": vitals.sbp,
        "dbp": vitals.dbp,
        "spo2": vitals.spo2,
        "rr": vitals.rr,
        "temp_c": None if vitals.temp_c is None else float(vitals.temp_c),
        "on_oxygen": int(bool(vitals.on_oxygen)),
        "moaas": vitals.moaas,
        "dissociation": vitals.dissociation,
        "side_effects": to_json(list(vitals.side_effects)) if vitals.side_effects else _NONE,
        "note": vitals.note.strip(),
        "missing_reason": vitals.missing_reason.strip(),
    }


_INTEGER_COLUMNS = ("episode_id", "recorded_by", "hr", "sbp", "dbp", "spo2", "rr",
                    "on_oxygen", "moaas", "dissociation", "supersedes")


def _typed(values: Row) -> bool:
    """Every value of an INTEGER column an int (or NULL): the row reads back as inserted."""
    return all(values[c] is None or type(values[c]) is int for c in _INTEGER_COLUMNS)


def add_observation(
    db: Database,
    episode_id: int,
    taken_at: datetime,
    entered_at: datetime,
    vitals: Vitals,
    recorded_by: int,
    supersedes: int | None = None,
    *,
    actor_id: int | None = None,
    at: datetime | None = None,
    episode_checked: bool = False,
    source: ObservationSource = ObservationSource.MANUAL,
    in_caller_transaction: bool = False,
) -> Observation:
    """Record one observation; audited as done by ``actor_id`` (default ``recorded_by``)
    at ``at`` (default ``entered_at``). ``episode_checked``: the caller has just read the
    episode (its lock triggers still refuse a signed one), so it is not read again.
    ``in_caller_transaction``: part of the caller's ``transaction`` (no savepoint)."""
    values = {
        "episode_id": episode_id,
        "taken_at": utc_text(taken_at),
        "entered_at": utc_text(entered_at),
        "recorded_by": recorded_by,
        **_vitals_values(vitals),
        "supersedes": supersedes,
    }
    if source != ObservationSource.MANUAL:  # the column's default (absent before m012)
        values["source"] = ObservationSource(source).value
    if in_caller_transaction:
        require_transaction(db)
    with contextlib.nullcontext() if in_caller_transaction else transaction(db):
        if not episode_checked:
            ensure_unlocked(db, episode_id)
        row = insert_row(db, "observations", values, action="add_observation",
                         actor_id=recorded_by if actor_id is None else actor_id,
                         at=at or entered_at, typed=_typed(values))
    return _observation(row)


def _void(db: Database, obs_id: int, reason: str, actor_id: int, at: datetime,
          action: str) -> Row:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("reason", "give the reason for voiding this observation")
    before = get_row(db, "observations", obs_id, "observation")
    ensure_unlocked(db, before["episode_id"])
    if before["voided_at"] is not None:
        raise ValidationError("observation", "this observation is already voided")
    return update_row(
        db, "observations", obs_id,
        {"voided_at": utc_text(at), "voided_by": actor_id, "void_reason": reason},
        action=action, actor_id=actor_id, at=at, before=before,
    )


def void_observation(
    db: Database, obs_id: int, reason: str, *, actor_id: int, at: datetime
) -> Observation:
    """Void a mistaken observation; it stays visible, with who, when and why."""
    with transaction(db):
        row = _void(db, obs_id, reason, actor_id, at, "void_observation")
    return _observation(row)


def correct_observation(
    db: Database,
    obs_id: int,
    reason: str,
    vitals: Vitals,
    taken_at: datetime,
    *,
    actor_id: int,
    at: datetime,
    entered_at: datetime | None = None,
    recorded_by: int | None = None,
) -> Observation:
    """Void ``obs_id`` and record its correction (``supersedes=obs_id``) together.

    The new observation is entered at ``entered_at`` (default ``at``) by
    ``recorded_by`` (default ``actor_id``).
    """
    with transaction(db):
        old = _void(db, obs_id, reason, actor_id, at, "correct_observation")
        values = {
            "episode_id": old["episode_id"],
            "taken_at": utc_text(taken_at),
            "entered_at": utc_text(entered_at or at),
            "recorded_by": actor_id if recorded_by is None else recorded_by,
            **_vitals_values(vitals),
            "supersedes": obs_id,
        }
        row = insert_row(db, "observations", values, action="correct_observation",
                         actor_id=actor_id, at=at)
    return _observation(row)


def get_observation(db: Database, obs_id: int) -> Observation | None:
    row = fetch_row(db, "observations", obs_id)
    return _observation(row) if row else None


# (column names, stored values) -> the Observation they read as. ``_observation`` is a
# pure function of the stored row, so a row read again (every save reads its episode's
# observations) is not parsed again; a voided row reads as a new key.
_PARSED: dict[tuple[tuple[str, ...], tuple[object, ...]], Observation] = {}
_PARSED_MAX = 20_000


def _observations(db: Database, sql: str, params: list[object]) -> list[Observation]:
    cursor = db.execute(sql, params)
    names = tuple(d[0] for d in cursor.description)
    found = []
    for values in cursor.fetchall():
        key = (names, values)
        obs = _PARSED.get(key)
        if obs is None:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            obs = _PARSED[key] = _observation(dict(zip(names, values, strict=True)))
        found.append(obs)
    return found


def list_observations(db: Database, episode_id: int) -> list[Observation]:
    """All of an episode's observations, voided ones included, by taken_at then id."""
    return _observations(
        db, "SELECT * FROM observations WHERE episode_id = ? ORDER BY taken_at, id", [episode_id]
    )


def observations_for_episodes(
    db: Database, episode_ids: Iterable[int]
) -> dict[int, list[Observation]]:
    """Each episode's observations (voided included), in one query, for the board."""
    result: dict[int, list[Observation]] = {int(i): [] for i in episode_ids}
    found = _observations(
        db,
        "SELECT * FROM observations WHERE episode_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY episode_id, taken_at, id",
        [ids_json(result)],
    )
    for obs in found:
        result[obs.episode_id].append(obs)
    return result


def latest_observations(db: Database, episode_ids: Iterable[int]) -> dict[int, Observation]:
    """The latest valid (not voided) observation of each episode that has one."""
    rows = fetch_rows(
        db,
        """SELECT * FROM (
               SELECT *, row_number() OVER (
                   PARTITION BY episode_id ORDER BY taken_at DESC, id DESC) AS _rank
               FROM observations
               WHERE episode_id IN (SELECT value FROM json_each(?)) AND voided_at IS NULL
           ) WHERE _rank = 1""",
        [ids_json(episode_ids)],
    )
    return {row["episode_id"]: _observation(row) for row in rows}


# --- alert acknowledgements ---------------------------------------------------------


def _ack(row: Row) -> AlertAck:
    return AlertAck(
        observation_id=row["observation_id"],
        code=row["code"],
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=parse_utc(row["acknowledged_at"]),
    )


def ack_alert(
    db: Database, observation_id: int, code: str, *, actor_id: int, at: datetime
) -> AlertAck:
    """Acknowledge one alert of one observation; a second acknowledgement keeps the first."""
    with transaction(db):
        obs = fetch_row(db, "observations", observation_id)
        if obs is None:
            raise NotFound(f"no observation with id {observation_id}")
        existing = fetch_rows(
            db, "SELECT * FROM alert_acks WHERE observation_id = ? AND code = ?",
            [observation_id, code],
        )
        if existing:
            return _ack(existing[0])
        ensure_unlocked(db, obs["episode_id"])
        row = insert_row(
            db, "alert_acks",
            {"episode_id": obs["episode_id"], "observation_id": observation_id, "code": code,
             "acknowledged_by": actor_id, "acknowledged_at": utc_text(at)},
            action="ack_alert", actor_id=actor_id, at=at,
        )
    return _ack(row)


def alert_acks(db: Database, episode_id: int) -> dict[int, frozenset[str]]:
    """observation id -> the alert codes acknowledged on it, for one episode."""
    found: dict[int, set[str]] = {}
    for obs_id, code in db.execute(
        "SELECT observation_id, code FROM alert_acks WHERE episode_id = ?", [episode_id]
    ):
        found.setdefault(obs_id, set()).add(code)
    return {obs_id: frozenset(codes) for obs_id, codes in found.items()}


def alert_acks_for_episodes(db: Database, episode_ids: list[int]
                            ) -> dict[int, frozenset[str]]:
    """observation id -> the alert codes acknowledged on it, for several episodes at once."""
    found: dict[int, set[str]] = {}
    if not episode_ids:
        return {}
    marks = ", ".join("?" for _ in episode_ids)
    for obs_id, code in db.execute(
        f"SELECT observation_id, code FROM alert_acks WHERE episode_id IN ({marks})",
        list(episode_ids),
    ):
        found.setdefault(obs_id, set()).add(code)
    return {obs_id: frozenset(codes) for obs_id, codes in found.items()}


def list_alert_acks(db: Database, episode_id: int) -> list[AlertAck]:
    rows = fetch_rows(
        db, "SELECT * FROM alert_acks WHERE episode_id = ? ORDER BY id", [episode_id]
    )
    return [_ack(row) for row in rows]
