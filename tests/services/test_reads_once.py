"""One observation saved reads each row it needs once: counted with sqlite3's trace
callback (a count of statements, not a timing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor_app.clock import FixedClock
from monitor_app.domain.models import Phase
from monitor_app.storage.statement_trace import statements_of
from tests.helpers.world import FULL, one_episode


@pytest.fixture
def in_recovery(tmp_path: Path, fast_pins: None):  # type: ignore[no-untyped-def]
    clock = FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    services, _admin, nurse, episode = one_episode(tmp_path / "clinic.db", clock)
    services.record_observation(nurse, episode, FULL)
    services.start_dosing(nurse, episode)
    clock.advance(minutes=40)
    services.end_dosing(nurse, episode)
    clock.advance(minutes=5)
    yield services, nurse, episode
    services.close()


def test_one_save_in_recovery_runs_at_most_eight_statements(in_recovery) -> None:
    services, nurse, episode = in_recovery
    saved = []
    run = statements_of(services.db, lambda: saved.append(
        services.record_observation(nurse, episode, {**FULL, "hr": "131"})))
    # BEGIN IMMEDIATE, data_version, the actor, the episode, its observations, the
    # INSERT, its audit row, COMMIT: all read under the write lock.
    assert len(run) <= 8, "\n".join(run)
    reads_of = lambda table: [s for s in run if f"FROM {table}" in s  # noqa: E731
                              and not s.startswith("INSERT")]
    assert len(reads_of("episodes")) == 1  # the episode, its signed state and answers
    assert len(reads_of("staff")) == 1
    assert not [s for s in run if s.startswith("SELECT * FROM observations WHERE id")]
    # What it returns is what the episode window shows for that row.
    row = saved[0]
    shown = next(r for r in services.episode_view(episode).rows
                 if r.observation.id == row.observation.id)
    assert row == shown
    assert [a.code for a in row.alerts] == [a.code for a in shown.alerts] != []


def test_saves_move_the_episode_to_ready_and_back_as_the_criteria_say(in_recovery) -> None:
    services, nurse, episode = in_recovery
    phases = []
    for _ in range(3):  # 15, 25, 35 minutes after dosing ended
        services.clock.advance(minutes=10)  # type: ignore[attr-defined]
        services.record_observation(nurse, episode, FULL)
        phases.append(services.episode(episode).phase)
    services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    services.record_observation(nurse, episode, {**FULL, "spo2": "85"})
    phases.append(services.episode(episode).phase)
    assert phases == [Phase.RECOVERY, Phase.RECOVERY, Phase.READY, Phase.RECOVERY]


def test_the_save_that_makes_the_episode_ready_commits_once_with_the_change(
        in_recovery) -> None:
    """The observation and the move to ready are one action: one transaction, one
    COMMIT (one fsync), never an observation saved without the phase it implies."""
    services, nurse, episode = in_recovery
    for _ in range(2):  # 15, 25 minutes after dosing ended: still in recovery
        services.clock.advance(minutes=10)  # type: ignore[attr-defined]
        services.record_observation(nurse, episode, FULL)
    services.clock.advance(minutes=10)  # type: ignore[attr-defined]
    run = statements_of(services.db, lambda: services.record_observation(nurse, episode, FULL))
    assert services.episode(episode).phase == Phase.READY
    assert [s for s in run if s in ("COMMIT", "BEGIN IMMEDIATE")] == ["BEGIN IMMEDIATE",
                                                                     "COMMIT"], run
    assert any(s.startswith("UPDATE episodes") for s in run), run


def test_one_signature_builds_the_discharge_view_once(in_recovery, monkeypatch) -> None:
    from monitor_app.domain.discharge import ManualAnswer
    from monitor_app.services.discharge import DischargeUseCases

    services, nurse, episode = in_recovery
    for _ in range(3):
        services.clock.advance(minutes=12)  # type: ignore[attr-defined]
        services.record_observation(nurse, episode, FULL)
    services.answer_aldrete(nurse, episode, 2, 2)
    for item in services.episode_view(episode).protocol.manual:
        services.answer_manual(nurse, episode, item.key, ManualAnswer(
            True, False, {name: "given" for name in item.details}))
    built = []
    real = DischargeUseCases.discharge_view

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(args)
        return real(self, *args, **kwargs)

    kept = {}
    real_archive = services.cases.sheets.archive_sheet

    def archive(episode_id, state=None):  # type: ignore[no-untyped-def]
        kept["state"] = state
        return real_archive(episode_id, state)

    monkeypatch.setattr(DischargeUseCases, "discharge_view", counted)
    monkeypatch.setattr(services.cases.sheets, "archive_sheet", archive)
    result = services.sign_discharge(nurse, "2222", episode)
    assert len(built) == 1
    assert result.archived_to is not None and result.archive_problem == ""
    # The sheet was archived from the view as it reads after the signature.
    assert kept["state"] == real(services.cases.discharge, episode)
