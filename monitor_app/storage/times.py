"""Times as the database stores them: UTC, ISO 8601 with offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utc_text(moment: datetime) -> str:
    """A timezone-aware datetime as stored: UTC, ISO 8601 with offset."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a stored time must be timezone-aware, not {moment!r}")
    return moment.astimezone(UTC).isoformat()


@overload
def parse_utc(text: str) -> datetime: ...
@overload
def parse_utc(text: None) -> None: ...
@overload
def parse_utc(text: str | None) -> datetime | None: ...
def parse_utc(text: str | None) -> datetime | None:
    """The stored text back as an aware datetime in UTC (None stays None)."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is UTC:  # as the app stores it
        return moment
    if moment.tzinfo is None:  # written by hand without an offset: it was UTC
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
