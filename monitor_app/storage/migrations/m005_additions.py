"""The migrations after the first release (m005 on), in the order they run.

NEW MIGRATIONS GO AT THE END OF THIS FILE, named ``m0NN_<what>`` with the next number
(read the rules in ``migrations/__init__.py`` first). When this file nears 400 lines,
start the next module instead (see ``__init__.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlite_utils import Database

from monitor_app.domain.text import mrn_key
from monitor_app.storage import audit
from monitor_app.storage.migration_names import REMS_UNFILED_SOURCE
from monitor_app.storage.migrations.rules import (
    LOCKED_MESSAGE,
    OBSERVATION_MESSAGE,
    OBSERVATION_VALUE_COLUMNS,
    VOID_FILLED,
    refuse,
    run,
    signed,
    unchanged,
)
from monitor_app.storage.migrations.runner import migrations


@migrations(name="m005_patient_search")
def m005_patient_search(db: Database) -> None:
    """A full-text index of patient names, so a search by the start of any word of a
    name stays a few index look-ups however many patients the clinic has seen.

    A derived index, not a record: its name starts with "_", so ``verify`` leaves it
    out, and triggers keep it in step with ``patients`` whoever writes the row.
    """
    run(
        db,
        [
            "CREATE VIRTUAL TABLE _patient_search USING fts5("
            "name_key, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')",
            "INSERT INTO _patient_search(rowid, name_key) SELECT id, name_key FROM patients",
            "CREATE TRIGGER patients_search_insert AFTER INSERT ON patients BEGIN "
            "INSERT INTO _patient_search(rowid, name_key) VALUES (NEW.id, NEW.name_key); END",
            "CREATE TRIGGER patients_search_update AFTER UPDATE OF name_key ON patients BEGIN "
            "DELETE FROM _patient_search WHERE rowid = OLD.id; "
            "INSERT INTO _patient_search(rowid, name_key) VALUES (NEW.id, NEW.name_key); END",
        ],
    )


@migrations(name="m006_mrn_keys")
def m006_mrn_keys(db: Database) -> None:
    """Each patient's MRN in its canonical form (``domain.text.mrn_key``), so a new
    patient whose MRN only looks different ("mrn 0042" beside "MRN-0042") is refused
    in the add-patient transaction with one index look-up.

    Derived, not a record (the name starts with "_"). The index is not unique: a file
    that already holds two such look-alikes keeps both patients as they are.
    """
    run(db, [
        "CREATE TABLE _patient_mrn_keys (patient_id INTEGER PRIMARY KEY "
        "REFERENCES patients(id), mrn_key TEXT NOT NULL) STRICT",
        "CREATE INDEX _patient_mrn_keys_key ON _patient_mrn_keys(mrn_key)",
    ])
    rows = [(pid, mrn_key(mrn)) for pid, mrn in db.execute("SELECT id, mrn FROM patients")]
    db.conn.executemany("INSERT INTO _patient_mrn_keys (patient_id, mrn_key) VALUES (?, ?)",
                        rows)


CLOSED_PHASES_SQL = "('discharged', 'cancelled')"


def _duplicates(db: Database, column: str) -> list[int]:
    """Open episodes sharing ``column`` with an older open one (all but the oldest)."""
    return [row[0] for row in db.execute(
        f"SELECT id FROM episodes AS e WHERE phase NOT IN {CLOSED_PHASES_SQL} AND EXISTS ("
        f"SELECT 1 FROM episodes AS o WHERE o.{column} = e.{column} AND o.id < e.id "
        f"AND o.phase NOT IN {CLOSED_PHASES_SQL})")]


@migrations(name="m007_one_active_episode")
def m007_one_active_episode(db: Database) -> None:
    """One open episode per chair and one per patient, held by the file itself.

    A file that already holds two open episodes on one chair (or for one patient),
    opened by racing stations before this rule, is upgraded without touching them:
    the newer ones are left out of the index by id, so nothing recorded changes and
    the upgrade cannot fail. They stay on the board until discharged or cancelled;
    meanwhile the check inside ``create_episode``'s write transaction, which reads
    every open episode, refuses a new one on their chair or for their patient.
    """
    statements = []
    for column in ("chair", "patient_id"):
        left_out = _duplicates(db, column)
        exempt = f" AND id NOT IN ({', '.join(map(str, left_out))})" if left_out else ""
        statements.append(
            f"CREATE UNIQUE INDEX episodes_one_active_{column} ON episodes({column}) "
            f"WHERE phase NOT IN {CLOSED_PHASES_SQL}{exempt}")
    run(db, statements)


ALERT_RESPONSE_ACTIONS = ("rechecked", "prescriber_informed", "treatment_given", "other")


@migrations(name="m008_alert_responses")
def m008_alert_responses(db: Database) -> None:
    """What the nurse did about the alerts of one observation, recorded with their
    acknowledgement: append-only, audited, under the signed lock like ``alert_acks``.

    A new table, not columns on ``alert_acks``: acknowledgements recorded before this
    migration keep exactly the row the audit log holds (no snapshot needed)."""
    table = "alert_responses"
    actions = ", ".join(f"'{a}'" for a in ALERT_RESPONSE_ACTIONS)
    run(
        db,
        [
            f"""CREATE TABLE {table} (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                observation_id INTEGER NOT NULL REFERENCES observations(id),
                codes TEXT NOT NULL CHECK (json_valid(codes)),
                action TEXT NOT NULL CHECK (action IN ({actions})),
                note TEXT NOT NULL DEFAULT '',
                recorded_by INTEGER NOT NULL REFERENCES staff(id),
                recorded_at TEXT NOT NULL
            ) STRICT""",
            f"CREATE INDEX {table}_episode ON {table}(episode_id, observation_id, id)",
            refuse(f"{table}_no_delete", "DELETE", table, f"{table} rows are never deleted"),
            refuse(f"{table}_no_update", "UPDATE", table, f"{table} rows are never changed"),
            refuse(f"{table}_signed_insert", "INSERT", table, LOCKED_MESSAGE,
                    signed("NEW.episode_id")),
        ],
    )


@migrations(name="m009_episode_entry")
def m009_episode_entry(db: Database) -> None:
    """Why an unusual fixed dose was given, when dosing times were typed (a time typed
    later than it happened is a late entry), and weight or dose corrections.

    A correction keeps the old and new value with its reason; the episode row then
    holds the new value (its audit event keeps the old row too).
    """
    run(
        db,
        [
            "ALTER TABLE episodes ADD COLUMN dose_reason TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE episodes ADD COLUMN dosing_start_entered_at TEXT",
            "ALTER TABLE episodes ADD COLUMN dosing_end_entered_at TEXT",
            """CREATE TABLE episode_corrections (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                field TEXT NOT NULL CHECK (field IN ('weight_kg', 'dose_mg')),
                old_value REAL NOT NULL,
                new_value REAL NOT NULL,
                reason TEXT NOT NULL CHECK (trim(reason) <> ''),
                corrected_by INTEGER NOT NULL REFERENCES staff(id),
                corrected_at TEXT NOT NULL
            ) STRICT""",
            "CREATE INDEX episode_corrections_episode ON episode_corrections(episode_id, id)",
            refuse("episode_corrections_no_delete", "DELETE", "episode_corrections",
                    "episode_corrections rows are never deleted"),
            refuse("episode_corrections_no_update", "UPDATE", "episode_corrections",
                    "episode_corrections rows are never changed"),
            refuse("episode_corrections_signed_insert", "INSERT", "episode_corrections",
                    LOCKED_MESSAGE, signed("NEW.episode_id")),
        ],
    )
    audit.snapshot_rows(db, "episodes", at=datetime.now(UTC))


@migrations(name="m010_accepted_losses")
def m010_accepted_losses(db: Database) -> None:
    """Saves lost outside the app's control (a deleted ``-wal``, an older copy put in
    place), accepted by someone with ``monitor-app accept-loss``: what the head file
    said, where the database ended, and why it was accepted. ``verify`` reads it to
    tell an acknowledged loss from a rollback."""
    run(
        db,
        [
            "CREATE TABLE accepted_losses (id INTEGER PRIMARY KEY, accepted_at TEXT NOT NULL, "
            "reason TEXT NOT NULL, kept_event_id INTEGER NOT NULL, "
            "lost_event_id INTEGER NOT NULL, lost_hash TEXT NOT NULL, "
            "lost_at TEXT NOT NULL)",
            refuse("accepted_losses_no_delete", "DELETE", "accepted_losses",
                    "accepted_losses rows are never deleted"),
            refuse("accepted_losses_no_update", "UPDATE", "accepted_losses",
                    "accepted_losses rows are never changed"),
        ],
    )


@migrations(name="m011_local_admin_actions")
def m011_local_admin_actions(db: Database) -> None:
    """What was done at the computer without a PIN (``monitor-app unlock-staff``): who
    was logged in to the operating system, on which host, to which staff account.
    Append-only; each row is audited in the same transaction as the change it made."""
    run(
        db,
        [
            """CREATE TABLE local_admin_actions (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                action TEXT NOT NULL CHECK (action IN ('unlock', 'unlock_and_reset_pin')),
                staff_id INTEGER NOT NULL REFERENCES staff(id),
                os_user TEXT NOT NULL CHECK (trim(os_user) <> ''),
                host TEXT NOT NULL
            ) STRICT""",
            refuse("local_admin_actions_no_delete", "DELETE", "local_admin_actions",
                    "local_admin_actions rows are never deleted"),
            refuse("local_admin_actions_no_update", "UPDATE", "local_admin_actions",
                    "local_admin_actions rows are never changed"),
        ],
    )


@migrations(name="m012_observation_source")
def m012_observation_source(db: Database) -> None:
    """Where an observation's values came from: typed by the nurse ("manual") or a
    bedside monitor's reading the nurse confirmed ("monitor"). Rows before this
    migration were typed. The void-only trigger now also keeps ``source`` fixed."""
    columns = (*OBSERVATION_VALUE_COLUMNS, "source")
    run(
        db,
        [
            "ALTER TABLE observations ADD COLUMN source TEXT NOT NULL DEFAULT 'manual' "
            "CHECK (source IN ('manual', 'monitor'))",
            "DROP TRIGGER observations_void_only",
            refuse("observations_void_only", "UPDATE", "observations", OBSERVATION_MESSAGE,
                    f"NOT ({VOID_FILLED} AND {unchanged(columns)})"),
        ],
    )
    audit.snapshot_rows(db, "observations", at=datetime.now(UTC))


@migrations(name="m013_observation_lock_first")
def m013_observation_lock_first(db: Database) -> None:
    """SQLite runs the newest trigger first: m012 recreated the void-only trigger, so a
    change to a signed episode's observation was refused as "never changed" instead of
    naming the signature. Recreating the signed lock puts it first again."""
    run(
        db,
        [
            "DROP TRIGGER observations_signed_update",
            refuse("observations_signed_update", "UPDATE", "observations", LOCKED_MESSAGE,
                    f"{signed('OLD.episode_id')} OR {signed('NEW.episode_id')}"),
        ],
    )


@migrations(name="m014_rems_submissions")
def m014_rems_submissions(db: Database) -> None:
    """The clinic's note that it filed a signed session's REMS Patient Monitoring Form:
    the date and the confirmation number (the filing itself stays the clinic's act).
    Append-only: a correction or a withdrawal is a new row that supersedes the old one,
    with its reason; one row can be superseded once. Also an index of episodes by
    protocol, for the REMS queue and the history's protocol filter."""
    table = "rems_submissions"
    run(
        db,
        [
            f"""CREATE TABLE {table} (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                kind TEXT NOT NULL CHECK (kind IN ('submitted', 'withdrawn')),
                submitted_on TEXT CHECK (submitted_on IS NULL OR date(submitted_on) = submitted_on),
                confirmation TEXT NOT NULL DEFAULT '',
                supersedes INTEGER REFERENCES {table}(id),
                reason TEXT NOT NULL DEFAULT '',
                recorded_by INTEGER NOT NULL REFERENCES staff(id),
                recorded_at TEXT NOT NULL,
                CHECK ((kind = 'submitted') = (submitted_on IS NOT NULL
                                               AND trim(confirmation) <> '')),
                CHECK ((supersedes IS NULL) = (trim(reason) = ''))
            ) STRICT""",
            f"CREATE INDEX {table}_episode ON {table}(episode_id, id)",
            f"CREATE UNIQUE INDEX {table}_superseded_once ON {table}(supersedes) "
            "WHERE supersedes IS NOT NULL",
            refuse(f"{table}_no_delete", "DELETE", table, f"{table} rows are never deleted"),
            refuse(f"{table}_no_update", "UPDATE", table, f"{table} rows are never changed"),
            refuse(f"{table}_signed_only", "INSERT", table,
                    "a REMS form is filed only for a signed episode",
                    "NOT EXISTS (SELECT 1 FROM signatures WHERE episode_id = NEW.episode_id "
                    "AND kind = 'discharge')"),
            "CREATE INDEX episodes_protocol ON episodes(protocol_id, created_at, id)",
        ],
    )


@migrations(name="m015_episodes_closed_index")
def m015_episodes_closed_index(db: Database) -> None:
    """An index of closed episodes by the time they closed: the history's "today" lists
    what was discharged or cancelled today, however long before it was opened."""
    run(db, ["CREATE INDEX episodes_closed ON episodes(closed_at) "
             "WHERE closed_at IS NOT NULL"])


@migrations(name="m016_monitor_pending")
def m016_monitor_pending(db: Database) -> None:
    """Each open episode's pending bedside-monitor reading, so one the nurse has not yet
    confirmed is still in the entry form after the app restarts. NOT the record: never
    an observation, never audited (its name starts with "_", so ``verify`` leaves it
    out), replaced by the next reading, deleted when the nurse saves or it goes stale."""
    run(
        db,
        [
            """CREATE TABLE _monitor_pending (
                episode_id INTEGER PRIMARY KEY REFERENCES episodes(id),
                received_at TEXT NOT NULL,
                reading TEXT NOT NULL
            ) STRICT""",
        ],
    )


NAME_PREFIX_LENGTHS = range(1, 13)


@migrations(name="m017_patient_search_prefixes")
def m017_patient_search_prefixes(db: Database) -> None:
    """The name index gets a prefix index for each word length up to 12 letters (it had
    1 to 3). A search word without one made FTS5 merge the lists of every name word it
    starts: "patient" read all 10,000 patients of the 5-year history to find one
    ("patient 000042"). With one, the words' lists are stepped through together and a
    search costs what it finds. The index is rebuilt from ``patients`` (derived, not a
    record); the triggers of m005 keep writing to it by name."""
    prefixes = " ".join(str(n) for n in NAME_PREFIX_LENGTHS)
    run(
        db,
        [
            "DROP TABLE _patient_search",
            "CREATE VIRTUAL TABLE _patient_search USING fts5("
            f"name_key, tokenize = 'unicode61 remove_diacritics 2', prefix = '{prefixes}')",
            "INSERT INTO _patient_search(rowid, name_key) SELECT id, name_key FROM patients",
        ],
    )


@migrations(name="m018_rems_unfiled")
def m018_rems_unfiled(db: Database) -> None:
    """The signed sessions whose REMS form is not filed, by protocol: the REMS count
    and queue read these, not every session the clinic ever signed. Each note supersedes
    the one before it, so an episode's latest note says whether its form stands filed.
    The file cannot tell which protocols file REMS forms (the protocol files say), so
    every signed session enters at its signature; a filing note takes it out, a
    withdrawal puts it back. Derived, not a record (its name starts with "_"): kept in
    step by triggers whoever writes the rows, filled here from the record. Also an index
    of filing notes by the day filed, for the queue's forms filed lately."""
    run(
        db,
        [
            """CREATE TABLE _rems_unfiled (
                episode_id INTEGER PRIMARY KEY REFERENCES episodes(id),
                protocol_id TEXT NOT NULL
            ) STRICT""",
            "CREATE INDEX _rems_unfiled_protocol ON _rems_unfiled(protocol_id)",
            f"INSERT INTO _rems_unfiled(episode_id, protocol_id) {REMS_UNFILED_SOURCE}",
            "CREATE TRIGGER signatures_rems_unfiled AFTER INSERT ON signatures "
            "WHEN NEW.kind = 'discharge' BEGIN INSERT OR IGNORE INTO _rems_unfiled"
            "(episode_id, protocol_id) SELECT id, protocol_id FROM episodes "
            "WHERE id = NEW.episode_id; END",
            "CREATE TRIGGER rems_submissions_filed AFTER INSERT ON rems_submissions "
            "WHEN NEW.kind = 'submitted' BEGIN "
            "DELETE FROM _rems_unfiled WHERE episode_id = NEW.episode_id; END",
            "CREATE TRIGGER rems_submissions_withdrawn AFTER INSERT ON rems_submissions "
            "WHEN NEW.kind = 'withdrawn' BEGIN INSERT OR IGNORE INTO _rems_unfiled"
            "(episode_id, protocol_id) SELECT id, protocol_id FROM episodes "
            "WHERE id = NEW.episode_id; END",
            "CREATE INDEX rems_submissions_filed_on ON rems_submissions(submitted_on) "
            "WHERE kind = 'submitted'",
        ],
    )
