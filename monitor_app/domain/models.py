"""Plain data the whole application passes around. No I/O, no Qt.

Times are timezone-aware ``datetime`` objects in UTC. Values a nurse records are
never changed in place: a correction is a new ``Observation`` that ``supersedes``
the voided one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from monitor_app.errors import ValidationError as ValidationError
from monitor_app.errors import ValidationErrors as ValidationErrors


class Role(StrEnum):
    NURSE = "nurse"
    PRESCRIBER = "prescriber"
    ADMIN = "admin"


class Phase(StrEnum):
    PRECHECK = "pre-check"
    DOSING = "dosing"
    RECOVERY = "recovery"
    READY = "ready"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"


SIDE_EFFECTS: tuple[str, ...] = (
    "nausea",
    "vomiting",
    "dizziness",
    "headache",
    "anxiety/agitation",
    "hallucinations",
    "blurred vision",
)


@dataclass(frozen=True)
class Staff:
    """A member of staff who signs in: nurse, prescriber or administrator."""

    id: int
    name: str
    credentials: str
    role: Role
    active: bool = True
    failed_attempts: int = 0
    locked: bool = False

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace("-", " ").split() if p]
        return "".join(p[0].upper() for p in parts[:3]) or "?"

    @property
    def display(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class Patient:
    """A patient as registered: medical record number, name and date of birth."""

    id: int
    mrn: str
    name: str
    dob: date
    sex: str = ""  # "F", "M", "X" or "" when not recorded


@dataclass(frozen=True)
class Escort:
    """The adult who takes the patient home (may be blank until discharge)."""

    name: str = ""
    relationship: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Episode:
    """One treatment session: the patient in a chair, from opening to discharge or cancellation."""

    id: int
    number: str  # readable, e.g. "E-2026-00042"; printed on the sheet
    patient_id: int
    protocol_id: str
    protocol_version: str
    chair: str
    weight_kg: float
    dose_mg: float
    phase: Phase
    created_at: datetime
    created_by: int
    escort: Escort = field(default_factory=Escort)
    lot_number: str = ""
    precheck: dict[str, object] = field(default_factory=dict)
    dosing_start: datetime | None = None
    dosing_end: datetime | None = None
    closed_at: datetime | None = None  # discharged or cancelled
    predose_ack_by: int | None = None  # prescriber who acknowledged a high baseline
    closed_reason: str = ""  # why it was cancelled
    dose_reason: str = ""  # why a dose other than the protocol's fixed doses was given
    dosing_start_entered_at: datetime | None = None  # when dosing start was typed
    dosing_end_entered_at: datetime | None = None

    @property
    def dose_mg_per_kg(self) -> float | None:
        if not self.weight_kg:
            return None
        return self.dose_mg / self.weight_kg


@dataclass(frozen=True)
class Vitals:
    """The values of one observation once parsed; ``None`` means not taken."""

    hr: int | None = None
    sbp: int | None = None
    dbp: int | None = None
    spo2: int | None = None
    rr: int | None = None
    temp_c: float | None = None
    on_oxygen: bool = False
    moaas: int | None = None
    dissociation: int | None = None
    side_effects: tuple[str, ...] = ()
    note: str = ""
    missing_reason: str = ""

    @property
    def bp_text(self) -> str:
        if self.sbp is None or self.dbp is None:
            return ""
        return f"{self.sbp}/{self.dbp}"

    @property
    def is_full(self) -> bool:
        """All the values NEWS2 needs are present."""
        return None not in (self.hr, self.sbp, self.spo2, self.rr, self.moaas)


class ObservationSource(StrEnum):
    """Where an observation's values came from; a monitor's reading is always confirmed
    by the nurse before it is saved."""

    MANUAL = "manual"
    MONITOR = "monitor"


@dataclass(frozen=True)
class Observation:
    """One set of vitals taken at ``taken_at``; a correction voids it and supersedes it."""

    id: int
    episode_id: int
    taken_at: datetime  # clinical time
    entered_at: datetime  # when it was typed; later than taken_at for a late entry
    recorded_by: int
    vitals: Vitals
    supersedes: int | None = None  # id of the voided observation this corrects
    voided_at: datetime | None = None
    voided_by: int | None = None
    void_reason: str = ""
    source: ObservationSource = ObservationSource.MANUAL

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class AlertDirection(StrEnum):
    HIGH = "high"  # at or above / above a limit
    LOW = "low"  # at or below / below a limit
    RISE = "rise"  # risen from baseline by the limit or more
    OTHER = "other"


@dataclass(frozen=True)
class Alert:
    """A clinically concerning value: flagged, shown, acknowledged; never blocks entry.
    Screens read ``direction`` (never the English ``message``) to draw ▲ or ▼."""

    code: str  # e.g. "hypertension", "hr_high", "spo2_low"
    field: str  # form key the alert is about: "bp", "hr", ...
    message: str  # "SBP 184 at or above 180"
    label: str = ""  # the value's short name: "SBP"
    value: float | None = None  # the value that raised it: 184 (a rise: the value, not the rise)
    direction: AlertDirection = AlertDirection.OTHER
    limit: float | None = None  # the protocol's limit it crossed (a rise: the allowed rise)


@dataclass(frozen=True)
class AlertAck:
    """A nurse's acknowledgement of one alert on one observation."""

    observation_id: int
    code: str
    acknowledged_by: int
    acknowledged_at: datetime


@dataclass(frozen=True)
class EpisodeCorrection:
    """A weight or dose corrected before signing: the old value stays with the reason."""

    id: int
    episode_id: int
    field: str  # "weight_kg" or "dose_mg"
    old_value: float
    new_value: float
    reason: str
    corrected_by: int
    corrected_at: datetime
