"""The clinic manager's commands: the REMS filing queue and the month at a glance."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from monitor_app.cli_commands import EXIT_OK, _day, _services


def add_parsers(sub: argparse._SubParsersAction, db_arg) -> None:
    queue = sub.add_parser("rems-queue", help="REMS Patient Monitoring Forms to file: "
                           "due, due soon, overdue, and those filed lately")
    db_arg(queue)
    queue.add_argument("--json", action="store_true", help="print JSON instead of a table")

    report = sub.add_parser("report", help="a month at a glance for the clinic manager, "
                            "as PDF or CSV (by the file name)")
    db_arg(report)
    report.add_argument("--from", dest="start", metavar="DATE", required=True,
                        help="first day (YYYY-MM-DD, local), by the day the episode was opened")
    report.add_argument("--to", dest="end", metavar="DATE", required=True,
                        help="last day (YYYY-MM-DD, local), inclusive")
    report.add_argument("-o", "--output", type=Path, required=True,
                        help="FILE.pdf or FILE.csv to write")
    report.add_argument("--force", action="store_true", help="replace an existing file")


def cmd_rems_queue(args: argparse.Namespace, db_path: Path) -> int:
    services = _services(db_path)
    try:
        items = services.rems_queue.queue()
    finally:
        services.close()
    if args.json:
        print(json.dumps([{
            "episode": i.number, "patient": i.patient_name, "mrn": i.mrn,
            "protocol": i.protocol_id, "session_date": i.session_date.isoformat(),
            "due_on": i.due_on.isoformat(), "days_left": i.days_left, "state": str(i.state),
            "submitted_on": i.submitted_on.isoformat() if i.submitted_on else None,
            "confirmation": i.confirmation or None} for i in items], indent=1))
        return EXIT_OK
    if not items:
        print("No REMS forms to file.")
        return EXIT_OK
    for i in items:
        print(f"{i.number:14} {i.mrn:12} {i.patient_name[:28]:28} session {i.session_date} "
              f"due {i.due_on}  {i.days_text}"
              + (f"  #{i.confirmation}" if i.confirmation else ""))
    return EXIT_OK


def cmd_report(args: argparse.Namespace, db_path: Path) -> int:
    from monitor_app.services.output_file import database_files

    start, end = _day(args.start, "from"), _day(args.end, "to")
    assert start is not None and end is not None
    services = _services(db_path)
    try:
        written = services.clinic_report.write_report(
            start, end, args.output, protected=database_files(services.db_path),
            force=args.force)
    finally:
        services.close()
    print(f"Wrote the report for {start} to {end} to {written}")
    return EXIT_OK


COMMANDS = {"rems-queue": cmd_rems_queue, "report": cmd_report}

