"""The use cases: the one API the GUI and the CLI call."""

from monitor_app.services.app import Services
from monitor_app.services.errors import AuthError, DischargeRefused, NotAllowed

__all__ = ["AuthError", "DischargeRefused", "NotAllowed", "Services"]
