"""The schema, as an ordered list of migrations (sqlite-utils ``Migrations``, set "monitor_app").

Each migration runs in its own transaction together with the record that it was
applied, so an older database is upgraded in place when it is opened, and a failed
upgrade leaves it as it was. Never edit a migration that has shipped: add a new one.

Rules for later migrations:

- a migration that adds or changes a column of an audited table must recreate the
  triggers that list columns (``observations_void_only``, ``overrides_void_only``,
  ``checklist_answers_supersede_only``, ``episodes_fixed_columns``) and record a
  "migrate" audit event for each changed row (``audit.snapshot_rows``), or
  ``audit.verify`` will report every row as changed outside the app;
- SQL statements run one at a time (``executescript`` would commit half a migration).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlite_utils import Database, Migrations

MIGRATION_SET = "monitor_app"
migrations = Migrations(MIGRATION_SET)

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


def apply_migrations(db: Database, *, stop_before: str | Iterable[str] | None = None) -> None:
    """Apply every pending migration (or those before ``stop_before``, for tests)."""
    migrations.apply(db, stop_before=stop_before)


def pending_migrations(db: Database) -> list[str]:
    return [migration.name for migration in migrations.pending(db)]


def _run(db: Database, statements: Iterable[str]) -> None:
    for statement in statements:
        db.execute(statement)


@migrations(name="m001_tables")
def m001_tables(db: Database) -> None:
    _run(
        db,
        [
            """CREATE TABLE settings (
                id INTEGER PRIMARY KEY,
                "key" TEXT NOT NULL UNIQUE,
                "value" TEXT NOT NULL
            ) STRICT""",
            """CREATE TABLE staff (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL CHECK (trim(name) <> ''),
                credentials TEXT NOT NULL DEFAULT '',
                role TEXT NOT NULL,
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                pin_hash TEXT,
                failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
                locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1))
            ) STRICT""",
            """CREATE TABLE patients (
                id INTEGER PRIMARY KEY,
                mrn TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (trim(mrn) <> ''),
                name TEXT NOT NULL CHECK (trim(name) <> ''),
                name_key TEXT NOT NULL,
                dob TEXT NOT NULL,
                sex TEXT NOT NULL DEFAULT ''
            ) STRICT""",
            """CREATE TABLE episodes (
                id INTEGER PRIMARY KEY,
                number TEXT NOT NULL UNIQUE,
                patient_id INTEGER NOT NULL REFERENCES patients(id),
                protocol_id TEXT NOT NULL,
                protocol_version TEXT NOT NULL,
                chair TEXT NOT NULL DEFAULT '',
                weight_kg REAL NOT NULL,
                dose_mg REAL NOT NULL,
                lot_number TEXT NOT NULL DEFAULT '',
                escort_name TEXT NOT NULL DEFAULT '',
                escort_relationship TEXT NOT NULL DEFAULT '',
                escort_phone TEXT NOT NULL DEFAULT '',
                precheck TEXT NOT NULL DEFAULT '{}',
                phase TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by INTEGER NOT NULL REFERENCES staff(id),
                dosing_start TEXT,
                dosing_end TEXT,
                closed_at TEXT,
                closed_reason TEXT NOT NULL DEFAULT '',
                predose_ack_by INTEGER REFERENCES staff(id)
            ) STRICT""",
            """CREATE TABLE observations (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                taken_at TEXT NOT NULL,
                entered_at TEXT NOT NULL,
                recorded_by INTEGER NOT NULL REFERENCES staff(id),
                hr INTEGER,
                sbp INTEGER,
                dbp INTEGER,
                spo2 INTEGER,
                rr INTEGER,
                temp_c REAL,
                on_oxygen INTEGER NOT NULL DEFAULT 0 CHECK (on_oxygen IN (0, 1)),
                moaas INTEGER,
                dissociation INTEGER,
                side_effects TEXT NOT NULL DEFAULT '[]',
                note TEXT NOT NULL DEFAULT '',
                missing_reason TEXT NOT NULL DEFAULT '',
                supersedes INTEGER REFERENCES observations(id),
                voided_at TEXT,
                voided_by INTEGER REFERENCES staff(id),
                void_reason TEXT
            ) STRICT""",
            """CREATE TABLE alert_acks (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                observation_id INTEGER NOT NULL REFERENCES observations(id),
                code TEXT NOT NULL,
                acknowledged_by INTEGER NOT NULL REFERENCES staff(id),
                acknowledged_at TEXT NOT NULL,
                UNIQUE (observation_id, code)
            ) STRICT""",
            """CREATE TABLE checklist_answers (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                "key" TEXT NOT NULL,
                confirmed INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
                not_applicable INTEGER NOT NULL DEFAULT 0 CHECK (not_applicable IN (0, 1)),
                details TEXT NOT NULL DEFAULT '{}',
                answered_by INTEGER NOT NULL REFERENCES staff(id),
                answered_at TEXT NOT NULL,
                superseded_by INTEGER REFERENCES checklist_answers(id)
            ) STRICT""",
            """CREATE TABLE overrides (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                criterion TEXT NOT NULL,
                reason TEXT NOT NULL CHECK (trim(reason) <> ''),
                prescriber_id INTEGER NOT NULL REFERENCES staff(id),
                recorded_by INTEGER NOT NULL REFERENCES staff(id),
                recorded_at TEXT NOT NULL,
                voided_at TEXT,
                voided_by INTEGER REFERENCES staff(id),
                void_reason TEXT
            ) STRICT""",
            """CREATE TABLE rems_answers (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                "key" TEXT NOT NULL,
                "value" TEXT NOT NULL,
                answered_by INTEGER NOT NULL REFERENCES staff(id),
                answered_at TEXT NOT NULL
            ) STRICT""",
            """CREATE TABLE addenda (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                text TEXT NOT NULL CHECK (trim(text) <> ''),
                created_by INTEGER NOT NULL REFERENCES staff(id),
                created_at TEXT NOT NULL
            ) STRICT""",
            """CREATE TABLE signatures (
                id INTEGER PRIMARY KEY,
                episode_id INTEGER NOT NULL REFERENCES episodes(id),
                kind TEXT NOT NULL CHECK (kind IN ('discharge', 'addendum')),
                addendum_id INTEGER REFERENCES addenda(id),
                signer_id INTEGER NOT NULL REFERENCES staff(id),
                signer_name TEXT NOT NULL,
                signer_credentials TEXT NOT NULL DEFAULT '',
                meaning TEXT NOT NULL CHECK (trim(meaning) <> ''),
                signed_at TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                CHECK ((kind = 'discharge') = (addendum_id IS NULL))
            ) STRICT""",
            """CREATE TABLE audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor_id INTEGER,
                action TEXT NOT NULL,
                table_name TEXT NOT NULL,
                row_id INTEGER NOT NULL,
                "before" TEXT,
                "after" TEXT,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            ) STRICT""",
        ],
    )


@migrations(name="m002_indexes")
def m002_indexes(db: Database) -> None:
    _run(
        db,
        [
            "CREATE INDEX patients_name_key ON patients(name_key)",
            "CREATE INDEX episodes_phase ON episodes(phase)",
            "CREATE INDEX episodes_patient ON episodes(patient_id, created_at)",
            "CREATE INDEX episodes_created ON episodes(created_at, id)",
            "CREATE INDEX observations_episode ON observations(episode_id, taken_at, id)",
            "CREATE INDEX alert_acks_episode ON alert_acks(episode_id)",
            'CREATE INDEX checklist_answers_episode ON checklist_answers(episode_id, "key", id)',
            "CREATE INDEX overrides_episode ON overrides(episode_id, criterion, id)",
            'CREATE INDEX rems_answers_episode ON rems_answers(episode_id, "key", id)',
            "CREATE INDEX addenda_episode ON addenda(episode_id, id)",
            "CREATE INDEX signatures_episode ON signatures(episode_id, kind)",
            "CREATE UNIQUE INDEX signatures_one_discharge ON signatures(episode_id) "
            "WHERE kind = 'discharge'",
            "CREATE INDEX audit_row ON audit(table_name, row_id, id)",
        ],
    )


def _unchanged(columns: Iterable[str]) -> str:
    return " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns)


def _refuse(name: str, event: str, table: str, message: str, when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table}{condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


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

_VOID_FILLED = (
    "OLD.voided_at IS NULL AND OLD.voided_by IS NULL AND OLD.void_reason IS NULL "
    "AND NEW.voided_at IS NOT NULL AND NEW.voided_by IS NOT NULL "
    "AND trim(coalesce(NEW.void_reason, '')) <> ''"
)


@migrations(name="m003_append_only")
def m003_append_only(db: Database) -> None:
    statements = [
        _refuse(f"{table}_no_delete", "DELETE", table, f"{table} rows are never deleted")
        for table in NEVER_DELETED
    ]
    statements += [
        _refuse(f"{table}_no_update", "UPDATE", table, f"{table} rows are never changed")
        for table in NEVER_UPDATED
    ]
    statements += [
        _refuse(
            "observations_void_only", "UPDATE", "observations", OBSERVATION_MESSAGE,
            f"NOT ({_VOID_FILLED} AND {_unchanged(OBSERVATION_VALUE_COLUMNS)})",
        ),
        _refuse(
            "overrides_void_only", "UPDATE", "overrides",
            "overrides are never changed: void and record a new one",
            f"NOT ({_VOID_FILLED} AND {_unchanged(OVERRIDE_VALUE_COLUMNS)})",
        ),
        _refuse(
            "checklist_answers_supersede_only", "UPDATE", "checklist_answers",
            "checklist answers are never changed: save a new answer",
            "NOT (OLD.superseded_by IS NULL AND NEW.superseded_by IS NOT NULL "
            f"AND {_unchanged(CHECKLIST_VALUE_COLUMNS)})",
        ),
        _refuse(
            "episodes_fixed_columns", "UPDATE", "episodes",
            "an episode keeps its number, patient and creation for ever",
            f"NOT ({_unchanged(EPISODE_FIXED_COLUMNS)})",
        ),
        _refuse(
            "audit_chain_link", "INSERT", "audit",
            "an audit event must extend the hash chain",
            "NEW.prev_hash IS NOT coalesce("
            f"(SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}')",
        ),
    ]
    _run(db, statements)


def _signed(episode_expr: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM signatures AS s "
        f"WHERE s.episode_id = {episode_expr} AND s.kind = 'discharge')"
    )


@migrations(name="m004_signed_lock")
def m004_signed_lock(db: Database) -> None:
    statements = []
    for table in EPISODE_CHILD_TABLES:
        statements += [
            _refuse(f"{table}_signed_insert", "INSERT", table, LOCKED_MESSAGE,
                    _signed("NEW.episode_id")),
            _refuse(f"{table}_signed_update", "UPDATE", table, LOCKED_MESSAGE,
                    f"{_signed('OLD.episode_id')} OR {_signed('NEW.episode_id')}"),
            _refuse(f"{table}_signed_delete", "DELETE", table, LOCKED_MESSAGE,
                    _signed("OLD.episode_id")),
        ]
    statements += [
        _refuse("episodes_signed_update", "UPDATE", "episodes", LOCKED_MESSAGE,
                _signed("OLD.id")),
        _refuse("episodes_signed_delete", "DELETE", "episodes", LOCKED_MESSAGE,
                _signed("OLD.id")),
        _refuse("signatures_signed_insert", "INSERT", "signatures", LOCKED_MESSAGE,
                f"NEW.kind = 'discharge' AND {_signed('NEW.episode_id')}"),
        _refuse("signatures_addendum_match", "INSERT", "signatures",
                "an addendum signature must name an addendum of the same episode",
                "NEW.kind = 'addendum' AND NOT EXISTS (SELECT 1 FROM addenda AS a "
                "WHERE a.id = NEW.addendum_id AND a.episode_id = NEW.episode_id)"),
    ]
    _run(db, statements)


@migrations(name="m005_patient_search")
def m005_patient_search(db: Database) -> None:
    """A full-text index of patient names, so a search by the start of any word of a
    name stays a few index look-ups however many patients the clinic has seen.

    A derived index, not a record: its name starts with "_", so ``verify`` leaves it
    out, and triggers keep it in step with ``patients`` whoever writes the row.
    """
    _run(
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
    from monitor_app.domain.text import mrn_key

    _run(db, [
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
    _run(db, statements)


ALERT_RESPONSE_ACTIONS = ("rechecked", "prescriber_informed", "treatment_given", "other")


@migrations(name="m008_alert_responses")
def m008_alert_responses(db: Database) -> None:
    """What the nurse did about the alerts of one observation, recorded with their
    acknowledgement: append-only, audited, under the signed lock like ``alert_acks``.

    A new table, not columns on ``alert_acks``: acknowledgements recorded before this
    migration keep exactly the row the audit log holds (no snapshot needed)."""
    table = "alert_responses"
    actions = ", ".join(f"'{a}'" for a in ALERT_RESPONSE_ACTIONS)
    _run(
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
            _refuse(f"{table}_no_delete", "DELETE", table, f"{table} rows are never deleted"),
            _refuse(f"{table}_no_update", "UPDATE", table, f"{table} rows are never changed"),
            _refuse(f"{table}_signed_insert", "INSERT", table, LOCKED_MESSAGE,
                    _signed("NEW.episode_id")),
        ],
    )


@migrations(name="m009_episode_entry")
def m009_episode_entry(db: Database) -> None:
    """Why an unusual fixed dose was given, when dosing times were typed (a time typed
    later than it happened is a late entry), and weight or dose corrections.

    A correction keeps the old and new value with its reason; the episode row then
    holds the new value (its audit event keeps the old row too).
    """
    from monitor_app.storage import audit

    _run(
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
            _refuse("episode_corrections_no_delete", "DELETE", "episode_corrections",
                    "episode_corrections rows are never deleted"),
            _refuse("episode_corrections_no_update", "UPDATE", "episode_corrections",
                    "episode_corrections rows are never changed"),
            _refuse("episode_corrections_signed_insert", "INSERT", "episode_corrections",
                    LOCKED_MESSAGE, _signed("NEW.episode_id")),
        ],
    )
    audit.snapshot_rows(db, "episodes", at=datetime.now(UTC))


@migrations(name="m010_accepted_losses")
def m010_accepted_losses(db: Database) -> None:
    """Saves lost outside the app's control (a deleted ``-wal``, an older copy put in
    place), accepted by someone with ``monitor-app accept-loss``: what the head file
    said, where the database ended, and why it was accepted. ``verify`` reads it to
    tell an acknowledged loss from a rollback."""
    _run(
        db,
        [
            "CREATE TABLE accepted_losses (id INTEGER PRIMARY KEY, accepted_at TEXT NOT NULL, "
            "reason TEXT NOT NULL, kept_event_id INTEGER NOT NULL, "
            "lost_event_id INTEGER NOT NULL, lost_hash TEXT NOT NULL, "
            "lost_at TEXT NOT NULL)",
            _refuse("accepted_losses_no_delete", "DELETE", "accepted_losses",
                    "accepted_losses rows are never deleted"),
            _refuse("accepted_losses_no_update", "UPDATE", "accepted_losses",
                    "accepted_losses rows are never changed"),
        ],
    )


@migrations(name="m011_local_admin_actions")
def m011_local_admin_actions(db: Database) -> None:
    """What was done at the computer without a PIN (``monitor-app unlock-staff``): who
    was logged in to the operating system, on which host, to which staff account.
    Append-only; each row is audited in the same transaction as the change it made."""
    _run(
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
            _refuse("local_admin_actions_no_delete", "DELETE", "local_admin_actions",
                    "local_admin_actions rows are never deleted"),
            _refuse("local_admin_actions_no_update", "UPDATE", "local_admin_actions",
                    "local_admin_actions rows are never changed"),
        ],
    )


@migrations(name="m012_observation_source")
def m012_observation_source(db: Database) -> None:
    """Where an observation's values came from: typed by the nurse ("manual") or a
    bedside monitor's reading the nurse confirmed ("monitor"). Rows before this
    migration were typed. The void-only trigger now also keeps ``source`` fixed."""
    from monitor_app.storage import audit  # here: audit imports db, which imports us

    columns = (*OBSERVATION_VALUE_COLUMNS, "source")
    _run(
        db,
        [
            "ALTER TABLE observations ADD COLUMN source TEXT NOT NULL DEFAULT 'manual' "
            "CHECK (source IN ('manual', 'monitor'))",
            "DROP TRIGGER observations_void_only",
            _refuse("observations_void_only", "UPDATE", "observations", OBSERVATION_MESSAGE,
                    f"NOT ({_VOID_FILLED} AND {_unchanged(columns)})"),
        ],
    )
    audit.snapshot_rows(db, "observations", at=datetime.now(UTC))


@migrations(name="m013_observation_lock_first")
def m013_observation_lock_first(db: Database) -> None:
    """SQLite runs the newest trigger first: m012 recreated the void-only trigger, so a
    change to a signed episode's observation was refused as "never changed" instead of
    naming the signature. Recreating the signed lock puts it first again."""
    _run(
        db,
        [
            "DROP TRIGGER observations_signed_update",
            _refuse("observations_signed_update", "UPDATE", "observations", LOCKED_MESSAGE,
                    f"{_signed('OLD.episode_id')} OR {_signed('NEW.episode_id')}"),
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
    _run(
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
            _refuse(f"{table}_no_delete", "DELETE", table, f"{table} rows are never deleted"),
            _refuse(f"{table}_no_update", "UPDATE", table, f"{table} rows are never changed"),
            _refuse(f"{table}_signed_only", "INSERT", table,
                    "a REMS form is filed only for a signed episode",
                    "NOT EXISTS (SELECT 1 FROM signatures WHERE episode_id = NEW.episode_id "
                    "AND kind = 'discharge')"),
            "CREATE INDEX episodes_protocol ON episodes(protocol_id, created_at, id)",
        ],
    )
