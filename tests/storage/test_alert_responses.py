"""An acknowledged alert records what was done about it: stored with the
acknowledgement in one transaction, audited, append-only and under the signed lock."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from monitor_app.domain.alert_response import AlertAction, check_response
from monitor_app.domain.models import ValidationError
from monitor_app.services import NotAllowed
from monitor_app.storage import audit, migrations
from monitor_app.storage import repository as repo
from monitor_app.storage.db import open_db
from tests.helpers.clinic import T0, make_clinic, older_clinic, raw, vitals
from tests.helpers.world import (
    NURSE_PIN,
    World,
    answer_everything,
    good,
    open_iv,
    to_ready,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


@pytest.mark.parametrize(("action", "note", "field", "message"), [
    ("", "", "ack_action", "choose what was done"),
    ("shrugged", "", "ack_action", "choose what was done"),
    ("treatment_given", "  ", "ack_note", "say which treatment was given"),
    ("other", "", "ack_note", "say what was done"),
])
def test_the_action_is_required_and_some_actions_need_a_note(action, note, field, message):
    with pytest.raises(ValidationError, match=message) as exc:
        check_response(action, note)
    assert exc.value.field == field
    assert check_response("rechecked", "") == AlertAction.RECHECKED
    assert check_response("prescriber_informed", "") == AlertAction.PRESCRIBER_INFORMED


def _flagged(w: World) -> tuple[int, int]:
    e = open_iv(w)
    row = w.s.record_observation(w.nurse.id, e.id, good(hr="134", bp="186/96"))
    return e.id, row.observation.id


def test_acknowledging_records_what_was_done_with_the_acknowledgement(w: World) -> None:
    e, obs = _flagged(w)
    codes = [a.code for a in w.s.episode_view(e).rows[-1].unacknowledged]
    with pytest.raises(ValidationError, match="say which treatment was given"):
        w.s.acknowledge_alerts(w.nurse.id, obs, codes, "treatment_given", "")
    assert w.s.episode_view(e).rows[-1].unacknowledged  # nothing acknowledged
    w.s.acknowledge_alerts(w.nurse.id, obs, codes, "treatment_given", "labetalol 10 mg IV")
    row = w.s.episode_view(e).rows[-1]
    assert not row.unacknowledged
    assert row.responses_text == "Treatment given: labetalol 10 mg IV"
    assert row.responses[0].codes == tuple(codes)
    assert row.responses[0].recorded_by == w.nurse.id
    events = audit.events(w.s.db, table_name="alert_responses")
    assert [e.action for e in events] == ["alert_response"]
    assert w.s.verify() == []


def test_the_signature_covers_what_was_done_and_then_nothing_more_can_be_acknowledged(
        w: World) -> None:
    e = open_iv(w)
    flagged = w.s.record_observation(w.nurse.id, e.id, good(hr="134"))
    w.s.acknowledge_alerts(w.nurse.id, flagged.observation.id, ["hr_high"],
                           "prescriber_informed", "Dr Mo at 09:05")
    to_ready(w, e.id)
    answer_everything(w, e.id)
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, e.id)
    content = json.loads(w.s.db.execute("SELECT content FROM signatures WHERE id = ?",
                                        [result.signature.id]).fetchone()[0])
    assert content["alert_responses"] == [[flagged.observation.id, ["hr_high"],
                                           "prescriber_informed", "Dr Mo at 09:05",
                                           w.nurse.id, content["alert_responses"][0][5]]]
    sheet = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        w.s.sheet_pdf(e.id))).pages)
    assert "alerts: Prescriber informed: Dr Mo at 09:05" in " ".join(sheet.split())
    obs = w.s.episode_view(e.id).rows[-1].observation.id
    with pytest.raises(NotAllowed):
        w.s.acknowledge_alerts(w.nurse.id, obs, ["hr_high"], "rechecked")
    conn = raw(w.path)
    with pytest.raises(Exception, match="signed and locked"):
        conn.execute("INSERT INTO alert_responses (episode_id, observation_id, codes, action, "
                     "recorded_by, recorded_at) VALUES (?, ?, '[]', 'rechecked', 1, 'x')",
                     [e.id, obs])
    conn.close()


@pytest.mark.parametrize("statement", [
    "UPDATE alert_responses SET note = 'changed'",
    "DELETE FROM alert_responses",
])
def test_responses_are_never_changed_from_the_shell(tmp_path, statement):
    c = make_clinic(tmp_path)
    obs = repo.add_observation(c.db, c.episode.id, T0, T0, vitals(hr=134), c.nurse.id,
                               actor_id=c.nurse.id, at=T0)
    repo.acknowledge_alerts(c.db, obs.id, ["hr_high"], AlertAction.RECHECKED, "",
                            actor_id=c.nurse.id, at=T0)
    c.db.close()
    conn = raw(c.path)
    with pytest.raises(Exception, match="never"):
        conn.execute(statement)
    conn.close()


def test_an_older_database_upgrades_with_the_new_table_and_stays_intact(tmp_path):
    path = tmp_path / "old.db"
    old, nurse, episode_id = older_clinic(path, "m008_alert_responses")
    obs = repo.add_observation(old, episode_id, T0, T0, vitals(hr=134), nurse.id,
                               actor_id=nurse.id, at=T0)
    repo.ack_alert(old, obs.id, "hr_high", actor_id=nurse.id, at=T0)
    old.close()
    db = open_db(path)
    assert "m008_alert_responses" not in migrations.pending_migrations(db)
    assert repo.alert_acks(db, episode_id) == {obs.id: frozenset({"hr_high"})}
    assert repo.alert_responses(db, episode_id) == {}
    assert {"alert_responses_no_update", "alert_responses_no_delete",
            "alert_responses_signed_insert"} <= {
        name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert audit.verify(db) == []
    db.close()
