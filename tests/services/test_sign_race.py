"""Signing checks the record it signs: another station cannot save between the check
of the criteria and the signature (attack pass: a second station's abnormal blood
pressure, saved while the signature was being built, ended up inside an episode
signed as fit for discharge, unchecked and outside the signed content)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor_app.services import Services
from monitor_app.services.errors import DatabaseBusy
from tests.helpers.world import (
    NURSE_PIN,
    World,
    answer_everything,
    good,
    make_world,
    open_iv,
    to_ready,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


@pytest.fixture
def w(tmp_path: Path) -> World:
    world = make_world(tmp_path / "c.db")
    yield world
    world.s.close()


def test_a_save_from_another_station_cannot_slip_in_while_signing(w, monkeypatch):
    episode = open_iv(w)
    to_ready(w, episode.id)
    answer_everything(w, episode.id)
    other = Services.open(w.path, clock=w.clock)
    other.db.execute("PRAGMA busy_timeout = 100")
    signing = w.s.cases.signing
    build = signing._content
    refused: list[Exception] = []

    def other_station_saves_meanwhile(*args, **kwargs):
        try:
            other.record_observation(w.nurse.id, episode.id, good(bp="200/120"))
        except DatabaseBusy as exc:
            refused.append(exc)
        return build(*args, **kwargs)

    monkeypatch.setattr(signing, "_content", other_station_saves_meanwhile)
    try:
        w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)
        stored = [o.vitals.sbp for o in w.s.episode_view(episode.id).observations]
    finally:
        other.close()
    assert 200 not in stored  # never inside the signed episode unchecked
    assert len(refused) == 1  # the other station was told: not saved, try again
