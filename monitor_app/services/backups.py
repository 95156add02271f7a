"""Automatic backups: once a day while the app runs and on close, keeping the last N."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor_app.domain.models import ValidationError
from monitor_app.services.context import ServiceContext
from monitor_app.storage import file_guard
from monitor_app.storage.backup import (
    backup_database,
    backup_file,
    newest_first,
    prune_backups,
)
from monitor_app.storage.connection import Database
from monitor_app.storage.db import StorageError

BACKUP_PREFIX = "monitor-backup-"
BACKUP_EVERY = timedelta(days=1)


def backups_in(folder: Path) -> list[Path]:
    """Backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    return newest_first(list(folder.glob(f"{BACKUP_PREFIX}*.db")))


def latest_backup_for(db_path: Path) -> Path | None:
    """The newest backup in the default folder beside a database (used when the
    database itself cannot be opened, so its settings cannot be read)."""
    found = backups_in(Path(db_path).resolve().parent / "backups")
    return found[0] if found else None


@dataclass(frozen=True)
class BackupJob:
    """A backup decided on the app's thread, to be written on any thread (``run``):
    it reads the database on a connection of its own."""

    db: Database  # the app's, for the head-file flush only
    source: Path | None  # None: an in-memory database, copied on the app's connection
    dest: Path
    keep: int

    def run(self) -> Path:
        """Write the copy and prune the old ones. Raises StorageError with a message."""
        folder = self.dest.parent
        try:
            if self.source is None:
                backup_database(self.db, self.dest)
            else:
                file_guard.flush(self.db)  # the head file beside it names what the copy holds
                backup_file(self.source, self.dest)
        except OSError as exc:
            raise StorageError(f"could not write a backup to {folder}: "
                               f"{exc.strerror or exc}. Check the backup folder in "
                               "Settings.") from exc
        prune_backups(folder, self.keep, f"{BACKUP_PREFIX}*.db", just_made=self.dest)
        return self.dest


class BackupUseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def backup_now(self) -> Path:
        """A consistent copy in the backup folder; older ones beyond the number kept
        are removed. Raises StorageError or OSError with a message on failure."""
        return self._job().run()

    def plan_backup(self, daily: bool) -> BackupJob | None:
        """The next backup (daily: None unless the last one is a day old), to ``run``
        on any thread. Reads the settings, so call it on the app's thread."""
        return None if daily and not self._due() else self._job()

    def _job(self) -> BackupJob:
        folder = self.ctx.backup_dir()
        stamp = self.ctx.clock.now().strftime("%Y%m%d-%H%M%S")
        dest = folder / f"{BACKUP_PREFIX}{stamp}.db"
        n = 1
        while dest.exists():
            n += 1
            dest = folder / f"{BACKUP_PREFIX}{stamp}-{n}.db"
        return BackupJob(self.ctx.db, self.ctx.db_path, dest, self.ctx.settings().backups_kept)

    def backup_to(self, dest: Path) -> Path:
        """A consistent copy at ``dest`` (a new file), or in the folder ``dest`` named
        after the database and the local time of the services' clock."""
        if dest.is_dir():
            stamp = self.ctx.clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
            stem = self.ctx.db_path.stem if self.ctx.db_path else "monitor"
            dest = dest / f"{stem}-{stamp}.db"
        if dest.exists():
            raise ValidationError("dest", f"{dest} already exists; choose a new file name")
        if not dest.parent.exists():
            raise ValidationError("dest", f"folder {dest.parent} does not exist")
        backup_database(self.ctx.db, dest)
        return dest

    def backup_if_due(self) -> Path | None:
        """Back up when the newest backup is a day old (or there is none)."""
        job = self.plan_backup(daily=True)
        return job.run() if job is not None else None

    def _due(self) -> bool:
        newest = backups_in(self.ctx.backup_dir())
        if newest:
            stamp = newest[0].stem.removeprefix(BACKUP_PREFIX)[:15]
            try:
                made = datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
            except ValueError:
                made = None
            now = self.ctx.clock.now()
            # A stamp in the future means the clock stepped back: back up again.
            if made is not None and now - BACKUP_EVERY < made <= now:
                return False
        return True
