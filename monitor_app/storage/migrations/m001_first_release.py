"""The first release's schema: the tables, their indexes, the append-only rules and the
lock of a signed episode (m001 to m004)."""

from __future__ import annotations

from sqlite_utils import Database

from monitor_app.storage.migrations.rules import (
    CHECKLIST_VALUE_COLUMNS,
    EPISODE_CHILD_TABLES,
    EPISODE_FIXED_COLUMNS,
    GENESIS_HASH,
    LOCKED_MESSAGE,
    NEVER_DELETED,
    NEVER_UPDATED,
    OBSERVATION_MESSAGE,
    OBSERVATION_VALUE_COLUMNS,
    OVERRIDE_VALUE_COLUMNS,
    VOID_FILLED,
    refuse,
    run,
    signed,
    unchanged,
)
from monitor_app.storage.migrations.runner import migrations


@migrations(name="m001_tables")
def m001_tables(db: Database) -> None:
    run(
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
    run(
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


@migrations(name="m003_append_only")
def m003_append_only(db: Database) -> None:
    statements = [
        refuse(f"{table}_no_delete", "DELETE", table, f"{table} rows are never deleted")
        for table in NEVER_DELETED
    ]
    statements += [
        refuse(f"{table}_no_update", "UPDATE", table, f"{table} rows are never changed")
        for table in NEVER_UPDATED
    ]
    statements += [
        refuse(
            "observations_void_only", "UPDATE", "observations", OBSERVATION_MESSAGE,
            f"NOT ({VOID_FILLED} AND {unchanged(OBSERVATION_VALUE_COLUMNS)})",
        ),
        refuse(
            "overrides_void_only", "UPDATE", "overrides",
            "overrides are never changed: void and record a new one",
            f"NOT ({VOID_FILLED} AND {unchanged(OVERRIDE_VALUE_COLUMNS)})",
        ),
        refuse(
            "checklist_answers_supersede_only", "UPDATE", "checklist_answers",
            "checklist answers are never changed: save a new answer",
            "NOT (OLD.superseded_by IS NULL AND NEW.superseded_by IS NOT NULL "
            f"AND {unchanged(CHECKLIST_VALUE_COLUMNS)})",
        ),
        refuse(
            "episodes_fixed_columns", "UPDATE", "episodes",
            "an episode keeps its number, patient and creation for ever",
            f"NOT ({unchanged(EPISODE_FIXED_COLUMNS)})",
        ),
        refuse(
            "audit_chain_link", "INSERT", "audit",
            "an audit event must extend the hash chain",
            "NEW.prev_hash IS NOT coalesce("
            f"(SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}')",
        ),
    ]
    run(db, statements)


@migrations(name="m004_signed_lock")
def m004_signed_lock(db: Database) -> None:
    statements = []
    for table in EPISODE_CHILD_TABLES:
        statements += [
            refuse(f"{table}_signed_insert", "INSERT", table, LOCKED_MESSAGE,
                    signed("NEW.episode_id")),
            refuse(f"{table}_signed_update", "UPDATE", table, LOCKED_MESSAGE,
                    f"{signed('OLD.episode_id')} OR {signed('NEW.episode_id')}"),
            refuse(f"{table}_signed_delete", "DELETE", table, LOCKED_MESSAGE,
                    signed("OLD.episode_id")),
        ]
    statements += [
        refuse("episodes_signed_update", "UPDATE", "episodes", LOCKED_MESSAGE,
                signed("OLD.id")),
        refuse("episodes_signed_delete", "DELETE", "episodes", LOCKED_MESSAGE,
                signed("OLD.id")),
        refuse("signatures_signed_insert", "INSERT", "signatures", LOCKED_MESSAGE,
                f"NEW.kind = 'discharge' AND {signed('NEW.episode_id')}"),
        refuse("signatures_addendum_match", "INSERT", "signatures",
                "an addendum signature must name an addendum of the same episode",
                "NEW.kind = 'addendum' AND NOT EXISTS (SELECT 1 FROM addenda AS a "
                "WHERE a.id = NEW.addendum_id AND a.episode_id = NEW.episode_id)"),
    ]
    run(db, statements)
