"""Observations record where their values came from: typed, or a monitor's confirmed reading."""

from __future__ import annotations

import sqlite3

import pytest

from monitor_app.domain.models import ObservationSource, Vitals
from monitor_app.storage import audit, migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from tests.helpers.clinic import older_clinic
from tests.helpers.world import T0, good, make_world, open_iv

pytestmark = pytest.mark.usefixtures("fast_pins")


def test_source_is_stored_and_read_back(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    episode = open_iv(w)
    typed = w.s.record_observation(w.nurse.id, episode.id, good())
    w.clock.advance(minutes=1)
    confirmed = w.s.record_observation(w.nurse.id, episode.id, good(hr="81"),
                                       source=ObservationSource.MONITOR)
    rows = {o.id: o.source for o in w.s.episode_view(episode.id).observations}
    assert rows == {typed.observation.id: ObservationSource.MANUAL,
                    confirmed.observation.id: ObservationSource.MONITOR}
    assert audit.verify(w.s.db) == []
    w.s.close()
    conn = sqlite3.connect(str(tmp_path / "clinic.db"))
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        conn.execute("UPDATE observations SET source = 'manual' WHERE id = ?",
                     [confirmed.observation.id])
    conn.close()


def test_an_older_database_gets_manual_sources_and_verifies(tmp_path):
    path = tmp_path / "old.db"
    old, nurse, episode_id = older_clinic(path, "m012_observation_source", at=T0)
    obs = repo.add_observation(old, episode_id, T0, T0, Vitals(hr=80), nurse.id,
                               actor_id=nurse.id, at=T0)
    old.close()
    db = open_db(path)
    assert "m012_observation_source" not in migrations.pending_migrations(db)
    assert [o.source for o in repo.list_observations(db, episode_id)] == [
        ObservationSource.MANUAL]
    assert obs.source == ObservationSource.MANUAL
    assert audit.verify(db) == []
    db.close()


def test_the_sheet_marks_the_monitors_reading(tmp_path):
    import io

    from pypdf import PdfReader

    w = make_world(tmp_path / "clinic.db")
    episode = open_iv(w)
    w.s.record_observation(w.nurse.id, episode.id, good())

    def text() -> str:
        pdf = PdfReader(io.BytesIO(w.s.sheet_pdf(episode.id)))
        return " ".join(page.extract_text() for page in pdf.pages)

    assert "(monitor)" not in text().split("(monitor) =")[0]
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, episode.id, good(hr="81"),
                           source=ObservationSource.MONITOR)
    assert "(monitor)" in text().split("(monitor) =")[0]
    w.s.close()
