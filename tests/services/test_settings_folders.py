"""A folder setting that names a file is refused next to the field (attack pass: the
archive, backup and EHR export folders took the path of a regular file; every signing
then reported an archive problem and every backup failed, days after the mistake)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor_app.domain.models import ValidationError

pytestmark = pytest.mark.usefixtures("fast_pins")


@pytest.mark.parametrize("key", ["archive_dir", "backup_dir", "fhir_export_dir",
                                 "documents_dir"])
def test_a_file_given_as_a_folder_is_refused_and_nothing_is_saved(w, tmp_path, key):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    before = w.s.settings()
    with pytest.raises(ValidationError) as refused:
        w.s.save_settings(w.admin.id, replace(before, **{key: str(a_file)}))
    assert refused.value.field == key and "not a folder" in refused.value.message
    assert w.s.settings() == before


def test_a_folder_not_made_yet_is_still_accepted(w, tmp_path):
    saved = w.s.save_settings(w.admin.id, replace(w.s.settings(),
                                                  archive_dir=str(tmp_path / "new" / "arc")))
    assert saved.archive_dir == str(tmp_path / "new" / "arc")
