"""One observation saved reads each row it needs once: counted with sqlite3's trace
callback (a count of statements, not a timing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor_app.clock import FixedClock
from monitor_app.domain import pins
from monitor_app.domain.models import Escort, Phase, Role
from monitor_app.services import Services

FULL = {"hr": "80", "bp": "128/84", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"}


def statements_of(services: Services, action) -> list[str]:  # type: ignore[no-untyped-def]
    """The SQL statements ``action`` runs. A trigger's program reports its statement
    again to the callback, so a repeat of the statement just seen is not counted."""
    seen: list[str] = []

    def trace(sql: str) -> None:
        if not seen or seen[-1] != sql:
            seen.append(sql)

    services.db.conn.set_trace_callback(trace)
    try:
        action()
    finally:
        services.db.conn.set_trace_callback(None)
    return seen


@pytest.fixture
def in_recovery(tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pins, "COST", pins.TEST_COST)
    clock = FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    services = Services.open(tmp_path / "clinic.db", clock=clock)
    admin = services.setup_clinic("Clinic", "Ada", "RN", "1111", "1111", min_pin_length=4)
    nurse = services.add_staff(admin.id, "Nurse", "RN", Role.NURSE, "2222", "2222")
    patient = services.add_patient(nurse.id, "M-1", "Pat Test", "1980-01-01")
    protocol = services.protocols["ketamine-iv"]
    episode = services.open_episode(nurse.id, patient.id, protocol.id, "1", 70, 35,
                                    Escort("E", "friend", "5"),
                                    {i.key: True for i in protocol.precheck})
    services.record_observation(nurse.id, episode.id, FULL)
    services.start_dosing(nurse.id, episode.id)
    clock.advance(minutes=40)
    services.end_dosing(nurse.id, episode.id)
    clock.advance(minutes=5)
    yield services, nurse.id, episode.id
    services.close()


def test_one_save_in_recovery_runs_at_most_eight_statements(in_recovery) -> None:
    services, nurse, episode = in_recovery
    saved = []
    run = statements_of(services, lambda: saved.append(
        services.record_observation(nurse, episode, {**FULL, "hr": "131"})))
    # Nine: the eight of the save, and the data_version looked at again under the write
    # lock (another station's save since the reads makes them be read again).
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
    run = statements_of(services, lambda: services.record_observation(nurse, episode, FULL))
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
