"""The one check for free text a person types into any form of the app."""

from __future__ import annotations

from monitor_app.domain.models import ValidationError

MAX_TEXT = 200


def checked_text(value: str, key: str, label: str, *, required: bool = True,
                 size: int = MAX_TEXT, multiline: bool = False) -> str:
    """``value`` stripped; refused (naming ``key``) when blank but required, longer than
    ``size``, or holding control characters (line breaks and tabs only if
    ``multiline``)."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(key, f"enter the {label}")
    if len(value) > size:
        raise ValidationError(key, f"the {label} is too long ({size} characters at most)")
    allowed = "\n\t" if multiline else ""
    if any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in value):
        raise ValidationError(key, f"the {label} holds control characters")
    return value
