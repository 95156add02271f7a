"""The use cases: the one API the GUI and the CLI call."""

from monitor_app.services.errors import (
    AuthError,
    DischargeRefused,
    MonitorError,
    NotAllowed,
    NotFound,
    NotSignedIn,
)
from monitor_app.services.facade import Services

__all__ = ["AuthError", "DischargeRefused", "MonitorError", "NotAllowed", "NotFound",
           "NotSignedIn", "Services"]
