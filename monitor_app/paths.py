"""Where resources and data live.

Resources (protocols, score tables, icons, fonts) come from the checkout's
``resources/`` folder, or from the copy mapped into the installed wheel as
``monitor_app/resources``. ``MONITOR_APP_RESOURCES`` overrides both.
Data (the database, archive, backups) default to the user data folder;
``MONITOR_APP_DB`` overrides the database path.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "monitor-app"
APP_AUTHOR = "PostInfusionMonitor"


def resources_dir() -> Path:
    override = os.environ.get("MONITOR_APP_RESOURCES")
    if override:
        return Path(override)
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if (checkout / "protocols").is_dir():
        return checkout
    return Path(__file__).resolve().parent / "resources"


def protocols_dir() -> Path:
    override = os.environ.get("MONITOR_APP_PROTOCOLS")
    return Path(override) if override else resources_dir() / "protocols"


def scores_dir() -> Path:
    return resources_dir() / "scores"


def data_dir() -> Path:
    import platformdirs  # with tempfile, shutil and the compressors: only when needed

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    override = os.environ.get("MONITOR_APP_DB")
    return Path(override) if override else data_dir() / "monitor.db"
