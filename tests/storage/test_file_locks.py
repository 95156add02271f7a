"""The app's hold on its database file survives its own checks of that file.

Closing ANY descriptor of a file drops every POSIX lock the process holds on it,
SQLite's included. When the app read the database's header with a Python file
object (the record check at start, ``Verify record``, a second open), its connection
lost its shared lock: the next program to close the file (another station, the
sqlite3 shell, ``monitor-app backup``) believed it was the last user and deleted the
``-wal`` the app was still writing to. Saves confirmed after that were invisible to
every other station and lost at the next crash.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from monitor_app.storage.db import open_db
from monitor_app.storage.record_check import open_read_only

OTHER_STATION = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(conn.execute(sys.argv[2]).fetchone()[0])
conn.close()
"""


def other_station(path: Path, query: str) -> str:
    """Run ``query`` in another process, as a second station or the sqlite3 shell would."""
    done = subprocess.run([sys.executable, "-c", OTHER_STATION, str(path), query],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_save_after_the_apps_own_record_check_is_seen_by_another_station(
        tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    db = open_db(path)
    try:
        open_read_only(path).close()  # the record check the app runs in the background
        other_station(path, "SELECT count(*) FROM sqlite_master")

        db.conn.execute("CREATE TABLE saved_after_check (x)")
        db.conn.execute("INSERT INTO saved_after_check VALUES (1)")
        db.conn.commit()

        assert path.with_name("clinic.db-wal").exists()
        assert other_station(path, "SELECT count(*) FROM saved_after_check") == "1"
    finally:
        db.conn.close()


def test_opening_the_file_a_second_time_keeps_the_first_connections_lock(
        tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    db = open_db(path)
    try:
        open_db(path).conn.close()  # e.g. a second window, or accept-loss in-process
        other_station(path, "SELECT count(*) FROM sqlite_master")

        db.conn.execute("CREATE TABLE saved_after_reopen (x)")
        db.conn.commit()

        assert other_station(path, "SELECT count(*) FROM sqlite_master "
                                   "WHERE name = 'saved_after_reopen'") == "1"
    finally:
        db.conn.close()
