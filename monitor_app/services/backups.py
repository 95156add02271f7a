"""Automatic backups: once a day while the app runs and on close, keeping the last N."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor_app.domain.models import ValidationError
from monitor_app.services.context import ServiceContext
from monitor_app.storage.backup import backup_database, newest_first, prune_backups
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


class BackupUseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def backup_now(self) -> Path:
        """A consistent copy in the backup folder; older ones beyond the number kept
        are removed. Raises StorageError or OSError with a message on failure."""
        folder = self.ctx.backup_dir()
        stamp = self.ctx.clock.now().strftime("%Y%m%d-%H%M%S")
        dest = folder / f"{BACKUP_PREFIX}{stamp}.db"
        n = 1
        while dest.exists():
            n += 1
            dest = folder / f"{BACKUP_PREFIX}{stamp}-{n}.db"
        try:
            backup_database(self.ctx.db, dest)
        except OSError as exc:
            raise StorageError(f"could not write a backup to {folder}: "
                               f"{exc.strerror or exc}. Check the backup folder in "
                               "Settings.") from exc
        prune_backups(folder, self.ctx.settings().backups_kept, f"{BACKUP_PREFIX}*.db",
                      just_made=dest)
        return dest

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
                return None
        return self.backup_now()
