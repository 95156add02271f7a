"""The project's errors: one module, one base, none of them a built-in OSError; an
unknown id (``NotFound``) is exported and ends the CLI with one line, not a traceback."""

from __future__ import annotations

import argparse

from monitor_app import cli, cli_commands, errors
from monitor_app.services import MonitorError, NotFound, NotSignedIn
from monitor_app.services import errors as services_errors


def test_every_project_error_derives_from_one_base_and_none_is_an_oserror() -> None:
    for name in services_errors.__all__:
        error = getattr(services_errors, name)
        assert issubclass(error, MonitorError), name
        assert not issubclass(error, OSError), name
        assert error.__module__ == errors.__name__, name


def test_not_signed_in_is_a_project_error_not_a_permission_error() -> None:
    assert issubclass(NotSignedIn, MonitorError)
    assert not issubclass(NotSignedIn, PermissionError)


def test_an_unknown_id_ends_the_command_with_one_line(monkeypatch, capsys, tmp_path) -> None:
    def stale(args: argparse.Namespace, db_path) -> int:  # type: ignore[no-untyped-def]
        raise NotFound("no episode with id 99")

    monkeypatch.setitem(cli_commands.COMMANDS, "pdf", stale)
    code = cli.main(["pdf", "--db", str(tmp_path / "x.db"), "99", "-o",
                     str(tmp_path / "x.pdf")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "monitor-app: no episode with id 99"
