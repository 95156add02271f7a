"""The board's rows: chair order that never jumps, and flags from typed alert data."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor_app.domain.models import Alert
from monitor_app.domain.vitals import alert_value_text, worst_alert
from monitor_app.services.board import chair_key
from tests.helpers.world import World, good, make_world, open_iv


@pytest.fixture
def w(tmp_path: Path, fast_pins: None) -> World:
    world = make_world(tmp_path / "c.db", patients=4)
    yield world
    world.s.close()


def test_chairs_sort_naturally_two_before_ten() -> None:
    chairs = ["10", "2", "Bay 12", "1", "bay 3", "9"]
    assert sorted(chairs, key=chair_key) == ["1", "2", "9", "10", "bay 3", "Bay 12"]


def test_board_lists_chairs_in_natural_order_whatever_their_state(w: World) -> None:
    for patient, chair in enumerate(("10", "2", "7")):
        open_iv(w, chair=chair, patient=patient)
    w.s.record_observation(w.nurse.id, w.s.board()[2].episode_id, good())  # chair 10
    w.clock.advance(minutes=40)
    assert [r.chair for r in w.s.board()] == ["2", "7", "10"]


def test_worst_alert_follows_the_domain_severity_order() -> None:
    high_bp = Alert("hypertension", "bp", "SBP 182 at or above 180", "SBP", 182)
    low_spo2 = Alert("spo2_low", "spo2", "SpO2 89 below 92", "SpO2", 89)
    assert worst_alert([high_bp, low_spo2]) is low_spo2
    assert worst_alert([]) is None
    assert alert_value_text(high_bp) == "SBP 182"


def test_flagged_board_row_carries_the_unacknowledged_alerts_until_acknowledged(
        w: World) -> None:
    e = open_iv(w, chair="7")
    saved = w.s.record_observation(w.nurse.id, e.id, good(bp="182/112", hr="96"))
    row = w.s.board()[0]
    assert row.worst_alert is not None
    assert alert_value_text(row.worst_alert) == "SBP 182"
    assert {a.code for a in row.alerts} == {"hypertension"}
    assert row.flags  # the messages, for the tooltip
    w.s.acknowledge_alerts(w.nurse.id, saved.observation.id,
                           [a.code for a in saved.alerts], "rechecked")
    row = w.s.board()[0]
    assert row.alerts == () and row.worst_alert is None


def test_the_board_row_carries_the_last_vitals_as_values(tmp_path) -> None:


    w = make_world(tmp_path / "c.db")
    e = open_iv(w)
    w.s.record_observation(w.nurse.id, e.id, good())
    row = next(r for r in w.s.board() if r.episode_id == e.id)
    assert row.last_vitals is not None
    assert (row.last_vitals.hr, row.last_vitals.bp_text) == (
        w.s.episode_view(e.id).rows[-1].observation.vitals.hr,
        w.s.episode_view(e.id).rows[-1].observation.vitals.bp_text)
    w.s.close()



def test_a_fahrenheit_clinic_reads_temperature_alerts_in_fahrenheit(tmp_path) -> None:
    import shutil
    from dataclasses import replace

    from monitor_app import paths
    from monitor_app.clock import FixedClock
    from monitor_app.services import Services
    from tests.helpers.world import ESCORT, T0

    folder = tmp_path / "protocols"
    shutil.copytree(paths.protocols_dir(), folder)
    iv = folder / "ketamine-iv.toml"
    iv.write_text(iv.read_text().replace("[limits.temp_c]\n",
                                         "[limits.temp_c]\nflag_at_or_above = 38.0\n"))
    s = Services.open(tmp_path / "c.db", clock=FixedClock(T0), protocols_dir=folder)
    admin = s.setup_clinic("Clinic", "Ada", "RN", "1111", "1111", min_pin_length=4)
    s.save_settings(admin.id, replace(s.settings(), temp_unit="F"))
    patient = s.add_patient(admin.id, "M-1", "Pat", "1980-01-01")
    protocol = s.protocols["ketamine-iv"]
    e = s.open_episode(admin.id, patient.id, protocol.id, "1", 70, 35, ESCORT,
                       {i.key: True for i in protocol.precheck})
    row = s.record_observation(admin.id, e.id, good(temp="39.5"))
    temp = [a for a in row.alerts if a.field == "temp"]
    assert temp and temp[0].message == "Temp 103.1 °F at or above 100.4 °F"
    assert temp[0].value == 39.5  # stored in degrees C
    shown = s.episode_view(e.id).rows[-1].alerts
    board = next(r for r in s.board() if r.episode_id == e.id).alerts
    assert [a.message for a in shown if a.field == "temp"] == [temp[0].message]
    assert [a.message for a in board if a.field == "temp"] == [temp[0].message]
    s.close()
