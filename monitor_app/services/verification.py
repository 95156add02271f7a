"""Verify the record against the anchors kept outside it; the full integrity check.

``verify_database`` works on a path, never through ``Services.open`` (which would
migrate and take locks): it reads the file read-only and writes nothing anywhere.
``IntegrityUseCases`` runs SQLite's full ``integrity_check`` for the running app; a
damaged file stops new signatures, so a signature never covers a record that reads
incompletely (a broken index can hide rows from a query).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from monitor_app.clock import Clock, SystemClock
from monitor_app.domain.text import clean_text
from monitor_app.services.context import ServiceContext
from monitor_app.services.errors import NotAllowed
from monitor_app.storage import anchors, file_guard, losses
from monitor_app.storage import repository as repo
from monitor_app.storage.connection import SqliteDatabase
from monitor_app.storage.db import open_db
from monitor_app.storage.losses import AcceptedLoss
from monitor_app.storage.record_check import VerifyReport, check_record, open_read_only

__all__ = ["AcceptedLoss", "IntegrityUseCases", "VerifyReport", "accept_loss", "anchor_places",
           "verify_database"]


def anchor_places(db_path: Path, settings: dict[str, object]) -> list[Path]:
    """The head file, the archive and backup folders beside the database and the
    ones set in Settings: where ``verify`` looks for anchors by itself."""
    db_path = Path(db_path)
    folder = db_path.resolve().parent
    places = [anchors.head_path(db_path), folder / "archive", folder / "backups"]
    for key in ("archive_dir", "backup_dir"):
        chosen = settings.get(f"clinic.{key}")
        if isinstance(chosen, str) and chosen.strip():
            places.append(Path(chosen.strip()))
    unique: list[Path] = []
    for place in places:
        if place not in unique:
            unique.append(place)
    return unique


def verify_database(db_path: Path, extra_anchors: Sequence[Path] = ()) -> VerifyReport:
    """Everything ``verify`` checks; raises ``StorageError`` for a file that is not a
    database at all (missing, empty, foreign)."""
    conn = open_read_only(Path(db_path))
    try:
        try:
            settings = repo.all_settings(SqliteDatabase(conn))
        except Exception:  # a damaged or foreign settings table: the checks name it
            settings = {}
        places = anchor_places(Path(db_path), settings) + [Path(p) for p in extra_anchors]
        return check_record(conn, places)
    finally:
        conn.close()


def accept_loss(db_path: Path, reason: str, clock: Clock | None = None) -> AcceptedLoss:
    """Go on with a database that lost saves its head file records; the loss and the
    reason become an audited row. Raises ``StorageError`` when nothing was lost."""
    reason = clean_text(reason, "reason", "reason")
    db = open_db(Path(db_path), check_head=False)
    try:
        return losses.accept_loss(db, reason, at=(clock or SystemClock()).now())
    finally:
        db.close()


class IntegrityUseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.integrity_problem = ""  # set by check_full_integrity; stops new signatures

    def verify(self) -> list[str]:
        """Every problem ``monitor-app verify`` finds in this database (read-only)."""
        if self.ctx.db_path is None:
            from monitor_app.storage.audit import verify

            return verify(self.ctx.db)
        return self.verify_record(own_connection=True).problems

    def verify_record(self, extra_anchors: Sequence[Path] = (), *,
                      own_connection: bool = False) -> VerifyReport:
        """``verify`` on this app's database file, on a read-only connection of its own
        (safe in a worker thread), or on the app's connection (``own_connection``: on
        the thread that opened it; it reads what the app reads whatever lies beside)."""
        if self.ctx.db_path is None:
            return VerifyReport(notes=["an in-memory database has no file to verify"])
        file_guard.flush(self.ctx.db)  # the head file names every save made so far
        if own_connection:
            places = anchor_places(self.ctx.db_path, repo.all_settings(self.ctx.db))
            report = check_record(self.ctx.db.conn, places + [Path(p) for p in extra_anchors])
        else:
            report = verify_database(self.ctx.db_path, extra_anchors)
        damaged = [p for p in report.problems if p.startswith("the file is damaged")]
        self.integrity_problem = damaged[0] if damaged else ""
        guard = file_guard.guard_of(self.ctx.db)
        if guard is not None and guard.head_problem:
            report.problems.append(
                f"{guard.head_problem}: every save is kept, but this anchor is stale. Free "
                "disk space or fix the permissions of the database's folder")
        return report

    def check_full_integrity(self) -> str:
        """SQLite's full ``integrity_check`` on a read-only connection (safe in a worker
        thread); returns the problem ("" when sound) and remembers it."""
        from monitor_app.storage.record_check import integrity_problems

        if self.ctx.db_path is None:
            return ""
        conn = open_read_only(self.ctx.db_path)
        try:
            found = integrity_problems(conn)
        finally:
            conn.close()
        self.integrity_problem = found[0] if found else ""
        return self.integrity_problem

    def require_sound_file(self) -> None:
        """Refuse a new signature while the last integrity check found damage."""
        if self.integrity_problem:
            raise NotAllowed(
                "sign", "signing is stopped: the database file is damaged, so the record "
                "may read incompletely and a signature could cover missing data "
                f"({self.integrity_problem}). Nothing was signed. Close the app, restore "
                "the latest backup (keep the damaged file), then sign.")
