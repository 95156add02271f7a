"""Bedside monitors: settings, the listener, and readings routed to chairs' open episodes.

A reading for a chair with an open episode becomes that episode's *pending reading*,
shown in its entry form until the nurse saves or replaces it; it is never saved here.
A reading for an unmapped device or an empty chair goes to a short log and to nobody.
Every method is called from the thread that owns the database (the GUI thread); the
listener's threads only queue readings (``on_reading`` given to ``start``).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from monitor_app.domain.models import Episode, Role
from monitor_app.domain.monitor_codes import CodeTable, check_value, load_code_table
from monitor_app.domain.monitor_intake import (
    MonitorConfig,
    MonitorReading,
    reading_from_dict,
    reading_to_dict,
)
from monitor_app.domain.protocol import Protocol
from monitor_app.services.context import ServiceContext
from monitor_app.services.errors import StorageError
from monitor_app.services.monitor_settings import (
    MonitorSettings,
    chairs_from_text,
    chairs_text,
    check_settings,
    mapping_from_text,
)
from monitor_app.storage import repository as repo
from monitor_app.storage import repository_monitor as repo_monitor

if TYPE_CHECKING:  # the listener (sockets, threads) loads when monitors are switched on
    from monitor_app.services.monitor_listener import MllpListener

__all__ = ["MonitorSettings", "MonitorUseCases", "PendingReading", "chairs_from_text",
           "chairs_text", "check_settings", "mapping_from_text"]

log = logging.getLogger(__name__)
PREFIX = "monitor."
LOG_SIZE = 50


@dataclass(frozen=True)
class PendingReading:
    episode_id: int
    reading: MonitorReading
    values: dict[str, str] = field(default_factory=dict)  # form key -> text
    refused: dict[str, str] = field(default_factory=dict)  # form key -> message


class MonitorUseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.listener: MllpListener | None = None
        self._config: MonitorConfig | None = None
        self._pending: dict[int, PendingReading] = {}
        self._unattached: deque[MonitorReading] = deque(maxlen=LOG_SIZE)
        self._last_seen: dict[str, datetime] = {}  # chair -> last reading
        self._started_at: datetime | None = None
        self._restore_pending()

    @cached_property
    def table(self) -> CodeTable:
        """The monitor codes, read when monitors are first used (not on every start)."""
        return load_code_table(self.ctx.resources / "monitor" / "codes.toml")

    # ------------------------------------------------------------------ settings
    def settings(self) -> MonitorSettings:
        stored = repo.all_settings(self.ctx.db)
        values: dict[str, object] = {}
        for name in ("enabled", "address", "port", "quiet_after_s"):
            if PREFIX + name in stored:
                values[name] = stored[PREFIX + name]
        if PREFIX + "allowlist" in stored:
            values["allowlist"] = tuple(stored[PREFIX + "allowlist"])
        if PREFIX + "chairs" in stored:
            values["chairs"] = tuple((str(d), str(c)) for d, c in stored[PREFIX + "chairs"])
        if PREFIX + "intervals" in stored:
            values["intervals"] = tuple((str(d), int(n))
                                        for d, n in stored[PREFIX + "intervals"])
        return MonitorSettings(**values)  # type: ignore[arg-type]

    def save_settings(self, actor_id: int, new: MonitorSettings) -> MonitorSettings:
        self.ctx.require_role(actor_id, Role.ADMIN)
        new = check_settings(new)
        old = self.settings()
        changed = {name: value for name, value in vars(new).items()
                   if getattr(old, name) != value}
        if changed:
            stored = {PREFIX + k: (list(map(list, v)) if k in ("chairs", "intervals") else
                                   list(v) if k == "allowlist" else v)
                      for k, v in changed.items()}
            repo.set_settings(self.ctx.db, stored, actor_id=actor_id, at=self.ctx.clock.now())
        self._config = None
        self.config()  # a running listener reads the new allowlist and chairs from now on
        return self.settings()

    def config(self) -> MonitorConfig:
        if self._config is None:
            s = self.settings()
            self._config = MonitorConfig(
                table=self.table, protocols=tuple(self.ctx.protocols.values()),
                allowlist=frozenset(d.casefold() for d in s.allowlist),
                chairs={d.casefold(): c for d, c in s.chairs})
        return self._config

    # ------------------------------------------------------------------ listener
    def start(self, on_reading: Callable[[MonitorReading], None], *,
              port: int | None = None) -> tuple[str, int] | None:
        """Start the listener when enabled (``port`` overrides, 0 = any free port);
        returns the bound address, or None when monitors are off."""
        self.stop()
        s = self.settings()
        if not s.enabled:
            return None
        self._config = None
        self.config()  # read here, in the database's thread; the listener reads the copy
        from monitor_app.services.monitor_listener import MllpListener

        self.listener = MllpListener(s.address, s.port if port is None else port,
                                     self._listener_config, self.ctx.clock, on_reading)
        self.listener.start()
        self._started_at = self.ctx.clock.now()
        return self.listener.address

    def _listener_config(self) -> MonitorConfig:
        config = self._config
        assert config is not None
        return config

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    # ------------------------------------------------------------------ readings
    def route(self, reading: MonitorReading) -> PendingReading | None:
        """Attach a reading to its chair's open episode (kept across a restart while
        recent), or log it for nobody."""
        episode = self._episode_in(reading.chair) if reading.chair else None
        if reading.chair:
            self._last_seen[reading.chair] = reading.received_at
        if episode is None:
            self._unattached.append(reading)
            return None
        pending = self._attach(episode, reading)
        try:
            repo_monitor.keep_pending(self.ctx.db, episode.id, reading.received_at,
                                      reading_to_dict(reading))
        except StorageError as exc:  # the form still shows it; only a restart loses it
            log.warning("pending monitor reading not kept for a restart: %s", exc)
        return pending

    def _attach(self, episode: Episode, reading: MonitorReading) -> PendingReading:
        protocol = self.ctx.protocols[episode.protocol_id]
        values, refused = {}, dict(reading.refused)
        for key, text in reading.values.items():
            problem = check_value(key, text, [protocol])
            if problem:
                refused[key] = problem
            else:
                values[key] = text
        pending = PendingReading(episode.id, reading, values, refused)
        self._pending[episode.id] = pending
        return pending

    def pending(self, episode_id: int) -> PendingReading | None:
        return self._pending.get(episode_id)

    def discard_pending(self, episode_id: int, reading: MonitorReading | None = None) -> None:
        """Forget the episode's pending reading (only ``reading``, when given: a newer one
        that arrived meanwhile stays)."""
        found = self._pending.get(episode_id)
        if found is not None and (reading is None or found.reading == reading):
            del self._pending[episode_id]
            try:
                repo_monitor.forget_pending(self.ctx.db, episode_id)
            except StorageError as exc:  # dropped at the next start as stale or closed
                log.warning("kept monitor reading not removed: %s", exc)

    def _restore_pending(self) -> None:
        """The pending readings kept before a restart, each while younger than its
        protocol's shortest check interval (older, it belongs to an earlier check)."""
        now = self.ctx.clock.now()
        active = {e.id: e for e in repo.list_active_episodes(self.ctx.db)}
        for episode_id, received_at, data in repo_monitor.kept_pending(self.ctx.db):
            episode = active.get(episode_id)
            protocol = self.ctx.protocols.get(episode.protocol_id) if episode else None
            if episode is None or protocol is None or \
                    now - received_at > kept_for(protocol):
                repo_monitor.forget_pending(self.ctx.db, episode_id)
                continue
            self._attach(episode, reading_from_dict(data))

    def unattached(self) -> list[MonitorReading]:
        """The last readings that reached no episode, newest first."""
        return list(reversed(self._unattached))

    def chair_signals(self) -> dict[str, str]:
        """Per mapped chair: "monitor" when readings arrive, "no signal" when quiet
        longer than its device's expected interval (since the last reading, or since
        the listener started when none came yet)."""
        if self.listener is None or self._started_at is None:
            return {}
        s = self.settings()
        now = self.ctx.clock.now()
        quiet: dict[str, int] = {}  # chair -> the longest interval of its devices
        for device, chair in s.chairs:
            quiet[chair] = max(quiet.get(chair, 0), s.interval_of(device))
        out = {}
        for chair, seconds in quiet.items():
            last = self._last_seen.get(chair)
            if now - (last or self._started_at) > timedelta(seconds=seconds):
                out[chair] = "no signal"
            elif last is not None:
                out[chair] = "monitor"
        return out

    def _episode_in(self, chair: str) -> Episode | None:
        wanted = chair.strip().casefold()
        return next((e for e in repo.list_active_episodes(self.ctx.db)
                     if e.chair.strip().casefold() == wanted), None)


def kept_for(protocol: Protocol) -> timedelta:
    """How long a pending reading stays worth showing after a restart: the protocol's
    shortest interval between checks (10 min during an IV infusion by default)."""
    schedule = protocol.schedule
    return timedelta(minutes=min(m for m in (schedule.during_interval_min,
                                             schedule.after_interval_min) if m > 0))
