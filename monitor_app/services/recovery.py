"""Recovery at start: what an interrupted run left behind is finished or cleared.

- A signed episode whose archived sheet is missing (the app was killed between the
  signature and the archive, or the folder was unwritable) gets it now.
- Temporary files the app itself writes and renames (``.<name>.<random>.tmp`` beside a
  document, ``.<name>.db.partial`` and its ``-journal`` beside a backup) are removed
  once they are a few minutes old. Nothing else is touched: never the database, its
  ``-wal``/``-shm``/``-journal``, a key or head file, nor a file of another program.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from monitor_app.services.context import ServiceContext
from monitor_app.services.signing import SigningUseCases
from monitor_app.storage import repository as repo

STALE_AFTER_S = 10 * 60  # older than any write in progress could be
_TEMPORARY = re.compile(
    r"^\..+\.(pdf|json|csv)\.[A-Za-z0-9_]{4,16}\.tmp$"  # documents (output_file, write_pdf)
    r"|^\..+\.db\.partial(-journal)?$"  # a backup being copied (storage/backup.py)
)

# DATE_MRN_EPISODE[_patient|_rems][_addendum-N].pdf (domain/documents.archive_suffix)
_ARCHIVED = re.compile(r"[^.].*?_(?P<number>[^_]+?)(?:_(?P<copy>patient|rems))?"
                       r"(?:_addendum-(?P<version>\d+))?\.pdf")


@dataclass
class RecoveryReport:
    archived: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.archived:
            parts.append(f"{len(self.archived)} signed sheet(s) were missing from the archive "
                         "and have been written")
        if self.removed:
            parts.append(f"{len(self.removed)} leftover temporary file(s) removed")
        parts += self.problems
        return "; ".join(parts)


def is_app_temporary(name: str) -> bool:
    return _TEMPORARY.match(name) is not None


def remove_stale_temporaries(folders: list[Path], now_s: float | None = None,
                             older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Delete the app's own temporary files older than ``older_than_s`` in ``folders``
    (not below them); returns what was removed. File times, not the app's clock: the
    question is how long ago the file system last saw the file written."""
    now_s = time.time() if now_s is None else now_s
    removed = []
    for folder in dict.fromkeys(Path(f) for f in folders):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not is_app_temporary(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                if not entry.is_file(follow_symlinks=False) or now_s - info.st_mtime < older_than_s:
                    continue
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


class RecoveryUseCases:
    def __init__(self, ctx: ServiceContext, signing: SigningUseCases) -> None:
        self.ctx = ctx
        self.signing = signing

    def signed_without_archive(self) -> list[int]:
        """Signed episodes whose latest chart copy is not in the archive folder: none at
        all, or none made at their latest addendum (signed, then the app stopped before
        archiving). Archived files are never replaced, so each version has its name."""
        folder = self.ctx.archive_dir()
        versions: dict[str, int] = {}  # episode number -> latest chart copy version archived
        try:
            for entry in os.scandir(folder):
                found = _ARCHIVED.fullmatch(entry.name)
                if found and not found.group("copy"):
                    number, version = found.group("number"), int(found.group("version") or 0)
                    versions[number] = max(versions.get(number, -1), version)
        except OSError:
            pass
        addenda = repo.signed_addenda_counts(self.ctx.db)
        return [episode_id for episode_id, number, _last in repo.signed_episodes(self.ctx.db)
                if versions.get(number, -1) < addenda.get(episode_id, 0)]

    def recover(self) -> RecoveryReport:
        """Finish what an interrupted run left: missing archived sheets are written,
        stale temporary files removed. Never raises for a file problem: they are listed
        in the report."""
        report = RecoveryReport()
        folders = [self.ctx.data_dir, self.ctx.archive_dir(), self.ctx.backup_dir()]
        report.removed = remove_stale_temporaries(folders)
        for episode_id in self.signed_without_archive():
            path, problem = self.signing.archive_after_signing(episode_id)
            if path is not None:
                report.archived.append(path)
            elif problem:
                report.problems.append(problem)
                break  # the same folder problem for every one: say it once
        return report
