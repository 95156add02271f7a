"""Automatic backups: consistent, private, verified, and only the last N kept."""

from __future__ import annotations

import os
import stat

import pytest

from monitor_app.services.backups import backups_in, latest_backup_for
from monitor_app.services.views import ClinicSettings
from monitor_app.storage.audit import verify
from monitor_app.storage.db import open_db


def test_a_backup_is_a_private_copy_that_verifies(services, tmp_path):
    services.add_patient(1, "MRN-9", "Bea Backup", "1970-01-01")
    path = services.backup_now()
    assert path.parent == tmp_path / "backups"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    copy = open_db(path)
    try:
        assert verify(copy) == []
        assert copy.execute("SELECT name FROM patients").fetchall() == [("Bea Backup",)]
    finally:
        copy.close()
    assert latest_backup_for(tmp_path / "clinic.db") == path


def test_only_the_last_n_backups_are_kept(services):
    admin = services.staff()[0].id
    services.save_settings(admin, ClinicSettings(clinic_name="Backup Clinic", backups_kept=3))
    made = []
    for _ in range(5):
        services.clock.advance(days=1)
        made.append(services.backup_now())
    kept = backups_in(services.backup_dir())
    assert kept == list(reversed(made[-3:]))


def test_a_daily_backup_is_made_once_a_day(services):
    first = services.backup_if_due()
    assert first is not None
    assert services.backup_if_due() is None  # the same day: nothing new
    assert len(backups_in(services.backup_dir())) == 1


def test_an_unwritable_backup_folder_says_what_to_do(services, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    admin = services.staff()[0].id
    services.save_settings(admin, ClinicSettings(clinic_name="Backup Clinic",
                                                 backup_dir=str(blocker / "backups")))
    with pytest.raises(Exception, match="backup folder in Settings"):
        services.backup_now()
