"""PINs: checked for shape, stored only as a slow salted hash, compared in constant time.

A stored hash is one text that carries everything needed to check it again::

    scrypt$n=16384,r=8,p=1$<salt, base64>$<derived key, base64>

so the cost can be raised later without breaking the PINs already stored: a hash is
always checked with the parameters it was made with. ``COST`` is the cost of new
hashes; tests lower it (``monkeypatch.setattr(pins, "COST", pins.TEST_COST)``) or
pass ``cost=`` so the suite stays fast.

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
SCHEME = "scrypt"

_PIN_SHAPE = re.compile(f"[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}")


@dataclass(frozen=True)
class ScryptCost:
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


# About 50 ms per check on a 2020s desktop, 16 MiB of memory: slow enough to make
# guessing from a stolen database expensive, fast enough for a nurse at the station.
DEFAULT_COST = ScryptCost(n=2**14, r=8, p=1)
# For tests only: microseconds per hash.
TEST_COST = ScryptCost(n=2**4, r=1, p=1)
# The cost of new hashes. A module-level setting so tests can lower it.
COST = DEFAULT_COST


def validate_pin(pin: str) -> None:
    """Raise ``ValidationError("pin", ...)`` unless ``pin`` is 4 to 12 digits (0-9)."""
    if not isinstance(pin, str) or not _PIN_SHAPE.fullmatch(pin):
        raise ValidationError(
            "pin", f"a PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits (0-9), nothing else"
        )


def hash_pin(pin: str, cost: ScryptCost | None = None) -> str:
    """Hash a valid PIN with a fresh random salt; the text never contains the PIN."""
    validate_pin(pin)
    cost = cost or COST
    cost.check()
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(pin, salt, cost)
    return f"{SCHEME}$n={cost.n},r={cost.r},p={cost.p}${_b64(salt)}${_b64(key)}"


def check_pin(pin: str, stored: str | None) -> bool:
    """True when ``pin`` is the PIN ``stored`` was made from.

    A missing or malformed stored hash never matches (and never raises): a damaged
    credential must lock the person out, not let them in.
    """
    if not stored or not isinstance(pin, str) or not _PIN_SHAPE.fullmatch(pin):
        return False
    parsed = _parse(stored)
    if parsed is None:
        return False
    cost, salt, expected = parsed
    return hmac.compare_digest(_derive(pin, salt, cost, len(expected)), expected)


def hash_cost(stored: str) -> ScryptCost | None:
    """The cost a stored hash was made with (to re-hash old PINs after a cost rise)."""
    parsed = _parse(stored)
    return parsed[0] if parsed else None


def _derive(pin: str, salt: bytes, cost: ScryptCost, length: int = KEY_BYTES) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.maxmem,
        dklen=length,
    )


def _parse(stored: str) -> tuple[ScryptCost, bytes, bytes] | None:
    try:
        scheme, params, salt_text, key_text = stored.split("$")
        if scheme != SCHEME:
            return None
        values = dict(item.split("=", 1) for item in params.split(","))
        cost = ScryptCost(n=int(values["n"]), r=int(values["r"]), p=int(values["p"]))
        cost.check()
        salt = base64.b64decode(salt_text, validate=True)
        key = base64.b64decode(key_text, validate=True)
    except (ValueError, KeyError, binascii.Error):
        return None
    if len(salt) < 8 or not 16 <= len(key) <= 64:
        return None
    return cost, salt, key


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
