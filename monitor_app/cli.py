"""Command line: no command starts the GUI; the others work without a display.

Every user error prints one clear line on stderr and exits non-zero; no tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from monitor_app import paths
from monitor_app.domain.documents import DocumentCopy
from monitor_app.exit_codes import EXIT_ERROR, EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, as argparse does, but shorter
        self.exit(EXIT_USAGE, f"monitor-app: {message} (see monitor-app --help)\n")


def _db_arg(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # Subcommands must not reset a --db given before the command: SUPPRESS keeps it.
    parser.add_argument(
        "--db", type=Path, default=None if top else argparse.SUPPRESS,
        help="database file (default: MONITOR_APP_DB, else the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="monitor-app", description="Post-infusion monitor for ketamine clinics.")
    _db_arg(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = sub.add_parser("demo", help="build a demo clinic in a NEW database and print its PINs")
    _db_arg(demo)
    demo.add_argument("--monitors", type=int, metavar="PORT", default=None,
                      help="turn bedside monitors on, listening on PORT (for "
                      "scripts/monitor_sim.py)")

    episodes = sub.add_parser("episodes", help="list episodes: number, patient, protocol, phase")
    _db_arg(episodes)
    episodes.add_argument("--json", action="store_true", help="print JSON instead of a table")
    episodes.add_argument("--all", action="store_true", help="include discharged and cancelled")

    verify = sub.add_parser("verify", help="prove the database was not altered outside the app")
    _db_arg(verify)
    verify.add_argument("--anchors", type=Path, action="append", default=[], metavar="PATH",
                        help="also check against the anchors in this file or folder "
                        "(a head file, sheets, backups); may be repeated")

    accept = sub.add_parser("accept-loss", help="continue with a database that lost its "
                            "newest saves (recorded in the audit log)")
    _db_arg(accept)
    accept.add_argument("--reason", required=True, help="why the loss is accepted")

    pdf = sub.add_parser("pdf", help="write a document of an episode: the chart copy "
                         "(default), the patient copy or the REMS form")
    _db_arg(pdf)
    pdf.add_argument("episode", help="episode number (E-2026-00042) or row id")
    pdf.add_argument("--copy", choices=[c.value for c in DocumentCopy], default="chart",
                     help="which document (default: chart)")
    pdf.add_argument("-o", "--output", type=Path, required=True,
                     help="new PDF file to write (never the database, a link or a device)")
    pdf.add_argument("--force", action="store_true",
                     help="replace OUTPUT if it is an existing regular file")

    recover = sub.add_parser("recover", help="write missing archived sheets of signed "
                             "episodes and remove the app's stale temporary files")
    _db_arg(recover)

    backup = sub.add_parser("backup", help="consistent copy of the database (safe while running)")
    _db_arg(backup)
    backup.add_argument("dest", type=Path, help="file or folder to write the copy to")

    fhir = sub.add_parser("export-fhir", help="a signed episode as a FHIR R4 transaction "
                          "bundle (JSON) for the EHR")
    _db_arg(fhir)
    fhir.add_argument("episode", help="episode number (E-2026-00042) or row id")
    fhir.add_argument("-o", "--output", type=Path, default=None,
                      help="JSON file to write (default: EPISODE.fhir.json here; - = stdout)")
    fhir.add_argument("--force", action="store_true", help="replace an existing file")

    table = sub.add_parser("export-csv", help="signed episodes as CSV (one row per "
                           "observation, or per episode)")
    _db_arg(table)
    table.add_argument("--from", dest="start", metavar="DATE", default=None,
                       help="first day (YYYY-MM-DD, local), by the day the episode was opened")
    table.add_argument("--to", dest="end", metavar="DATE", default=None,
                       help="last day (YYYY-MM-DD, local), inclusive")
    table.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    table.add_argument("--per-episode", action="store_true", help="one row per episode")
    table.add_argument("--force", action="store_true", help="replace an existing file")
    unlock = sub.add_parser(
        "unlock-staff", help="unlock a staff account at this computer, no PIN needed "
        "(recorded with your operating-system user name)")
    _db_arg(unlock)
    unlock.add_argument("staff", help='the exact name ("Ada Admin") or the staff id')
    unlock.add_argument("--reset-pin", action="store_true",
                        help="also set a new PIN (asked twice; or two lines on stdin)")
    from monitor_app.cli_clinic import add_parsers

    add_parsers(sub, _db_arg)
    return parser


def _db_path(args: argparse.Namespace) -> Path:
    return args.db if args.db is not None else paths.default_db_path()


def _undecodable(argv: Sequence[str]) -> str | None:
    """The first argument holding bytes that are not UTF-8 (Python keeps them as lone
    surrogates), shown with those bytes escaped; None when every argument is text."""
    for arg in argv:
        if any(0xD800 <= ord(c) <= 0xDFFF for c in arg):
            try:
                raw = arg.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                return ascii(arg)[1:-1]
            return raw.decode("utf-8", "backslashreplace")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    bad = _undecodable(sys.argv[1:] if argv is None else argv)
    if bad is not None:
        print(f"monitor-app: the argument '{bad}' is not valid UTF-8 text; retype it "
              "(or rename the file) using UTF-8", file=sys.stderr)
        return EXIT_USAGE
    args = build_parser().parse_args(argv)
    if args.command is None:
        from monitor_app import gc_pause

        gc_pause.pause()  # until the board is painted (run_gui resumes it)
        from monitor_app.gui.app import run_gui

        return run_gui(_db_path(args))
    from monitor_app import cli_commands

    try:
        from monitor_app.cli_clinic import COMMANDS as CLINIC_COMMANDS

        return cli_commands.dispatch(args.command, args, _db_path(args), CLINIC_COMMANDS)
    except cli_commands.UserError as exc:
        print(f"monitor-app: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
