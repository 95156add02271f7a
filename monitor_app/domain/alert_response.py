"""What the nurse did about an observation's alerts, recorded with the acknowledgement.

Pure: the actions, their wording, and which of them need a note to say what was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from monitor_app.domain.models import ValidationError


class AlertAction(StrEnum):
    RECHECKED = "rechecked"
    PRESCRIBER_INFORMED = "prescriber_informed"
    TREATMENT_GIVEN = "treatment_given"
    OTHER = "other"


ACTION_LABELS: dict[AlertAction, str] = {
    AlertAction.RECHECKED: "Rechecked",
    AlertAction.PRESCRIBER_INFORMED: "Prescriber informed",
    AlertAction.TREATMENT_GIVEN: "Treatment given",
    AlertAction.OTHER: "Other",
}
# An action that means nothing without a note asks for one, in these words.
NOTE_REQUIRED: dict[AlertAction, str] = {
    AlertAction.TREATMENT_GIVEN: "say which treatment was given",
    AlertAction.OTHER: "say what was done",
}


@dataclass(frozen=True)
class AlertResponse:
    observation_id: int
    codes: tuple[str, ...]  # the alert codes acknowledged with this response
    action: AlertAction
    note: str
    recorded_by: int
    recorded_at: datetime

    @property
    def text(self) -> str:
        """'Treatment given: labetalol 10 mg IV' or 'Rechecked'."""
        label = ACTION_LABELS[self.action]
        return f"{label}: {self.note}" if self.note else label


def check_response(action: str | AlertAction | None, note: str) -> AlertAction:
    """The chosen action, or ``ValidationError`` naming the field that is missing."""
    try:
        chosen = AlertAction(action or "")
    except ValueError:
        raise ValidationError("ack_action", "choose what was done") from None
    if chosen in NOTE_REQUIRED and not note.strip():
        raise ValidationError("ack_note", NOTE_REQUIRED[chosen])
    return chosen
