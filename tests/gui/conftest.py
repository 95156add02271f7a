"""GUI fixtures: a small clinic on a fixed clock, and a signed-in session."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from monitor_app.clock import FixedClock
from monitor_app.domain import pins
from monitor_app.domain.models import Escort, Role
from monitor_app.services import Services
from tests.helpers.gui import ADMIN_PIN, MD_PIN, NURSE_PIN, START


@pytest.fixture(autouse=True)
def _cheap_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pins, "COST", pins.TEST_COST)


@pytest.fixture(autouse=True)
def _quiet_station(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No audio in tests (offscreen): the chime's effect is never made, and the beep it
    falls back to is only counted; closing never asks. Returns the beeps."""
    from PySide6.QtWidgets import QApplication

    from monitor_app.gui.common import attention

    beeps: list[str] = []
    monkeypatch.setattr(attention.SoundPlayer, "_make_effect", lambda self: None)
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append("beep")))
    monkeypatch.setattr(attention, "ask_quit", lambda parent, active: True)
    return beeps


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def services(tmp_path, clock) -> Services:
    s = Services.open(tmp_path / "clinic.db", clock=clock)
    yield s
    s.close()


@pytest.fixture
def staff(services: Services) -> dict[str, int]:
    """An administrator, a nurse and a prescriber; returns their ids by role."""
    admin = services.setup_clinic("Test Clinic", "Ada Admin", "RN", ADMIN_PIN, ADMIN_PIN,
                                  min_pin_length=4)
    nurse = services.add_staff(admin.id, "Nora Nurse", "RN", Role.NURSE, NURSE_PIN, NURSE_PIN)
    md = services.add_staff(admin.id, "Max Prescriber", "MD", Role.PRESCRIBER, MD_PIN, MD_PIN)
    return {"admin": admin.id, "nurse": nurse.id, "prescriber": md.id}


@pytest.fixture
def episode_id(services: Services, staff: dict[str, int]) -> int:
    """An IV ketamine episode in pre-check with its baseline recorded."""
    patient = services.add_patient(staff["nurse"], "MRN-1", "Jo O'Hara", "1980-05-01", "F")
    protocol = services.protocols["ketamine-iv"]
    episode = services.open_episode(
        staff["nurse"], patient.id, "ketamine-iv", "1", 70, 35,
        Escort("Sam", "partner", "555-0100"), {i.key: True for i in protocol.precheck})
    services.record_observation(staff["nurse"], episode.id, {
        "hr": "76", "bp": "124/78", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"})
    return episode.id


@pytest.fixture
def session(qtbot, services: Services, staff: dict[str, int]):
    from monitor_app.gui.common.session import Session

    s = Session(services)
    s.sign_in(services.staff_member(staff["nurse"]))
    return s


@pytest.fixture
def admin_session(qtbot, services: Services, staff: dict[str, int]):
    from monitor_app.gui.common.session import Session

    s = Session(services)
    s.sign_in(services.staff_member(staff["admin"]))
    return s
