"""What the episode window shows, kept between rebuilds of its view.

The window ticks every second. A tick asks the services only for their change mark (no
table read); the countdown is the domain's schedule of the cached observations at the
clock's now. The whole ``EpisodeView`` is rebuilt only when something was written: a
save, void or correction here (``session.notify``) or another station's change (the
mark moved). A save here is applied from the row the use case returned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from monitor_app.domain.models import Observation
from monitor_app.domain.schedule import ScheduleStatus, baseline_of, episode_schedule
from monitor_app.services.views import EpisodeView, ObservationRow

if TYPE_CHECKING:
    from monitor_app.services import Services


def row_order(row: ObservationRow) -> tuple[datetime, int]:
    """The table's order, the services' too: by time taken, then id."""
    return row.observation.taken_at, row.observation.id


def _id(observation: Observation | None) -> int | None:
    return None if observation is None else observation.id


class CachedEpisode:
    """The last ``EpisodeView`` of one episode and the change mark it was read at."""

    def __init__(self, services: Services, episode_id: int) -> None:
        self.services = services
        self.episode_id = episode_id
        self.view: EpisodeView | None = None
        self._mark: tuple[int, int] | None = None

    def _change_mark(self) -> tuple[int, int]:
        return self.services.cases.episodes.change_mark()

    def load(self) -> EpisodeView:
        """A fresh view from the services (a ``ValidationError`` passes through)."""
        mark = self._change_mark()  # before the read: a write during it shows
        self.view = self.services.episode_view(self.episode_id)
        self._mark = mark
        return self.view

    def stale(self) -> bool:
        """Something was written since the view was read (here or at another station)."""
        return self.view is None or self._change_mark() != self._mark

    def status(self, now: datetime) -> ScheduleStatus | None:
        """What is due at ``now``, from the cached view: no database access."""
        view = self.view
        if view is None:
            return None
        return episode_schedule(view.protocol, view.episode, view.observations, now)

    def with_saved(self, row: ObservationRow) -> EpisodeView | None:
        """The view with the row a save here returned, or None when a full rebuild is
        needed: the new row changes the baseline (so other rows' alerts), or another
        station wrote meanwhile."""
        view = self.view
        if view is None or self._mark is None:
            return None
        rows = tuple(sorted((*view.rows, row), key=row_order))
        base = baseline_of([r.observation for r in rows], view.episode.dosing_start)
        if _id(base) != _id(view.baseline):
            return None
        mark = self._change_mark()
        if mark[0] != self._mark[0]:
            return None
        # The phase may have followed the discharge criteria (recovery <-> ready).
        episode = self.services.episode(self.episode_id)
        observations = [r.observation for r in rows]
        status = episode_schedule(view.protocol, episode, observations,
                                  self.services.clock.now())
        self.view = replace(view, rows=rows, episode=episode, status=status)
        self._mark = mark
        return self.view
