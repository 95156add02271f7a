"""Every error the project raises on purpose, in one place, all from ``MonitorError``.

A rule the user broke is a ``ValidationError`` (shown next to its field); a database
that cannot be used is a ``StorageError``; a malformed protocol file a
``ProtocolError``. The layers re-export the ones they raise under their old homes
(``domain.models.ValidationError``, ``storage.db.StorageError``...); the GUI and the
CLI catch them from ``services.errors``. None reuses a built-in such as
``PermissionError`` (an ``OSError``) for a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class MonitorError(Exception):
    """Base of the project's own errors."""


class ValidationError(MonitorError, ValueError):
    """A value the user typed or chose cannot be accepted.

    ``field`` is the form key (``hr``, ``bp``, ``taken_at``...) so the GUI can show the
    message next to the input that holds the value.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ValidationErrors(ValidationError):
    """Several values refused at once, so a form can show every field's problem together.

    ``errors`` holds one ``ValidationError`` per refused field, in the form's order;
    ``field`` and ``message`` are the first one's, for callers that show only one.
    """

    def __init__(self, errors: Sequence[ValidationError]) -> None:
        flat: list[ValidationError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, ValidationErrors) else [error])
        if not flat:
            raise ValueError("ValidationErrors needs at least one error")
        super().__init__(flat[0].field, flat[0].message)
        self.errors: tuple[ValidationError, ...] = tuple(flat)
        self.args = ("; ".join(f"{e.field}: {e.message}" for e in flat),)

    @property
    def fields(self) -> dict[str, str]:
        """Field key -> message (the first message when a field is refused twice)."""
        found: dict[str, str] = {}
        for error in self.errors:
            found.setdefault(error.field, error.message)
        return found


class ProtocolError(MonitorError, ValueError):
    """A protocol (or score, or codes) file is malformed: which file, which key, what."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        super().__init__(f"{path}: [{key}] {problem}")
        self.path = str(path)
        self.key = key
        self.problem = problem


class StorageError(MonitorError):
    """The database cannot be used; the message says which file and what to do."""


class DatabaseBusy(StorageError):
    """Another program holds the database; trying again shortly may succeed."""

    retryable = True


class ChangeRefused(StorageError):
    """The database refused a change: a signed record, or a value never changed in place."""


class NotFound(MonitorError, LookupError):
    """No row with that id: a stale screen or a wrong id given on the command line."""


class NotSignedIn(MonitorError):
    """An action needs a signed-in member of staff and nobody is (the screen is stale)."""


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
