"""PINs and the clinic's key file: sign-in checks, PIN changes, the signing certificate.

The key file (``storage.keyfile``) is opened with the database. Its pepper goes into
every PIN hash; its private key signs the archived sheets. When the database says it
has a key file and the file is missing or foreign, ``keys_problem`` says so and every
PIN check is refused with that message (the GUI shows it at start): the IT person
restores the key file from its own safe copy, never makes a new one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlsplit

from monitor_app.domain import pins
from monitor_app.domain.models import Role, Staff, ValidationError
from monitor_app.services.context import ServiceContext
from monitor_app.services.errors import AuthError, StorageError
from monitor_app.services.settings import ClinicSettings
from monitor_app.storage import keyfile
from monitor_app.storage import repository as repo
from monitor_app.storage import repository_credentials as creds
from monitor_app.storage.keyfile import ClinicKeys, KeyFileError

PIN_ATTEMPTS_RANGE = (3, 10)


def check_security_settings(new: ClinicSettings, key_file: Path | None = None) -> None:
    """The PIN rules an administrator may set, the timestamp server's address, and a
    backup folder that is not the key file's folder (backups never hold the key)."""
    low, high = pins.MIN_LENGTH_RANGE
    if not low <= new.min_pin_length <= high:
        raise ValidationError("min_pin_length",
                              f"the shortest PIN allowed must be {low} to {high} digits")
    low, high = PIN_ATTEMPTS_RANGE
    if not low <= new.pin_attempts <= high:
        raise ValidationError("pin_attempts",
                              f"allow {low} to {high} wrong PINs before an account locks")
    url = new.timestamp_url.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
            raise ValidationError("timestamp_url", "give the timestamp server's full "
                                  "address (http://... or https://...), or leave it empty")
    folder = new.backup_dir.strip()
    if key_file is not None and folder and Path(folder).is_absolute() and (
            Path(folder).resolve() == key_file.resolve().parent):
        raise ValidationError("backup_dir", "choose a folder apart from the database's: "
                              "its key file must never travel with the backups")


def pin_attempts_limit(settings: ClinicSettings) -> int:
    """The lock-out limit, held within bounds even if a stored value is outside them."""
    low, high = PIN_ATTEMPTS_RANGE
    return min(max(settings.pin_attempts, low), high)


