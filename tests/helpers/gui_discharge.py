"""The discharge dialog driven as a nurse would: an episode walked to discharge, every
answer given, and the PINs typed in the sign dialog."""

from __future__ import annotations

from monitor_app.domain.models import Escort
from monitor_app.gui.discharge import sign_dialog as sign_module
from monitor_app.gui.discharge.addendum_dialog import AddendumDialog
from monitor_app.gui.discharge.discharge_dialog import DischargeDialog
from tests.helpers.gui import NURSE_PIN, shown

GOOD = {"hr": "76", "bp": "124/78", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"}


def to_discharge(services, clock, nurse: int, episode_id: int, latest=None) -> None:
    """Dose for 40 min, then 33 min of settled observations after the infusion."""
    clock.advance(minutes=2)
    services.start_dosing(nurse, episode_id)
    for _ in range(4):
        clock.advance(minutes=10)
        services.record_observation(nurse, episode_id, GOOD)
    services.end_dosing(nurse, episode_id)
    for i in range(3):
        clock.advance(minutes=11)
        services.record_observation(nurse, episode_id, latest if latest and i == 2 else GOOD)


def rems_dosed(services, clock, nurse: int) -> int:
    """An esketamine (REMS) episode for Ana Ruiz, lot LOT-7, whose dosing has just ended:
    its id."""
    protocol = services.protocols["esketamine-rems"]
    patient = services.add_patient(nurse, "MRN-2", "Ana Ruiz", "1975-02-03", "F")
    episode = services.open_episode(nurse, patient.id, "esketamine-rems", "2", 70, 56,
                                    Escort("Lee", "son", "555-0199"),
                                    {i.key: True for i in protocol.precheck},
                                    lot_number="LOT-7")
    services.record_observation(nurse, episode.id, GOOD)
    clock.advance(minutes=2)
    services.start_dosing(nurse, episode.id)
    services.end_dosing(nurse, episode.id)
    return episode.id


def open_dialog(qtbot, session, episode_id) -> DischargeDialog:
    dialog = DischargeDialog(session, episode_id)
    qtbot.addWidget(dialog)
    return dialog


def answer_everything(dialog: DischargeDialog) -> None:
    """What a nurse does: Aldrete activity and respiration, then every check box."""
    dialog.activity.setCurrentIndex(dialog.activity.findData(2))
    dialog.respiration.setCurrentIndex(dialog.respiration.findData(2))
    appointment = dialog.findChild(type(dialog.manual_details["next_appointment"]
                                        ["next_appointment"]), "next_appointment")
    appointment.setText("Mon 4 Dec 09:00")
    for check in dialog.manual_boxes.values():
        check.setChecked(True)


def pin_answers(monkeypatch, *pins, seen=None):
    """SignDialog.ask returns these PINs in turn (None = cancel); records errors shown."""
    queue = list(pins)

    def ask(self):
        if seen is not None:
            seen.append(self.pin_error.text() if self.pin_error.isVisibleTo(self) else "")
        return queue.pop(0)

    monkeypatch.setattr(sign_module.SignDialog, "ask", ask)


def addendum_after_signing(qtbot, session, clock, episode_id: int,
                           monkeypatch) -> AddendumDialog:
    """The episode walked to discharge and signed in the discharge dialog by the nurse
    signed in, then the addendum dialog on screen with its text typed."""
    to_discharge(session.services, clock, session.staff.id, episode_id)
    discharge = shown(qtbot, DischargeDialog(session, episode_id))
    answer_everything(discharge)
    pin_answers(monkeypatch, NURSE_PIN)
    assert discharge.sign_discharge() is not None
    dialog = shown(qtbot, AddendumDialog(session, episode_id))
    dialog.text.setPlainText("Phoned next day: well.")
    return dialog


def row_of(dialog: DischargeDialog, key: str) -> int:
    keys = [c.key for c in dialog.state.evaluation.criteria]
    return keys.index(key)
