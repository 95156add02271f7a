"""PINs: checked for shape, stored only as a slow, salted and peppered hash.

A stored hash is one text that carries everything needed to check it again::

    argon2id-hmac$m=65536,t=3,p=1$<salt, base64>$<derived key, base64>

The derived key is argon2id over HMAC-SHA256(pepper, PIN). The pepper is a random
secret kept in the clinic's key file beside the database, never in the database or
its backups, so a copy of the database alone cannot be used to guess PINs offline.

Older texts still verify, so an upgrade never locks anybody out; each is replaced by
a new hash at the person's next successful sign-in (``needs_rehash``):

- ``scrypt$n=..,r=..,p=..$salt$key``: the first format, no pepper.
- ``scrypt-hmac$n=..,r=..,p=..$salt$HMAC(pepper, key)``: a first-format hash wrapped
  with the pepper when the key file was made (no PIN needed to do that), so even
  databases from before the key file stop holding hashes that verify without it.

``COST`` is the cost of new hashes; tests lower it
(``monkeypatch.setattr(pins, "COST", pins.TEST_COST)``) so the suite stays fast.

Pure: no storage, no clock. The only outside input is the random salt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from monitor_app.domain.models import ValidationError

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
SALT_BYTES = 16
KEY_BYTES = 32
PEPPER_BYTES = 32
SCHEME = "argon2id-hmac"
LEGACY_SCHEME = "scrypt"
WRAPPED_SCHEME = "scrypt-hmac"
# The clinic's minimum PIN length: default and the range an administrator may set.
MIN_LENGTH_DEFAULT = 6
MIN_LENGTH_RANGE = (4, 12)

_PIN_SHAPE = re.compile(f"[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}")


@dataclass(frozen=True)
class Argon2Cost:
    """Argon2id's cost parameters for hashing a PIN."""

    m: int  # memory in KiB
    t: int  # passes
    p: int = 1  # lanes

    def check(self) -> None:
        if not 8 * self.p <= self.m <= 2**21 or not 1 <= self.t <= 20 or not 1 <= self.p <= 8:
            raise ValueError(f"argon2 m={self.m}, t={self.t}, p={self.p} out of range")


