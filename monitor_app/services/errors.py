"""Errors the user can cause, raised by the services and shown by the GUI and the CLI."""

from __future__ import annotations

from monitor_app.domain.models import ValidationError
from monitor_app.domain.protocol import ProtocolError
from monitor_app.storage.db import ChangeRefused, DatabaseBusy, StorageError

# Re-exported so the GUI and the CLI catch every user-facing error from one place.
__all__ = ["AuthError", "ChangeRefused", "DatabaseBusy", "DischargeRefused", "NotAllowed",
           "ProtocolError", "StorageError", "ValidationError"]


class AuthError(ValidationError):
    """A wrong PIN, a locked or inactive account. Shown next to the PIN field."""

    def __init__(self, message: str) -> None:
        super().__init__("pin", message)


class NotAllowed(ValidationError):
    """The action does not fit the episode's state (signed, wrong phase, no baseline...)."""


class DischargeRefused(ValidationError):
    """Signing was refused; ``reasons`` lists every criterion or field that stops it."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("sign", "cannot sign yet: " + "; ".join(reasons))
        self.reasons = reasons
