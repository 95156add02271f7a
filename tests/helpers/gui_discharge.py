"""The discharge dialog driven as a nurse would: an episode walked to discharge, every
answer given, and the PINs typed in the sign dialog."""

from __future__ import annotations

from monitor_app.gui.discharge import sign_dialog as sign_module
from monitor_app.gui.discharge.discharge_dialog import DischargeDialog

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


def row_of(dialog: DischargeDialog, key: str) -> int:
    keys = [c.key for c in dialog.state.evaluation.criteria]
    return keys.index(key)
