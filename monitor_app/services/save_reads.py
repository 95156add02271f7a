"""What the last save on this connection read, kept for the next save while nothing
was written since.

A nurse saves observation after observation on one episode; each save read the
actor, the episode (with its signed state and discharge answers) and the episode's
observations again, though nothing had changed but the row the save itself added.
``SaveReads`` keeps them with the database's change mark (``repo.change_mark``:
SQLite's ``data_version``, which moves when any other connection or process commits,
and this connection's count of changed rows, which moves with any write of its own,
rolled back or not). A save whose mark still matches uses them; any other write in
between, by anyone, makes the next save read everything again. What is kept passed
the same checks (active account, episode neither signed nor closed) when it was read,
and a database that has not changed gives the same answers; the lock triggers still
refuse a write to a signed episode whatever was read.

It also remembers the episodes it has seen, whatever was written since, for what never
changes in an episode (its protocol and opening time): the next save checks its form
against them before it asks for the write lock (``same_identity`` says whether the
episode read under the lock is still that one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor_app.domain.models import Episode, Observation, Staff
from monitor_app.storage import repository as repo


@dataclass(frozen=True)
class _Kept:
    mark: tuple[int, int]
    actor: Staff
    state: repo.EpisodeState
    observations: tuple[Observation, ...]  # by taken_at then id, voided included


_SEEN_AT_MOST = 64  # episodes remembered; more are forgotten all at once


def same_identity(seen: Episode | None, episode: Episode) -> bool:
    """``seen`` is ``episode`` in what a form is checked against."""
    return (seen is not None and seen.id == episode.id
            and seen.protocol_id == episode.protocol_id
            and seen.created_at == episode.created_at)


class SaveReads:
    def __init__(self) -> None:
        self._kept: _Kept | None = None
        self._seen: dict[int, Episode] = {}

    def seen(self, episode_id: int) -> Episode | None:
        """This episode as a save last read it (its phase may have moved since)."""
        return self._seen.get(episode_id)

    def saw(self, episode: Episode) -> None:
        if len(self._seen) >= _SEEN_AT_MOST:
            self._seen.clear()
        self._seen[episode.id] = episode

    def get(self, mark: tuple[int, int], actor_id: int, episode_id: int
            ) -> tuple[Staff, repo.EpisodeState, tuple[Observation, ...]] | None:
        """What was kept for this actor and episode, if nothing was written since."""
        kept = self._kept
        if (kept is None or kept.mark != mark or kept.actor.id != actor_id
                or kept.state.episode.id != episode_id):
            return None
        return kept.actor, kept.state, kept.observations

    def keep(self, mark: tuple[int, int], actor: Staff, state: repo.EpisodeState,
             observations: Sequence[Observation]) -> None:
        """After a commit: ``mark`` as the database reads now, with no other write."""
        self._kept = _Kept(mark, actor, state, tuple(observations))

    def forget(self) -> None:
        self._kept = None
