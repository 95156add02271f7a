"""The use cases: the one API the GUI and the CLI call.

``Services`` is composed of the staff, episode and discharge use cases. Every write is
one storage call, which is one transaction with its audit row. Time comes from the
injected clock; protocol numbers come from the protocol files.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import sqlite_utils

from monitor_app import paths
from monitor_app.clock import Clock, SystemClock
from monitor_app.domain import pins
from monitor_app.domain.models import Role, Staff, ValidationError
from monitor_app.domain.protocol import Protocol, load_protocols
from monitor_app.domain.scores import AldreteTable, News2Table, load_aldrete, load_news2
from monitor_app.services.backups import BackupUseCases
from monitor_app.services.board import BoardUseCases
from monitor_app.services.credentials import CredentialUseCases, check_security_settings
from monitor_app.services.discharge import DischargeUseCases
from monitor_app.services.entry import EntryUseCases
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.services.errors import NotAllowed
from monitor_app.services.exports import ExportUseCases, check_system_uri
from monitor_app.services.local_admin import LocalAdminUseCases
from monitor_app.services.recovery import RecoveryUseCases
from monitor_app.services.sheet import SheetUseCases
from monitor_app.services.text import checked_text
from monitor_app.services.verification import IntegrityUseCases
from monitor_app.services.views import ClinicSettings
from monitor_app.storage import repository as repo
from monitor_app.storage.db import database_path, open_db

SETTING_PREFIX = "clinic."
# Every text setting: its label and its bound. The address and phone are printed in the
# sheet's header, which must fit on the first page.
TEXT_SETTINGS = {
    "clinic_name": ("clinic's name", 120),
    "address": ("address", 300),
    "phone": ("phone", 40),
    "paper": ("paper size", 10),
    "weight_unit": ("weight unit", 5),
    "temp_unit": ("temperature unit", 5),
    "archive_dir": ("archive folder", 1024),
    "backup_dir": ("backup folder", 1024),
    "fhir_system_uri": ("MRN system URI", 500),
    "fhir_export_dir": ("EHR export folder", 1024),
    "timestamp_url": ("timestamp server", 300),
    "date_format": ("date format", 5),
}


class Services(EntryUseCases, EpisodeUseCases, BoardUseCases, DischargeUseCases,
               SheetUseCases, BackupUseCases, ExportUseCases, CredentialUseCases,
               RecoveryUseCases, IntegrityUseCases, LocalAdminUseCases):
    def __init__(
        self,
        db: sqlite_utils.Database,
        protocols: dict[str, Protocol],
        clock: Clock,
        news2_table: News2Table,
        aldrete_table: AldreteTable,
        resources: Path,
        data_dir: Path,
    ) -> None:
        self.db = db
        self.db_path = database_path(db)  # read here: the connection is this thread's
        self.protocols = protocols
        self.clock = clock
        self.news2_table = news2_table
        self.aldrete_table = aldrete_table
        self.resources = resources
        self.data_dir = data_dir
        self.open_keys()

    @classmethod
    def open(
        cls,
        db_path: Path,
        clock: Clock | None = None,
        protocols_dir: Path | None = None,
        resources: Path | None = None,
        defer_quick_check: bool = False,
    ) -> Services:
        """Load protocols and score tables (a bad file fails here, naming file and key),
        then open the database (a corrupt or locked one is refused with a message)."""
        resources = resources or paths.resources_dir()
        protocols = load_protocols(protocols_dir or paths.protocols_dir())
        news2_table = load_news2(resources / "scores" / "news2.toml")
        aldrete_table = load_aldrete(resources / "scores" / "aldrete.toml")
        db = open_db(db_path, defer_quick_check=defer_quick_check)
        return cls(db, protocols, clock or SystemClock(), news2_table, aldrete_table,
                   resources, Path(db_path).resolve().parent)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ settings
    def settings(self) -> ClinicSettings:
        stored = repo.all_settings(self.db)
        values: dict[str, object] = {}
        for f in fields(ClinicSettings):
            value = stored.get(SETTING_PREFIX + f.name)
            if value is None:
                continue
            values[f.name] = int(value) if f.type in ("int", int) else str(value)
        return ClinicSettings(**values)

    def save_settings(self, actor_id: int, new: ClinicSettings) -> ClinicSettings:
        self._require_role(actor_id, Role.ADMIN)
        new = replace(new, **{key: checked_text(getattr(new, key), key, label, size=size,
                                                required=key == "clinic_name")
                              for key, (label, size) in TEXT_SETTINGS.items()})
        if new.paper not in ("A4", "Letter"):
            raise ValidationError("paper", "paper must be A4 or Letter")
        if new.weight_unit not in ("kg", "lb"):
            raise ValidationError("weight_unit", "weight unit must be kg or lb")
        if new.temp_unit not in ("C", "F"):
            raise ValidationError("temp_unit", "temperature unit must be C or F")
        if new.date_format not in ("YMD", "DMY", "MDY"):
            raise ValidationError("date_format", "date format must be YMD, DMY or MDY")
        if not 1 <= new.idle_lock_min <= 60:
            raise ValidationError("idle_lock_min", "idle lock must be 1 to 60 minutes")
        if not 1 <= new.backups_kept <= 365:
            raise ValidationError("backups_kept", "keep 1 to 365 backups")
        if not 0 <= new.alert_volume <= 100:
            raise ValidationError("alert_volume", "alert volume must be 0 (off) to 100")
        check_security_settings(new, self.key_file())
        for key in ("archive_dir", "backup_dir", "fhir_export_dir"):
            folder = getattr(new, key)
            if folder and not Path(folder).is_absolute():
                raise ValidationError(key, "give a full folder path (starting with /)")
        new = replace(new, fhir_system_uri=check_system_uri(new.fhir_system_uri))
        old = self.settings()
        changed = {f.name: getattr(new, f.name) for f in fields(ClinicSettings)
                   if getattr(new, f.name) != getattr(old, f.name)}
        if changed:
            repo.set_settings(self.db, {SETTING_PREFIX + k: v for k, v in changed.items()},
                              actor_id=actor_id, at=self.clock.now())
        return self.settings()

    def archive_dir(self) -> Path:
        folder = self.settings().archive_dir
        return Path(folder) if folder else self.data_dir / "archive"

    def backup_dir(self) -> Path:
        folder = self.settings().backup_dir
        return Path(folder) if folder else self.data_dir / "backups"

    # ------------------------------------------------------------------ staff
    def needs_setup(self) -> bool:
        return not repo.list_staff(self.db, include_inactive=True)

    def setup_clinic(self, clinic_name: str, admin_name: str, credentials: str, pin: str,
                     pin_again: str, *, min_pin_length: int = pins.MIN_LENGTH_DEFAULT) -> Staff:
        """First start: the clinic's name and its first administrator. No default PIN.
        The key file's id is recorded and the clinic's signing certificate made."""
        if not self.needs_setup():
            raise NotAllowed("clinic_name", "this clinic is already set up")
        clinic_name = checked_text(clinic_name, "clinic_name", "clinic's name",
                                   size=TEXT_SETTINGS["clinic_name"][1])
        name, credentials = self._check_person(admin_name, credentials)
        pin_hash = self._new_pin_hash(pin, pin_again, min_pin_length)
        admin = repo.add_staff(self.db, name, credentials, Role.ADMIN,
                               pin_hash=pin_hash, actor_id=None, at=self.clock.now())
        values = {"clinic_name": clinic_name, "min_pin_length": min_pin_length}
        repo.set_settings(self.db, {SETTING_PREFIX + k: v for k, v in values.items()},
                          actor_id=admin.id, at=self.clock.now())
        self.open_keys()  # records the key file's id now that the clinic exists
        self.signing_keys()
        return admin

    def staff(self, include_inactive: bool = False) -> list[Staff]:
        return repo.list_staff(self.db, include_inactive=include_inactive)

    def staff_member(self, staff_id: int) -> Staff:
        member = repo.get_staff(self.db, staff_id)
        if member is None:
            raise ValidationError("staff", f"no staff member with id {staff_id}")
        return member

    def prescribers(self) -> list[Staff]:
        """Who may acknowledge a high baseline or authorise an override."""
        return [s for s in self.staff() if s.role == Role.PRESCRIBER]

    def add_staff(self, actor_id: int, name: str, credentials: str, role: Role | str,
                  pin: str, pin_again: str) -> Staff:
        self._require_role(actor_id, Role.ADMIN)
        name, credentials = self._check_person(name, credentials)
        return repo.add_staff(self.db, name, credentials, _role(role),
                              pin_hash=self._new_pin_hash(pin, pin_again), actor_id=actor_id,
                              at=self.clock.now())

    def update_staff(self, actor_id: int, staff_id: int, name: str, credentials: str,
                     role: Role | str, active: bool) -> Staff:
        self._require_role(actor_id, Role.ADMIN)
        name, credentials = self._check_person(name, credentials)
        if staff_id == actor_id and (not active or _role(role) != Role.ADMIN):
            raise NotAllowed("role", "you cannot deactivate or demote your own account")
        return repo.update_staff(self.db, staff_id, name=name, credentials=credentials,
                                 role=_role(role), active=active, actor_id=actor_id,
                                 at=self.clock.now())

    def unlock_staff(self, actor_id: int, staff_id: int) -> None:
        self._require_role(actor_id, Role.ADMIN)
        repo.unlock_staff(self.db, staff_id, actor_id=actor_id, at=self.clock.now())

    def _active_actor(self, actor_id: int) -> Staff:
        """The member of staff doing a write; refused unless the account is active (a
        screen signed in before an administrator deactivated it can no longer act)."""
        actor = repo.get_staff(self.db, actor_id)
        if actor is None or not actor.active:
            raise NotAllowed("staff", "this account is not active; nothing was saved. "
                             "Sign in again as an active member of staff")
        return actor

    def _require_role(self, actor_id: int, role: Role) -> Staff:
        actor = self._active_actor(actor_id)
        if actor.role != role:
            raise NotAllowed("role", f"only an {role.value} can do this")
        return actor

    @staticmethod
    def _check_person(name: str, credentials: str) -> tuple[str, str]:
        return (checked_text(name, "name", "person's name", size=120),
                checked_text(credentials, "credentials", "credentials", required=False,
                             size=40))

    def check_integrity(self) -> None:
        """SQLite's quick check of the database file; raises StorageError when damaged.
        Safe to call from a worker thread (it uses its own read-only connection)."""
        from monitor_app.storage.db import check_integrity

        if self.db_path is not None:
            check_integrity(self.db_path)

    def verify(self) -> list[str]:
        """Every problem ``monitor-app verify`` finds in this database (read-only)."""
        if self.db_path is None:
            from monitor_app.storage.audit import verify

            return verify(self.db)
        return self.verify_record(own_connection=True).problems


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError("role", f"role must be one of {', '.join(r.value for r in Role)}"
                              ) from None
