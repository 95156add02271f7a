"""Anchors: the audit chain's head kept outside the database file.

A consistent rewrite (triggers dropped, rows changed, the whole chain recomputed with
the published recipe) leaves a file that agrees with itself. What it cannot change
is a copy of the chain's head made earlier and kept elsewhere. Three kinds exist:

- the head file ``<db>.head`` beside the database, rewritten (tmp + fsync + rename)
  after every commit that added audit events;
- every backup: a copy of the database, whose own last event is the head when it
  was made;
- every sheet: the head is printed in its sign-off section and kept in the PDF's
  Keywords (``monitor-app chain head <event id> <hash> <time>``).

An anchor is (event id, hash, time): the record is consistent with it when the
database's event with that id has that hash.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

HEAD_SUFFIX = ".head"
PDF_MARK = "monitor-app chain head"
_PDF_PATTERN = re.compile(
    rb"monitor-app chain head (\d+) ([0-9a-f]{64})(?: ([0-9T:.+-]{19,40}))?"
)
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Anchor:
    """The audit chain's hash at one event, kept outside the database (head file, backup,
    sheet)."""

    event_id: int
    hash: str
    at: str  # the event's time as stored (UTC ISO 8601), "" when unknown
    source: Path
    kind: str  # "head file", "backup", "sheet"

    @property
    def label(self) -> str:
        return f"{self.kind} {self.source}"


class AnchorUnreadable(ValueError):
    """A file that should hold an anchor does not (damaged or edited)."""


def head_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + HEAD_SUFFIX)


def pdf_keyword(event_id: int, digest: str, at: str) -> str:
    """The text a sheet carries in its PDF Keywords so ``verify`` can read it back."""
    return f"{PDF_MARK} {event_id} {digest} {at}"


def chain_head(conn: sqlite3.Connection) -> tuple[int, str, str] | None:
    """The last audit event's (id, hash, time), None for an empty log."""
    row = conn.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


def write_head(db_path: Path, event_id: int, digest: str, at: str) -> None:
    """Replace the head file atomically: a crash leaves the old or the new one."""
    target = head_path(db_path)
    try:
        stat = os.stat(db_path)
        identity = {"st_dev": stat.st_dev, "st_ino": stat.st_ino}
    except OSError:
        identity = {}
    text = json.dumps({"format": 1, "event_id": event_id, "hash": digest, "at": at,
                       "database": Path(db_path).name, **identity}, indent=1)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def read_head_file(path: Path) -> Anchor:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        event_id, digest = data["event_id"], data["hash"]
        at = data.get("at", "")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AnchorUnreadable(f"head file {path} cannot be read ({exc})") from exc
    if not isinstance(event_id, int) or event_id < 1 or not isinstance(digest, str) or (
            not _HEX64.fullmatch(digest)):
        raise AnchorUnreadable(f"head file {path} does not hold an event id and hash")
    return Anchor(event_id, digest, str(at or ""), Path(path), "head file")


def read_pdf_anchor(path: Path) -> Anchor | None:
    """The chain head a sheet carries (the last one if a later update appended one)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AnchorUnreadable(f"sheet {path} cannot be read ({exc.strerror})") from exc
    found = list(_PDF_PATTERN.finditer(data))
    if not found:
        return None
    match = found[-1]
    at = match.group(3).decode() if match.group(3) else ""
    return Anchor(int(match.group(1)), match.group(2).decode(), at, Path(path), "sheet")


def read_backup_anchor(path: Path) -> Anchor | None:
    """A backup's own last audit event (None when the file is not a clinic backup)."""
    try:
        with Path(path).open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return None
    except OSError as exc:
        raise AnchorUnreadable(f"backup {path} cannot be read ({exc.strerror})") from exc
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?immutable=1", uri=True)
        try:
            row = conn.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1"
                               ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if "no such table" in str(exc):
            return None
        raise AnchorUnreadable(f"backup {path} cannot be read ({exc})") from exc
    if row is None:
        return None
    return Anchor(int(row[0]), str(row[1]), str(row[2] or ""), Path(path), "backup")


def read_anchor(path: Path) -> Anchor | None:
    """Whatever anchor ``path`` holds, by its kind; None for an unrelated file."""
    name = Path(path).name
    if name.endswith(HEAD_SUFFIX):
        return read_head_file(path)
    if name.lower().endswith(".pdf"):
        return read_pdf_anchor(path)
    if name.endswith(".db"):
        return read_backup_anchor(path)
    return None


def anchors_in(place: Path) -> tuple[list[Anchor], list[str]]:
    """Every anchor in a file or a folder (not its subfolders' subfolders), and a
    problem for each file that should hold one but cannot be read."""
    place = Path(place)
    if place.is_file():
        paths = [place]
    elif place.is_dir():
        paths = sorted(p for p in place.iterdir() if p.is_file() and not p.name.startswith("."))
    else:
        return [], []
    found: list[Anchor] = []
    problems: list[str] = []
    for path in paths:
        try:
            anchor = read_anchor(path)
        except AnchorUnreadable as exc:
            problems.append(f"anchor unreadable: {exc}")
            continue
        if anchor is not None:
            found.append(anchor)
    return found, problems


def check_against(conn: sqlite3.Connection, anchors: list[Anchor]) -> list[str]:
    """Each anchor the chain in ``conn`` contradicts, named with the anchor's path."""
    row = conn.execute("SELECT max(id) FROM audit").fetchone()
    last = int(row[0] or 0)
    problems = []
    for anchor in anchors:
        when = f" (recorded {anchor.at})" if anchor.at else ""
        if anchor.event_id > last:
            problems.append(
                f"rolled back past an anchor: the audit log ends at event {last}, but the "
                f"{anchor.label} holds event {anchor.event_id}{when}; the events after "
                f"{last} were removed or lost (or the history was rewritten)")
            continue
        stored = conn.execute("SELECT hash FROM audit WHERE id = ?", [anchor.event_id]
                              ).fetchone()
        if stored is None:
            problems.append(
                f"audit event {anchor.event_id} is missing, but the {anchor.label} holds it"
                f"{when}")
        elif stored[0] != anchor.hash:
            problems.append(
                f"rewritten before an anchor: audit event {anchor.event_id} has hash "
                f"{stored[0][:12]}… but the {anchor.label} recorded {anchor.hash[:12]}…"
                f"{when}; the history up to that event was changed outside the app "
                "(or this is a different database)")
    return problems
