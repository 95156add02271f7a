"""The clinic's key file: the secrets that must never be in the database or its backups.

It lives beside the database as ``<database file name>.keys`` (``monitor.db`` ->
``monitor.db.keys``), mode 0600, and holds, as JSON:

- ``pepper``: 32 random bytes (base64) mixed into every PIN hash, so the hashes in a
  copy of the database cannot be checked, or guessed at, without this file;
- ``signing_key`` / ``certificate`` / ``chain``: the clinic's private key (PKCS#8 PEM),
  its certificate and any issuing certificates (PEM), used to sign the archived
  discharge sheets. Made self-signed with the clinic's name at setup, or imported
  from a PKCS#12 file in Settings.

The database records only the key file's id (``key_id``, an HMAC of a constant under
the pepper, which reveals nothing about it), so a missing or foreign key file is
recognised and named instead of silently making every PIN wrong.

Backups copy the database file alone (SQLite's backup API), so they never contain
this file: keep a copy of it somewhere safe, apart from the backups.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hmac
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from monitor_app.domain import pins

if TYPE_CHECKING:
    from cryptography import x509

# ``cryptography`` is imported where a certificate is made or read, not at start-up
# (about 30 ms): opening the clinic needs only the pepper.
from monitor_app.storage.db import StorageError

FORMAT = "monitor-app-keys"
VERSION = 1
SUFFIX = ".keys"
CERT_YEARS = 10


class KeyFileError(StorageError):
    """The key file is missing, unreadable or belongs to another database."""


@dataclass(frozen=True)
class ClinicKeys:
    """The key file's contents: the PIN pepper and the sheet-signing key."""

    pepper: bytes
    signing_key: bytes | None = None  # PKCS#8 PEM
    certificate: bytes | None = None  # PEM
    chain: tuple[bytes, ...] = ()  # PEM, issuers of ``certificate``
    imported: bool = False  # from a PKCS#12 file: never replaced by the app

    @property
    def key_id(self) -> str:
        return hmac.digest(self.pepper, b"monitor-app key file id", "sha256").hex()[:32]

    @property
    def can_sign(self) -> bool:
        return self.signing_key is not None and self.certificate is not None


def key_file_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + SUFFIX)


def new_keys() -> ClinicKeys:
    return ClinicKeys(pepper=pins.new_pepper())


def load_keys(path: Path) -> ClinicKeys:
    """Read the key file; ``KeyFileError`` with the path and the problem otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError("not a monitor-app key file of a known version")
        pepper = base64.b64decode(data["pepper"], validate=True)
        if len(pepper) < 16:
            raise ValueError("the PIN pepper is too short")
        key = data.get("signing_key")
        cert = data.get("certificate")
        return ClinicKeys(pepper, key.encode() if key else None,
                          cert.encode() if cert else None,
                          tuple(c.encode() for c in data.get("chain", [])),
                          bool(data.get("imported", False)))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise KeyFileError(f"the key file {path} cannot be read: {exc.strerror or exc}"
                           ) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyFileError(f"the key file {path} is damaged ({exc})") from exc


def save_keys(path: Path, keys: ClinicKeys, *, exclusive: bool = False) -> None:
    """Write the key file atomically, mode 0600. ``exclusive``: never replace an
    existing file (two stations creating it at once keep the first one's)."""
    path = Path(path)
    text = json.dumps({
        "format": FORMAT, "version": VERSION,
        "pepper": base64.b64encode(keys.pepper).decode("ascii"),
        "signing_key": keys.signing_key.decode() if keys.signing_key else None,
        "certificate": keys.certificate.decode() if keys.certificate else None,
        "chain": [c.decode() for c in keys.chain],
        "imported": keys.imported,
    }, indent=1)
    import tempfile  # with shutil and the compressors: not on every start

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)  # fails with FileExistsError when it is already there
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def self_signed(clinic_name: str, now: dt.datetime) -> tuple[bytes, bytes]:
    """A new ECDSA P-256 key and a self-signed certificate naming the clinic."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, (clinic_name or "Clinic")[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, (clinic_name or "Clinic")[:64]),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Post-infusion monitor"),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return _key_pem(key), cert.public_bytes(serialization.Encoding.PEM)


def with_self_signed(keys: ClinicKeys, clinic_name: str, now: dt.datetime) -> ClinicKeys:
    key, cert = self_signed(clinic_name, now)
    return replace(keys, signing_key=key, certificate=cert, chain=(), imported=False)


def with_pkcs12(keys: ClinicKeys, data: bytes, password: str) -> ClinicKeys:
    """The keys with the signing key and certificates of a PKCS#12 (.p12/.pfx) file.
    ``ValueError`` with a message a person can act on when it cannot be used."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, others = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None)
    except ValueError as exc:
        raise ValueError("the file is not a PKCS#12 file, or the password is wrong") from exc
    if key is None or cert is None:
        raise ValueError("the PKCS#12 file must hold a private key and its certificate")
    return replace(keys, signing_key=_key_pem(key),
                   certificate=cert.public_bytes(serialization.Encoding.PEM),
                   chain=tuple(c.public_bytes(serialization.Encoding.PEM) for c in others),
                   imported=True)


def names_another_clinic(keys: ClinicKeys, clinic_name: str) -> bool:
    """True when the app's own self-signed certificate names another clinic (the clinic
    was renamed): a new one is made. An imported certificate is never replaced."""
    if keys.imported or not keys.certificate:
        return False
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(keys.certificate)
    return _common_name(cert.subject) != (clinic_name or "Clinic")[:64]


def describe_certificate(cert_pem: bytes | None) -> str:
    """One line for Settings: who the certificate names, who issued it, until when."""
    if not cert_pem:
        return "none yet (one is made when the clinic is set up)"
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    subject = _common_name(cert.subject)
    issuer = ("self-signed" if cert.issuer == cert.subject
              else f"issued by {_common_name(cert.issuer)}")
    until = cert.not_valid_after_utc.date().isoformat()
    return f"{subject} ({issuer}), valid until {until}"


def certificate_fingerprint(cert_pem: bytes | None) -> str:
    if not cert_pem:
        return ""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    digest = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256()).hex()
    return "SHA-256 " + ":".join(digest[i:i + 2] for i in range(0, len(digest), 2)).upper()


def _common_name(name: x509.Name) -> str:
    from cryptography.x509.oid import NameOID

    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else name.rfc4514_string()


def _key_pem(key: object) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
