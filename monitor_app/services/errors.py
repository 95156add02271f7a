"""Errors the user can cause, raised by the services and shown by the GUI and the CLI:
every one of the project's errors (``monitor_app.errors``), caught from here."""

from __future__ import annotations

from monitor_app.errors import (
    AuthError,
    ChangeRefused,
    DatabaseBusy,
    DischargeRefused,
    MonitorError,
    NotAllowed,
    NotFound,
    NotSignedIn,
    ProtocolError,
    StorageError,
    ValidationError,
    ValidationErrors,
)

__all__ = ["AuthError", "ChangeRefused", "DatabaseBusy", "DischargeRefused", "MonitorError",
           "NotAllowed", "NotFound", "NotSignedIn", "ProtocolError", "StorageError",
           "ValidationError", "ValidationErrors"]
