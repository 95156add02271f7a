"""The board's words for a chair's bedside monitor (the glyph beside the chair number
and its tooltip live with the board's model)."""

from __future__ import annotations


def no_signal_text(status: str, mark: str) -> str:
    """The status with "⊘ no signal" when the chair's monitor has gone quiet longer than
    its interval: a line of its own, or beside the first when the status has two."""
    if mark != "no signal":
        return status
    first, newline, rest = status.partition("\n")
    return f"{first} · ⊘ no signal\n{rest}" if newline else f"{status}\n⊘ no signal"
