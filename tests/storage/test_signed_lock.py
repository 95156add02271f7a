"""The signed lock, held by the database itself: a signed episode and its records refuse
every change but an addendum, from the app and from the shell."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from monitor_app.domain.discharge import ManualAnswer, Override
from monitor_app.domain.models import Phase
from monitor_app.storage import audit
from monitor_app.storage import repository as repo
from monitor_app.storage.db import ChangeRefused
from tests.helpers.clinic import (
    T0,
    YES,
    another_patient,
    minutes,
    raw,
    vitals,
)

# --- the signed lock ----------------------------------------------------------------


@pytest.fixture
def signed(clinic):
    db, ep, nurse = clinic.db, clinic.episode, clinic.nurse
    obs = repo.add_observation(db, ep.id, T0, T0, vitals(), nurse.id)
    repo.save_checklist_answer(db, ep.id, "oriented", YES, actor_id=nurse.id, at=T0)
    repo.add_override(db, ep.id, Override("heart_rate", "baseline", clinic.prescriber.id),
                      actor_id=nurse.id, at=T0)
    repo.save_rems_answer(db, ep.id, "lot", "A1", actor_id=nurse.id, at=T0)
    repo.ack_alert(db, obs.id, "hr_high", actor_id=nurse.id, at=T0)
    sig = repo.sign_discharge(db, ep.id, nurse.id, "Discharged by", {"episode": ep.number},
                              at=minutes(60))
    clinic.obs = obs
    clinic.signature = sig
    return clinic


LOCKED_FROM_SHELL = [
    "UPDATE episodes SET chair = 'Chair 9' WHERE id = {ep}",
    "UPDATE episodes SET phase = 'recovery' WHERE id = {ep}",
    "DELETE FROM episodes WHERE id = {ep}",
    "INSERT INTO observations (episode_id, taken_at, entered_at, recorded_by, hr) "
    "VALUES ({ep}, '2026-11-27T12:00:00+00:00', '2026-11-27T12:00:00+00:00', 1, 70)",
    "UPDATE observations SET voided_at = '2026-11-27T12:00:00+00:00', voided_by = 1, "
    "void_reason = 'late' WHERE id = {obs}",
    "INSERT INTO checklist_answers (episode_id, key, confirmed, answered_by, answered_at) "
    "VALUES ({ep}, 'oriented', 0, 1, '2026-11-27T12:00:00+00:00')",
    "UPDATE checklist_answers SET superseded_by = 1 WHERE episode_id = {ep}",
    "INSERT INTO overrides (episode_id, criterion, reason, prescriber_id, recorded_by, "
    "recorded_at) VALUES ({ep}, 'aldrete', 'late', 2, 1, '2026-11-27T12:00:00+00:00')",
    "UPDATE overrides SET voided_at = '2026-11-27T12:00:00+00:00', voided_by = 1, "
    "void_reason = 'x' WHERE episode_id = {ep}",
    "INSERT INTO rems_answers (episode_id, key, value, answered_by, answered_at) "
    "VALUES ({ep}, 'lot', '\"B2\"', 1, '2026-11-27T12:00:00+00:00')",
    "INSERT INTO alert_acks (episode_id, observation_id, code, acknowledged_by, "
    "acknowledged_at) VALUES ({ep}, {obs}, 'spo2_low', 1, '2026-11-27T12:00:00+00:00')",
    "INSERT INTO signatures (episode_id, kind, signer_id, signer_name, meaning, signed_at, "
    "content_hash, content) VALUES ({ep}, 'discharge', 1, 'X', 'Discharged by', "
    "'2026-11-27T12:00:00+00:00', 'h', '{{}}')",
]


@pytest.mark.parametrize("statement", LOCKED_FROM_SHELL)
def test_a_signed_episode_is_locked_by_the_database_itself(signed, statement):
    shell = raw(signed.path)
    sql = statement.format(ep=signed.episode.id, obs=signed.obs.id)
    with pytest.raises(sqlite3.IntegrityError, match=r"signed and locked|never"):
        shell.execute(sql)
    shell.close()
    assert audit.verify(signed.db) == []


def test_the_lock_message_from_the_shell_says_what_to_do(signed):
    shell = raw(signed.path)
    with pytest.raises(sqlite3.IntegrityError,
                       match=r"^episode is signed and locked; add an addendum$"):
        shell.execute("UPDATE episodes SET chair = 'x' WHERE id = ?", [signed.episode.id])
    shell.close()


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 shell installed")
def test_the_lock_holds_in_the_real_sqlite3_shell(signed):
    result = subprocess.run(
        ["sqlite3", str(signed.path),
         f"UPDATE observations SET hr = 60 WHERE id = {signed.obs.id};"
         f"UPDATE episodes SET weight_kg = 1 WHERE id = {signed.episode.id};"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode != 0
    assert "signed and locked" in result.stderr or "never changed" in result.stderr
    assert repo.get_observation(signed.db, signed.obs.id).vitals.hr == 80
    assert repo.get_episode(signed.db, signed.episode.id).weight_kg == 70.0
    assert audit.verify(signed.db) == []


def test_the_app_names_the_locked_episode(signed):
    db, ep, nurse = signed.db, signed.episode, signed.nurse
    expected = f"episode {ep.number} is signed and locked; add an addendum"
    attempts = [
        lambda: repo.add_observation(db, ep.id, T0, minutes(70), vitals(), nurse.id),
        lambda: repo.void_observation(db, signed.obs.id, "x", actor_id=nurse.id, at=T0),
        lambda: repo.set_episode_fields(db, ep.id, weight_kg=80, actor_id=nurse.id, at=T0),
        lambda: repo.update_episode_phase(db, ep.id, Phase.RECOVERY, actor_id=nurse.id, at=T0),
        lambda: repo.save_checklist_answer(db, ep.id, "oriented", ManualAnswer(False),
                                           actor_id=nurse.id, at=T0),
        lambda: repo.save_rems_answer(db, ep.id, "lot", "B", actor_id=nurse.id, at=T0),
        lambda: repo.add_override(db, ep.id, Override("x", "y", signed.prescriber.id),
                                  actor_id=nurse.id, at=T0),
        lambda: repo.void_override(db, ep.id, "heart_rate", actor_id=nurse.id, at=T0),
        lambda: repo.sign_discharge(db, ep.id, nurse.id, "Discharged by", {}, at=T0),
    ]
    for attempt in attempts:
        with pytest.raises(ChangeRefused) as caught:
            attempt()
        assert str(caught.value) == expected


def test_a_trigger_refusal_reaching_the_app_is_a_change_refused(signed, monkeypatch):
    from monitor_app.storage import repository_observations

    monkeypatch.setattr(repository_observations, "ensure_unlocked",
                        lambda db, episode_id: repo.get_episode(db, episode_id))
    with pytest.raises(ChangeRefused, match="signed and locked"):
        repo.add_observation(signed.db, signed.episode.id, T0, T0, vitals(), signed.nurse.id)
    assert not signed.db.conn.in_transaction


def test_an_addendum_and_its_signature_are_still_allowed_after_signing(signed):
    db, ep, nurse = signed.db, signed.episode, signed.nurse
    addendum = repo.add_addendum(db, ep.id, "Patient phoned: home safely.",
                                 actor_id=nurse.id, at=minutes(240))
    sig = repo.add_signature(db, ep.id, "addendum", nurse.id, "Addendum by",
                             {"addendum": addendum.text}, at=minutes(241),
                             addendum_id=addendum.id)
    assert repo.list_addenda(db, ep.id) == [addendum]
    assert [s.kind for s in repo.list_signatures(db, ep.id)] == ["discharge", "addendum"]
    assert sig.addendum_id == addendum.id and sig.signer_name == "Nora Nurse"
    shell = raw(signed.path)
    shell.execute("INSERT INTO addenda (episode_id, text, created_by, created_at) "
                  "VALUES (?, 'from the shell', 1, '2026-11-27T15:00:00+00:00')", [ep.id])
    shell.close()


def test_sign_discharge_closes_the_episode_and_binds_the_content(signed):
    ep = repo.get_episode(signed.db, signed.episode.id)
    assert ep.phase is Phase.DISCHARGED and ep.closed_at == minutes(60)
    sig = signed.signature
    assert sig.kind == "discharge" and sig.meaning == "Discharged by"
    assert (sig.signer_name, sig.signer_credentials) == ("Nora Nurse", "RN")
    assert sig.content == {"episode": ep.number}
    assert sig.content_hash == audit.signature_content_hash({"episode": ep.number})
    assert repo.is_signed(signed.db, ep.id)
    assert ep not in repo.list_active_episodes(signed.db)


def test_an_addendum_signature_must_name_an_addendum_of_its_episode(clinic):
    other = repo.create_episode(clinic.db, another_patient(clinic, 2), "ketamine-iv", "1",
                                "2", 70, 35, actor_id=clinic.nurse.id, at=T0)
    addendum = repo.add_addendum(clinic.db, other.id, "x", actor_id=clinic.nurse.id, at=T0)
    with pytest.raises(sqlite3.IntegrityError, match="same episode"):
        repo.add_signature(clinic.db, clinic.episode.id, "addendum", clinic.nurse.id,
                           "Addendum by", {}, at=T0, addendum_id=addendum.id)
