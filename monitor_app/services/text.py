"""The one check for free text a person types into any form of the app: the domain's
text rule (``monitor_app.domain.text``), under the name the services use."""

from __future__ import annotations

from monitor_app.domain.text import MAX_TEXT, clean_text

__all__ = ["MAX_TEXT", "checked_text"]


def checked_text(value: str, key: str, label: str, *, required: bool = True,
                 size: int = MAX_TEXT, multiline: bool = False) -> str:
    """``value`` NFC-normalised and stripped; refused (naming ``key``) when blank but
    required, longer than ``size``, or holding a character the text rule refuses."""
    return clean_text(value, key, label, required=required, size=size, multiline=multiline)
