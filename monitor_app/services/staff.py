"""Staff and the clinic's settings: first set-up, accounts, settings an administrator saves."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from monitor_app.domain import pins
from monitor_app.domain.models import Role, Staff, ValidationError
from monitor_app.domain.text import clean_text
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases, check_security_settings
from monitor_app.services.errors import NotAllowed
from monitor_app.services.settings import (
    TEXT_SETTINGS,
    ClinicSettings,
    check_system_uri,
    stored_form,
)
from monitor_app.storage import repository as repo


class StaffUseCases:
    def __init__(self, ctx: ServiceContext, credentials: CredentialUseCases) -> None:
        self.ctx = ctx
        self.credentials = credentials

    # ------------------------------------------------------------------ settings
    def save_settings(self, actor_id: int, new: ClinicSettings) -> ClinicSettings:
        self.ctx.require_role(actor_id, Role.ADMIN)
        texts: dict[str, Any] = {key: clean_text(getattr(new, key), key, label,
                                                   required=key == "clinic_name")
                                 for key, label in TEXT_SETTINGS.items()}
        new = replace(new, **texts)
        if new.paper not in ("A4", "Letter"):
            raise ValidationError("paper", "paper must be A4 or Letter")
        if new.weight_unit not in ("kg", "lb"):
            raise ValidationError("weight_unit", "weight unit must be kg or lb")
        if new.temp_unit not in ("C", "F"):
            raise ValidationError("temp_unit", "temperature unit must be C or F")
        if new.provider_email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+",
                                                   new.provider_email):
            raise ValidationError("provider_email", "give an email address like "
                                  "name@clinic.org")
        if not (new.language.isascii() and new.language.isalpha() and new.language.islower()
                and 2 <= len(new.language) <= 3):
            raise ValidationError("language", "give a 2- or 3-letter language code, e.g. en")
        if new.date_format not in ("YMD", "DMY", "MDY"):
            raise ValidationError("date_format", "date format must be YMD, DMY or MDY")
        if not 1 <= new.idle_lock_min <= 60:
            raise ValidationError("idle_lock_min", "idle lock must be 1 to 60 minutes")
        if not 1 <= new.backups_kept <= 365:
            raise ValidationError("backups_kept", "keep 1 to 365 backups")
        if not 0 <= new.alert_volume <= 100:
            raise ValidationError("alert_volume", "alert volume must be 0 (off) to 100")
        check_security_settings(new, self.credentials.key_file())
        for key in ("archive_dir", "backup_dir", "fhir_export_dir", "documents_dir"):
            folder = getattr(new, key)
            if folder and not Path(folder).is_absolute():
                raise ValidationError(key, "give a full folder path (starting with /)")
            if folder and Path(folder).exists() and not Path(folder).is_dir():
                raise ValidationError(key, f"{folder} is a file, not a folder")
        new = replace(new, fhir_system_uri=check_system_uri(new.fhir_system_uri))
        old = self.ctx.settings()
        changed = {f.name: getattr(new, f.name) for f in fields(ClinicSettings)
                   if getattr(new, f.name) != getattr(old, f.name)}
        if changed:
            repo.set_settings(self.ctx.db, stored_form(changed), actor_id=actor_id,
                              at=self.ctx.clock.now())
        return self.ctx.settings()

    # ------------------------------------------------------------------ staff
    def needs_setup(self) -> bool:
        return not repo.list_staff(self.ctx.db, include_inactive=True)

    def setup_clinic(self, clinic_name: str, admin_name: str, credentials: str, pin: str,
                     pin_again: str, *, min_pin_length: int = pins.MIN_LENGTH_DEFAULT) -> Staff:
        """First start: the clinic's name and its first administrator. No default PIN.
        The key file's id is recorded and the clinic's signing certificate made."""
        if not self.needs_setup():
            raise NotAllowed("clinic_name", "this clinic is already set up")
        clinic_name = clean_text(clinic_name, "clinic_name", "clinic's name")
        name, credentials = _check_person(admin_name, credentials)
        pin_hash = self.credentials.new_pin_hash(pin, pin_again, min_pin_length)
        admin = repo.add_staff(self.ctx.db, name, credentials, Role.ADMIN,
                               pin_hash=pin_hash, actor_id=None, at=self.ctx.clock.now())
        values = {"clinic_name": clinic_name, "min_pin_length": min_pin_length}
        repo.set_settings(self.ctx.db, stored_form(values), actor_id=admin.id,
                          at=self.ctx.clock.now())
        self.credentials.open_keys()  # records the key file's id now that the clinic exists
        self.credentials.signing_keys()
        return admin

    def staff(self, include_inactive: bool = False) -> list[Staff]:
        return repo.list_staff(self.ctx.db, include_inactive=include_inactive)

    def staff_member(self, staff_id: int) -> Staff:
        return self.ctx.staff_member(staff_id)

    def prescribers(self) -> list[Staff]:
        """Who may acknowledge a high baseline or authorise an override."""
        return [s for s in self.staff() if s.role == Role.PRESCRIBER]

    def add_staff(self, actor_id: int, name: str, credentials: str, role: Role | str,
                  pin: str, pin_again: str) -> Staff:
        self.ctx.require_role(actor_id, Role.ADMIN)
        name, credentials = _check_person(name, credentials)
        return repo.add_staff(self.ctx.db, name, credentials, _role(role),
                              pin_hash=self.credentials.new_pin_hash(pin, pin_again),
                              actor_id=actor_id, at=self.ctx.clock.now())

    def update_staff(self, actor_id: int, staff_id: int, name: str, credentials: str,
                     role: Role | str, active: bool) -> Staff:
        self.ctx.require_role(actor_id, Role.ADMIN)
        name, credentials = _check_person(name, credentials)
        if staff_id == actor_id and (not active or _role(role) != Role.ADMIN):
            raise NotAllowed("role", "you cannot deactivate or demote your own account")
        return repo.update_staff(self.ctx.db, staff_id, name=name, credentials=credentials,
                                 role=_role(role), active=active, actor_id=actor_id,
                                 at=self.ctx.clock.now())

    def unlock_staff(self, actor_id: int, staff_id: int) -> None:
        self.ctx.require_role(actor_id, Role.ADMIN)
        repo.unlock_staff(self.ctx.db, staff_id, actor_id=actor_id, at=self.ctx.clock.now())


def _check_person(name: str, credentials: str) -> tuple[str, str]:
    return (clean_text(name, "name", "person's name"),
            clean_text(credentials, "credentials", "credentials", required=False))


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError("role", f"role must be one of {', '.join(r.value for r in Role)}"
                              ) from None
