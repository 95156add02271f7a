"""The CLI's commands. Each returns an exit code; user errors raise ``UserError``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor_app.domain.documents import COPY_TITLES, DocumentCopy
from monitor_app.domain.schedule import ScheduleState, ScheduleStatus
from monitor_app.exit_codes import EXIT_ALTERED, EXIT_ERROR, EXIT_OK
from monitor_app.services.errors import MonitorError, ProtocolError, StorageError

if TYPE_CHECKING:
    from monitor_app.services import Services


class UserError(Exception):
    """One line for the user; the CLI prints it and exits non-zero."""


def _services(db_path: Path, must_exist: bool = True) -> Services:
    from monitor_app.services import Services

    if must_exist and not db_path.exists():
        raise UserError(f"no database at {db_path} (give --db PATH, or run the app once)")
    try:
        return Services.open(db_path)
    except (StorageError, ProtocolError) as exc:
        raise UserError(str(exc)) from None


def dispatch(command: str, args: argparse.Namespace, db_path: Path,
             more: Mapping[str, Callable[[argparse.Namespace, Path], int]] | None = None
             ) -> int:
    """Run ``command`` (from ``COMMANDS`` or ``more``, other modules' commands)."""
    try:
        return {**COMMANDS, **(more or {})}[command](args, db_path)
    except MonitorError as exc:  # a rule, the database, a protocol file, an unknown id
        raise UserError(getattr(exc, "message", None) or str(exc)) from None
    except OSError as exc:
        raise UserError(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None


def cmd_demo(args: argparse.Namespace, db_path: Path) -> int:
    from monitor_app.demo import DEMO_MONITORS, build_demo

    if db_path.exists():
        raise UserError(f"{db_path} already exists; the demo only builds a NEW database "
                        "(choose another --db path)")
    head = db_path.with_name(db_path.name + ".head")
    if head.exists():
        raise UserError(f"{head} is the head file of an earlier database at that path; "
                        "remove it (and the archive and backups folders beside it) or "
                        "choose another --db path")
    try:
        staff = build_demo(db_path, monitor_port=args.monitors)
    except (StorageError, ProtocolError) as exc:
        raise UserError(str(exc)) from None
    print(f"Demo clinic built in {db_path}")
    print("Sign in with:")
    for member in staff:
        print(f"  {member.name + ', ' + member.credentials:<24} {member.role.value:<11} "
              f"PIN {member.pin}")
    if args.monitors is not None:
        print(f"Bedside monitors on, port {args.monitors}: "
              + ", ".join(f"{d} = chair {c}" for d, c in DEMO_MONITORS))
    return EXIT_OK


def _next_due(status: ScheduleStatus) -> str:
    if status.state == ScheduleState.BASELINE:
        return "baseline due"
    if status.next_due is None:
        return ""
    return status.next_due.astimezone().strftime("%H:%M") + f" ({status.state})"


def cmd_episodes(args: argparse.Namespace, db_path: Path) -> int:
    services = _services(db_path)
    try:
        rows: list[dict[str, Any]] = []
        board = {r.episode_id: r for r in services.board()}
        for e in services.episodes(include_closed=args.all):
            patient = services.patient(e.patient_id)
            row = board.get(e.id)
            rows.append({
                "number": e.number, "patient": patient.name, "mrn": patient.mrn,
                "protocol": e.protocol_id, "chair": e.chair, "phase": e.phase.value,
                "next_due": row.status.next_due.isoformat() if row and row.status.next_due
                else None,
                "state": str(row.status.state) if row else str(ScheduleState.NONE),
                "cancelled_reason": e.closed_reason if e.phase == "cancelled" else "",
            })
            rows[-1]["_due_text"] = _next_due(row.status) if row else ""
            if rows[-1]["cancelled_reason"]:
                rows[-1]["_due_text"] = f"cancelled: {e.closed_reason}"
    finally:
        services.close()
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
                         indent=2, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("No episodes." if args.all else "No active episodes (use --all for closed ones).")
        return EXIT_OK
    print(f"{'EPISODE':<14} {'CHAIR':<6} {'PATIENT':<28} {'PROTOCOL':<16} {'PHASE':<11} NEXT DUE")
    for r in rows:
        print(f"{r['number']:<14} {r['chair']:<6} {r['patient'][:28]:<28} "
              f"{r['protocol']:<16} {r['phase']:<11} {r['_due_text']}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, db_path: Path) -> int:
    """Read-only: never migrates, never takes a write lock, writes no file."""
    from monitor_app.services.verification import verify_database

    report = verify_database(db_path, args.anchors)
    anchors = report.anchors
    if anchors:
        kinds = sorted({a.kind for a in anchors})
        counts = ", ".join(f"{sum(a.kind == k for a in anchors)} {k}(s)" for k in kinds)
        newest = max(anchors, key=lambda a: a.event_id)
        print(f"Anchors checked: {counts}; the newest holds event {newest.event_id} "
              f"({newest.label})")
    for note in report.notes:
        print(f"Note: {note}")
    problems = report.problems
    if not problems:
        print(f"{db_path}: intact (file sound, schema and triggers as the app made them, "
              "audit chain whole, every row matches its audit trail, chain agrees with "
              f"{len(anchors)} anchor(s))")
        return EXIT_OK
    print(f"{db_path}: ALTERED outside the app, {len(problems)} problem(s):")
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_ALTERED


def cmd_pdf(args: argparse.Namespace, db_path: Path) -> int:
    services = _services(db_path)
    try:
        episode = services.episode_by_number(args.episode)
        copy = getattr(args, "copy", "chart")
        output = services.documents.save_document_as(episode.id, copy, args.output,
                                                     force=args.force)
    finally:
        services.close()
    what = COPY_TITLES[DocumentCopy(copy)].lower()
    print(f"Wrote the {what} of {episode.number} to {output}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, db_path: Path) -> int:
    services = _services(db_path)
    try:
        dest = services.backup_to(args.dest)
        key_file = services.key_file()
    finally:
        services.close()
    print(f"Backed up {db_path} to {dest}")
    if key_file is not None and key_file.exists():
        print(f"Not in the backup, by design: the key file {key_file} (PIN pepper and "
              "signing key). Keep your own safe copy of it, apart from the backups.")
    return EXIT_OK


def cmd_export_fhir(args: argparse.Namespace, db_path: Path) -> int:
    services = _services(db_path)
    try:
        episode = services.episode_by_number(args.episode)
        if args.output is not None and str(args.output) == "-":
            sys.stdout.write(services.exports.fhir_bundle_bytes(episode.id).decode("utf-8"))
            return EXIT_OK
        output = args.output or Path(f"{episode.number}.fhir.json")
        written = services.exports.export_fhir(episode.id, output, force=args.force)
    finally:
        services.close()
    print(f"Wrote the FHIR bundle of {episode.number} to {written}")
    return EXIT_OK


def _day(text: str | None, key: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--{key} {text!r}: give a date as YYYY-MM-DD") from None


def cmd_export_csv(args: argparse.Namespace, db_path: Path) -> int:
    start, end = _day(args.start, "from"), _day(args.end, "to")
    services = _services(db_path)
    try:
        result = services.exports.export_csv(args.output, start, end, per_episode=args.per_episode,
                                     force=args.force)
    finally:
        services.close()
    what = "episode" if args.per_episode else "observation"
    print(f"Wrote {result.rows} {what} row(s) of {result.episodes} signed episode(s) "
          f"to {result.path}")
    if result.unsigned_left_out:
        print(f"Left out {result.unsigned_left_out} episode(s) not signed (open or cancelled)")
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, db_path: Path) -> int:
    services = _services(db_path)
    try:
        report = services.recover()
    finally:
        services.close()
    for path in report.archived:
        print(f"Archived the missing sheet {path}")
    for path in report.removed:
        print(f"Removed the leftover temporary file {path}")
    for problem in report.problems:
        print(f"monitor-app: {problem}", file=sys.stderr)
    if not (report.archived or report.removed or report.problems):
        print("Nothing to recover: every signed episode has its archived sheet.")
    return EXIT_ERROR if report.problems else EXIT_OK


def cmd_accept_loss(args: argparse.Namespace, db_path: Path) -> int:
    from monitor_app.services.verification import accept_loss

    if not db_path.exists():
        raise UserError(f"no database at {db_path}")
    loss = accept_loss(db_path, args.reason)
    print(f"Recorded in the audit log: the saves after event {loss.kept_event_id} (up to "
          f"event {loss.lost_event_id}, saved at {loss.lost_at or 'an unknown time'}) are "
          f"lost. The old head file is kept beside the database. Re-enter the lost "
          "observations from paper as late entries.")
    return EXIT_OK


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the user table
        raise UserError("cannot tell which operating-system user you are; "
                        "set the USER environment variable") from None


def _read_new_pin() -> tuple[str, str]:
    """Typed twice without echo at a terminal; otherwise two lines on stdin."""
    import getpass

    if sys.stdin.isatty():
        return getpass.getpass("New PIN: "), getpass.getpass("New PIN again: ")
    lines = sys.stdin.read().splitlines()
    if len(lines) < 2:
        raise UserError("--reset-pin reads the new PIN twice: two lines on stdin")
    return lines[0].strip(), lines[1].strip()


def cmd_unlock_staff(args: argparse.Namespace, db_path: Path) -> int:
    import socket

    os_user = _os_user()
    services = _services(db_path)
    try:
        member = services.local_admin.find_staff(args.staff)
        if not args.reset_pin and not member.locked and not member.failed_attempts:
            print(f"{member.name} (id {member.id}) is not locked; nothing changed.")
            return EXIT_OK
        new_pin, pin_again = _read_new_pin() if args.reset_pin else (None, None)
        member = services.local_admin.unlock_staff_locally(member.id, os_user, socket.gethostname(),
                                               new_pin, pin_again)
    finally:
        services.close()
    done = "unlocked and given the new PIN" if args.reset_pin else "unlocked"
    print(f"{member.name} (id {member.id}) is {done}. Recorded in the audit trail as done "
          f"at this computer by the operating-system user {os_user!r}.")
    if not member.active:
        print(f"Note: {member.name}'s account is inactive; an administrator can "
              "reactivate it under Staff.")
    return EXIT_OK


COMMANDS = {
    "recover": cmd_recover,
    "demo": cmd_demo,
    "episodes": cmd_episodes,
    "verify": cmd_verify,
    "pdf": cmd_pdf,
    "backup": cmd_backup,
    "export-fhir": cmd_export_fhir,
    "export-csv": cmd_export_csv,
    "accept-loss": cmd_accept_loss,
    "unlock-staff": cmd_unlock_staff,
}