class CredentialUseCases:
    """The key file and PINs: sign-in, PIN changes, the signing certificate."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.keys: ClinicKeys | None = None
        self.keys_problem = ""
        self.pin_change_due_ids: set[int] = set()
        self.open_keys()

    # ------------------------------------------------------------------ key file
    def key_file(self) -> Path | None:
        return keyfile.key_file_path(self.ctx.db_path) if self.ctx.db_path is not None else None

    def open_keys(self) -> None:
        """Load the key file, or make it for a new clinic or one from before key files.
        A missing or foreign key file of a clinic that had one sets ``keys_problem``."""
        path = self.key_file()
        expected = creds.stored_key_id(self.ctx.db)
        try:
            if path is None:
                self.keys = keyfile.new_keys()
            else:
                self.keys = self._load_or_create_keys(path, expected)
        except KeyFileError as exc:
            self.keys, self.keys_problem = None, _restore_advice(str(exc))
            return
        if expected is not None and expected != self.keys.key_id:
            self.keys, self.keys_problem = None, _restore_advice(
                f"the key file {path} belongs to another clinic database")
            return
        if expected is None and repo.list_staff(self.ctx.db, include_inactive=True):
            # A clinic from before key files: adopt this one now. A database that
            # cannot be written (a read-only copy) adopts it at a later start; its
            # first-format hashes still verify meanwhile.
            pepper = self.keys.pepper
            with contextlib.suppress(StorageError):
                creds.adopt_key_file(self.ctx.db, self.keys.key_id,
                                     lambda stored: pins.wrap_legacy(stored, pepper),
                                     at=self.ctx.clock.now())

    def _load_or_create_keys(self, path: Path, expected: str | None) -> ClinicKeys:
        try:
            return keyfile.load_keys(path)
        except FileNotFoundError:
            if expected is not None:
                raise KeyFileError(f"the key file {path} is missing") from None
        try:
            keyfile.save_keys(path, keyfile.new_keys(), exclusive=True)
        except FileExistsError:
            pass  # another station made it a moment ago: use theirs
        except OSError as exc:
            raise KeyFileError(f"the key file {path} cannot be written: "
                               f"{exc.strerror or exc}") from exc
        return keyfile.load_keys(path)

    def _pepper(self) -> bytes:
        if self.keys is None:
            raise AuthError(self.keys_problem or "the clinic's key file is not open")
        return self.keys.pepper

    def _save_keys(self, keys: ClinicKeys) -> None:
        path = self.key_file()
        if path is not None:
            keyfile.save_keys(path, keys)
        self.keys = keys

    def signing_keys(self) -> ClinicKeys | None:
        """The keys to sign with; a self-signed certificate is made on first need, and
        made again in the new name when the clinic was renamed."""
        if self.keys is None:
            return None
        name = self.ctx.settings().clinic_name
        if not self.keys.can_sign or keyfile.names_another_clinic(self.keys, name):
            self._save_keys(keyfile.with_self_signed(self.keys, name, self.ctx.clock.now()))
        return self.keys

    def signing_certificate(self) -> str:
        """What Settings shows about the certificate the sheets are signed with."""
        if self.keys is None:
            return self.keys_problem
        return keyfile.describe_certificate(self.keys.certificate)

    def signing_fingerprint(self) -> str:
        """The certificate's SHA-256 fingerprint, to compare with a reader's display."""
        return keyfile.certificate_fingerprint(self.keys.certificate if self.keys else None)

    def import_signing_certificate(self, actor_id: int, p12_path: str,
                                   password: str) -> str:
        """Sign sheets from now on with the key and certificate of a PKCS#12 file; the
        key is copied into the key file (the .p12 file is not kept)."""
        self.ctx.require_role(actor_id, Role.ADMIN)
        if self.keys is None:
            raise ValidationError("p12_path", self.keys_problem)
        try:
            data = Path(p12_path).read_bytes()
        except OSError as exc:
            raise ValidationError("p12_path", f"cannot read {p12_path}: "
                                  f"{exc.strerror or exc}") from exc
        try:
            keys = keyfile.with_pkcs12(self.keys, data, password)
        except ValueError as exc:
            raise ValidationError("p12_password", str(exc)) from exc
        self._save_keys(keys)
        return self.signing_certificate()

    # ------------------------------------------------------------------ PINs
    def authenticate(self, staff_id: int, pin: str) -> Staff:
        """Check a PIN: sign-in, unlock, signing. Too many wrong PINs lock the account.

        The check and its count are one write transaction, so parallel guesses are
        checked one at a time and never more than the limit. A right PIN in an older
        hash format is re-hashed; one shorter than the clinic's minimum must be
        changed (``pin_change_due``).
        """
        pepper = self._pepper()
        settings = self.ctx.settings()

        def check(stored: str | None) -> tuple[bool, str | None]:
            if not pins.check_pin(pin, stored, pepper=pepper):
                return False, None
            assert stored is not None
            return True, (pins.hash_pin(pin, pepper=pepper) if pins.needs_rehash(stored)
                          else None)

        limit = pin_attempts_limit(settings)
        outcome = creds.attempt_pin(self.ctx.db, staff_id, check, at=self.ctx.clock.now(),
                                    lock_at=limit)
        member = self.ctx.staff_member(staff_id)
        if outcome is creds.PinOutcome.OK:
            if len(pin) < settings.min_pin_length:
                self.pin_change_due_ids.add(staff_id)
            return member
        if outcome is creds.PinOutcome.INACTIVE:
            raise AuthError("this account is not active; ask an administrator")
        if outcome is creds.PinOutcome.LOCKED:
            raise AuthError("this account is locked after too many wrong PINs; "
                            "ask an administrator to unlock it")
        if member.locked:
            raise AuthError("wrong PIN; the account is now locked: "
                            "ask an administrator to unlock it")
        left = limit - member.failed_attempts
        raise AuthError(f"wrong PIN ({left} {'try' if left == 1 else 'tries'} left)")

    def pin_change_due(self, staff_id: int) -> bool:
        """True after a sign-in with a PIN shorter than the clinic's minimum: the
        person chooses a new one before going on."""
        return staff_id in self.pin_change_due_ids

    def change_own_pin(self, staff_id: int, pin: str, pin_again: str) -> None:
        self.reset_pin(staff_id, staff_id, pin, pin_again)

    def reset_pin(self, actor_id: int, staff_id: int, pin: str,
                  pin_again: str) -> None:
        self.ctx.active_actor(actor_id)
        if actor_id != staff_id:
            self.ctx.require_role(actor_id, Role.ADMIN)
        repo.set_pin_hash(self.ctx.db, staff_id, self.new_pin_hash(pin, pin_again),
                          actor_id=actor_id, at=self.ctx.clock.now())
        self.pin_change_due_ids.discard(staff_id)

    def new_pin_hash(self, pin: str, pin_again: str,
                      min_length: int | None = None) -> str:
        """The hash of a new PIN, after checking it against the clinic's minimum."""
        pins.validate_pin(pin, min_length or self.ctx.settings().min_pin_length)
        if pin != pin_again:
            raise ValidationError("pin_again", "the two PINs differ")
        return pins.hash_pin(pin, pepper=self._pepper())


def _restore_advice(problem: str) -> str:
    return (f"{problem[:1].upper()}{problem[1:]}. Without it no PIN can be checked and no "
            "sheet can be signed. Restore the key file from the separate safe copy kept "
            "by your IT contact (it is not in the backups), then start the monitor "
            "again. Do not make a new one: every PIN would stop working.")
