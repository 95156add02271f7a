"""What every use case is given: the database, the clock, the protocols, the score
tables and the clinic's folders, built once when the services open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from monitor_app.clock import Clock
from monitor_app.domain.models import Episode, Role, Staff, ValidationError
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.scores import AldreteTable, News2Table
from monitor_app.services.errors import NotAllowed
from monitor_app.services.settings import ClinicSettings, read_settings
from monitor_app.storage import repository as repo
from monitor_app.storage.connection import Database


def local_zone(clock: Clock) -> tzinfo:
    """The station's time zone, read at the clock's time (DST-correct)."""
    return clock.now().astimezone().tzinfo  # type: ignore[return-value]


@dataclass
class ServiceContext:
    """What every use case works with: the database, the clock, protocols and score tables."""

    db: Database
    db_path: Path | None  # read at open: the connection belongs to its thread
    clock: Clock
    protocols: dict[str, Protocol]
    news2_table: News2Table
    aldrete_table: AldreteTable
    resources: Path
    data_dir: Path

    def settings(self) -> ClinicSettings:
        """The clinic's settings as stored now (read each time: never stale)."""
        return read_settings(self.db)

    def archive_dir(self, settings: ClinicSettings | None = None) -> Path:
        folder = (settings or self.settings()).archive_dir
        return Path(folder) if folder else self.data_dir / "archive"

    def backup_dir(self, settings: ClinicSettings | None = None) -> Path:
        folder = (settings or self.settings()).backup_dir
        return Path(folder) if folder else self.data_dir / "backups"

    def local_zone(self) -> tzinfo:
        return local_zone(self.clock)

    def protocol_of(self, episode: Episode) -> Protocol:
        protocol = self.protocols.get(episode.protocol_id)
        if protocol is None:
            raise NotAllowed("protocol", f"protocol '{episode.protocol_id}' of episode "
                             f"{episode.number} is not installed; restore its file")
        return protocol

    def staff_member(self, staff_id: int) -> Staff:
        member = repo.get_staff(self.db, staff_id)
        if member is None:
            raise ValidationError("staff", f"no staff member with id {staff_id}")
        return member

    def active_actor(self, actor_id: int) -> Staff:
        """The member of staff doing a write; refused unless the account is active (a
        screen signed in before an administrator deactivated it can no longer act)."""
        actor = repo.get_staff(self.db, actor_id)
        if actor is None or not actor.active:
            raise NotAllowed("staff", "this account is not active; nothing was saved. "
                             "Sign in again as an active member of staff")
        return actor

    def require_role(self, actor_id: int, role: Role) -> Staff:
        actor = self.active_actor(actor_id)
        if actor.role != role:
            raise NotAllowed("role", f"only an {role.value} can do this")
        return actor
