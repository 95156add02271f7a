"""Two stations on one record: what one judges is what is there when it writes.

Attack pass: signing, and the move to "ready for discharge" after a save, judged rows
read before the write lock was taken, so an abnormal blood pressure another station
saved in between was left out: it ended up inside an episode signed as fit for
discharge (unchecked, outside the signed content), or under a board row that said
"ready for discharge".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor_app.domain.models import Phase
from monitor_app.services import Services
from monitor_app.services.errors import DatabaseBusy
from monitor_app.storage import repository as repo
from tests.helpers.world import (
    NURSE_PIN,
    answer_everything,
    good,
    open_iv,
    to_ready,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


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


def test_ready_for_discharge_counts_an_observation_another_station_saved_meanwhile(
        w, monkeypatch):
    episode = open_iv(w)
    to_ready(w, episode.id)
    w.clock.advance(minutes=5)
    w.s.record_observation(w.nurse.id, episode.id, good(bp="200/120"))
    assert w.s.episode_view(episode.id).episode.phase == Phase.RECOVERY
    other = Services.open(w.path, clock=w.clock)
    other.db.execute("PRAGMA busy_timeout = 100")
    read = repo.list_observations
    refused: list[Exception] = []
    saved_meanwhile: list[bool] = []

    def other_station_saves_meanwhile(db, episode_id, *args, **kwargs):
        rows = read(db, episode_id, *args, **kwargs)
        if not saved_meanwhile and db is w.s.db:
            saved_meanwhile.append(True)
            try:
                other.record_observation(w.nurse.id, episode_id, good(bp="210/120"))
            except DatabaseBusy as exc:
                refused.append(exc)
        return rows

    monkeypatch.setattr(repo, "list_observations", other_station_saves_meanwhile)
    w.clock.advance(minutes=3)
    late = w.clock.now() - timedelta(minutes=1)  # typed a little late: taken before B's
    try:
        w.s.record_observation(w.nurse.id, episode.id, good(), taken_at=late)
    finally:
        monkeypatch.undo()
        other.close()
    view = w.s.episode_view(episode.id)
    latest = max(view.observations, key=lambda o: (o.taken_at, o.id))
    if latest.vitals.sbp == 210:  # the other station's BP is the latest: never "ready"
        assert view.episode.phase == Phase.RECOVERY
    else:  # the other station was told "in use, try again"
        assert refused and view.episode.phase == Phase.READY


@pytest.mark.parametrize("action", ["void", "correct"])
def test_a_void_or_correction_and_its_move_out_of_ready_are_one_action(w, monkeypatch, action):
    """A crash between them left the reading voided under a board row still saying
    "ready for discharge" (they were two transactions)."""
    episode = open_iv(w)
    to_ready(w, episode.id)
    w.clock.advance(minutes=5)
    w.s.record_observation(w.nurse.id, episode.id, good(bp="200/120"))
    w.clock.advance(minutes=1)
    good_one = w.s.record_observation(w.nurse.id, episode.id, good())
    assert w.s.episode_view(episode.id).episode.phase == Phase.READY

    def crash(*args, **kwargs):
        raise RuntimeError("the station stopped here")

    monkeypatch.setattr(repo, "update_episode_phase", crash)
    with pytest.raises(RuntimeError):
        if action == "void":
            w.s.void_observation(w.nurse.id, good_one.observation.id, "wrong patient")
        else:
            w.s.correct_observation(w.nurse.id, good_one.observation.id, "misread",
                                    good(bp="205/120"))
    monkeypatch.undo()
    view = w.s.episode_view(episode.id)
    assert not any(o.voided for o in view.observations)  # all or nothing
    assert view.episode.phase == Phase.READY