@dataclass(frozen=True)
class ScryptCost:
    """The first format's cost; still read so old hashes verify until re-hashed."""

    n: int  # CPU/memory cost, a power of two
    r: int = 8  # block size
    p: int = 1  # parallelism

    @property
    def maxmem(self) -> int:
        # scrypt needs 128 * n * r bytes; leave headroom for OpenSSL's own use.
        return 128 * self.n * self.r * 2 + 1024 * 1024

    def check(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or self.n > 2**20:
            raise ValueError(f"scrypt n must be a power of two up to 2**20, not {self.n}")
        if not 1 <= self.r <= 32 or not 1 <= self.p <= 16:
            raise ValueError(f"scrypt r={self.r}, p={self.p} out of range")


# 64 MiB and 3 passes: about 180 ms a check on the development machine (measured
# 2026-12: m=64 MiB t=3 175 ms, t=4 215 ms, t=2 125 ms), so a guess costs an attacker
# who holds the pepper as much as it costs the station.
DEFAULT_COST = Argon2Cost(m=65536, t=3, p=1)
# For tests only: microseconds per hash.
TEST_COST = Argon2Cost(m=8, t=1, p=1)
# The cost of new hashes. A module-level setting so tests can lower it.
COST = DEFAULT_COST


def validate_pin(pin: str, min_length: int = PIN_MIN_DIGITS) -> None:
    """Raise ``ValidationError("pin", ...)`` unless ``pin`` is ``min_length`` to 12 digits."""
    lowest = max(PIN_MIN_DIGITS, min_length)
    if not isinstance(pin, str) or not _PIN_SHAPE.fullmatch(pin) or len(pin) < lowest:
        raise ValidationError(
            "pin", f"a PIN is {lowest} to {PIN_MAX_DIGITS} digits (0-9), nothing else")


def new_pepper() -> bytes:
    return secrets.token_bytes(PEPPER_BYTES)


def hash_pin(pin: str, *, pepper: bytes, cost: Argon2Cost | None = None) -> str:
    """Hash a valid PIN with a fresh random salt; the text never contains the PIN."""
    validate_pin(pin)
    _check_pepper(pepper)
    cost = cost or COST
    cost.check()
    salt = secrets.token_bytes(SALT_BYTES)
    key = _argon2(_peppered(pin, pepper), salt, cost, KEY_BYTES)
    return f"{SCHEME}$m={cost.m},t={cost.t},p={cost.p}${_b64(salt)}${_b64(key)}"


def check_pin(pin: str, stored: str | None, *, pepper: bytes | None) -> bool:
    """True when ``pin`` is the PIN ``stored`` was made from.

    A missing or malformed stored hash never matches (and never raises): a damaged
    credential must lock the person out, not let them in. A peppered hash never
    matches without the right pepper.
    """
    if not stored or not isinstance(pin, str) or not _PIN_SHAPE.fullmatch(pin):
        return False
    parsed = _parse(stored)
    if parsed is None:
        return False
    scheme, cost, salt, expected = parsed  # _parse pairs each scheme with its cost
    if scheme == LEGACY_SCHEME and isinstance(cost, ScryptCost):
        actual = _scrypt(pin, salt, cost, len(expected))
    elif pepper is None or len(pepper) < 16:
        return False
    elif isinstance(cost, ScryptCost):  # WRAPPED_SCHEME
        actual = hmac.digest(pepper, _scrypt(pin, salt, cost, KEY_BYTES),
                             "sha256")[: len(expected)]
    else:
        actual = _argon2(_peppered(pin, pepper), salt, cost, len(expected))
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """True for an older format or a cost other than today's (re-hash after sign-in)."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != SCHEME or parsed[1] != COST


def wrap_legacy(stored: str | None, pepper: bytes) -> str | None:
    """A first-format (unpeppered) hash wrapped with the pepper, or None when ``stored``
    is not one. The PIN still verifies; the database alone no longer checks it."""
    _check_pepper(pepper)
    parsed = _parse(stored) if stored else None
    if parsed is None or parsed[0] != LEGACY_SCHEME:
        return None
    _scheme, cost, salt, key = parsed
    assert isinstance(cost, ScryptCost)
    if len(key) != KEY_BYTES:
        return None
    wrapped = hmac.digest(pepper, key, "sha256")
    return f"{WRAPPED_SCHEME}$n={cost.n},r={cost.r},p={cost.p}${_b64(salt)}${_b64(wrapped)}"


def hash_cost(stored: str) -> Argon2Cost | ScryptCost | None:
    """The cost a stored hash was made with."""
    parsed = _parse(stored)
    return parsed[1] if parsed else None


def hash_legacy(pin: str, cost: ScryptCost) -> str:
    """A first-format hash (no pepper): only to test that old databases still work."""
    validate_pin(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(pin, salt, cost, KEY_BYTES)
    return f"{LEGACY_SCHEME}$n={cost.n},r={cost.r},p={cost.p}${_b64(salt)}${_b64(key)}"


def _check_pepper(pepper: bytes) -> None:
    if not isinstance(pepper, bytes) or len(pepper) < 16:
        raise ValueError("the PIN pepper must be at least 16 random bytes")


def _peppered(pin: str, pepper: bytes) -> bytes:
    return hmac.digest(pepper, pin.encode("ascii"), "sha256")


def _argon2(secret: bytes, salt: bytes, cost: Argon2Cost, length: int) -> bytes:
    from argon2.low_level import Type, hash_secret_raw  # only when a PIN is hashed: not at start

    return hash_secret_raw(secret, salt, time_cost=cost.t, memory_cost=cost.m,
                           parallelism=cost.p, hash_len=length, type=Type.ID)


def _scrypt(pin: str, salt: bytes, cost: ScryptCost, length: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=cost.n, r=cost.r, p=cost.p,
                          maxmem=cost.maxmem, dklen=length)


def _parse(stored: str) -> tuple[str, Argon2Cost | ScryptCost, bytes, bytes] | None:
    try:
        scheme, params, salt_text, key_text = stored.split("$")
        values = {k: int(v) for k, v in (item.split("=", 1) for item in params.split(","))}
        cost: Argon2Cost | ScryptCost
        if scheme == SCHEME:
            cost = Argon2Cost(m=values["m"], t=values["t"], p=values["p"])
        elif scheme in (LEGACY_SCHEME, WRAPPED_SCHEME):
            cost = ScryptCost(n=values["n"], r=values["r"], p=values["p"])
        else:
            return None
        cost.check()
        salt = base64.b64decode(salt_text, validate=True)
        key = base64.b64decode(key_text, validate=True)
    except (ValueError, KeyError, binascii.Error):
        return None
    if len(salt) < 8 or not 16 <= len(key) <= 64:
        return None
    return scheme, cost, salt, key


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
