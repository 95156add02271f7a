"""The plain input of the printed discharge sheet.

The services layer builds a ``SheetData`` from the record; the reports layer only lays
it out. Every text field is already formatted for display (``"128/84"``, ``"36.8"``,
``"0.50"``); an empty string means "not recorded" and prints as a dash. Times are
timezone-aware ``datetime`` objects and are printed in ``SheetData.tz``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Literal, NamedTuple

Paper = Literal["A4", "Letter"]
CriterionStatus = Literal["met", "not_met", "unknown"]
GuideKind = Literal["baseline", "alert"]

# Keys that ``SheetObservation.abnormal`` may hold; "sbp"/"dbp" mark the BP cell.
OBSERVATION_KEYS: tuple[str, ...] = (
    "hr", "bp", "sbp", "dbp", "spo2", "rr", "temp", "moaas", "dissociation",
    "side_effects", "news2",
)


@dataclass(frozen=True)
class SheetClinic:
    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SheetPatient:
    name: str
    mrn: str
    dob: str  # formatted date of birth
    sex: str = ""


@dataclass(frozen=True)
class SheetEpisode:
    number: str  # readable number, e.g. "E-2026-00042"
    date: str  # formatted treatment date
    chair: str = ""


@dataclass(frozen=True)
class SheetProtocol:
    name: str
    version: str
    drug: str
    route: str
    dosing_label: str = "dosing"  # "infusion": printed as "Infusion start"


@dataclass(frozen=True)
class SheetEscort:
    name: str = ""
    relationship: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SheetObservation:
    taken_at: datetime  # clinical time, aware
    hr: str = ""
    bp: str = ""  # "128/84"
    spo2: str = ""
    rr: str = ""
    temp: str = ""  # degrees Celsius, e.g. "36.8"
    on_oxygen: bool = False
    moaas: str = ""
    dissociation: str = ""
    side_effects: str = ""  # "nausea, dizziness"
    news2: int | None = None
    initials: str = ""
    late: bool = False  # entered later than the protocol allows after taken_at
    from_monitor: bool = False  # a bedside monitor's reading the nurse confirmed
    abnormal: frozenset[str] = frozenset()  # keys from OBSERVATION_KEYS
    voided: bool = False
    void_reason: str = ""
    note: str = ""
    timepoint: str = ""  # "baseline", "40 min after dosing start" ... ("" = between slots)


@dataclass(frozen=True)
class SheetOverride:
    reason: str
    prescriber: str  # name (and credentials) of the authorising prescriber


@dataclass(frozen=True)
class SheetCriterion:
    label: str
    status: CriterionStatus
    value: str = ""  # the value behind the decision, e.g. "132/84"
    detail: str = ""  # e.g. "within 20% of baseline 128/80"
    override: SheetOverride | None = None


@dataclass(frozen=True)
class SheetAldreteItem:
    name: str  # "Activity", "Circulation" ...
    score: int | None  # 0, 1 or 2; None when it could not be scored
    reason: str = ""


@dataclass(frozen=True)
class SheetManualItem:
    label: str
    answered: str  # "Yes", "No", "N/A" or "" when not answered
    details: str = ""


@dataclass(frozen=True)
class SheetSignature:
    name: str
    credentials: str
    signed_at: datetime
    meaning: str  # "Discharged by"
    fingerprint: str  # SHA-256 of the signed content, hex


@dataclass(frozen=True)
class SheetAddendum:
    text: str
    signature: SheetSignature


@dataclass(frozen=True)
class SheetAlertEntry:
    """One alert of one observation, with what was done about it."""

    taken_at: datetime
    alert: str  # "SBP 184 at or above 180"
    acknowledged_by: str = ""  # full name and credentials; "" = not acknowledged
    acknowledged_at: datetime | None = None
    action: str = ""  # "Treatment given: labetalol 10 mg IV"


@dataclass(frozen=True)
class SheetAnchor:
    """The audit chain's head when the record was signed: event number and its hash."""

    event: int
    hash: str


@dataclass(frozen=True)
class SheetRemsField:
    label: str
    answer: str
    section: str = ""  # opens a section of the form
    kind: str = "text"  # "text", "yes_no", "integer"
    choices: tuple[str, ...] = ()


class TrendPoint(NamedTuple):
    at: datetime
    hr: float | None
    sbp: float | None
    dbp: float | None
    spo2: float | None = None


@dataclass(frozen=True)
class TrendGuide:
    """A horizontal reference line on the trend chart."""

    label: str  # "Baseline SBP", "SBP alert"
    value: float
    kind: GuideKind = "baseline"


@dataclass(frozen=True)
class SheetChainHead:
    """The audit chain's head when the sheet was made: an anchor kept outside the
    database (printed, and ``keyword`` in the PDF's Keywords for ``verify``)."""

    event_id: int
    hash: str
    keyword: str = ""


@dataclass(frozen=True)
class SheetData:
    clinic: SheetClinic
    patient: SheetPatient
    episode: SheetEpisode
    protocol: SheetProtocol
    tz: tzinfo  # local zone for every printed time
    printed_at: datetime
    paper: Paper = "A4"
    dose_mg: str = ""  # formatted number, unit added by the layout
    dose_mg_per_kg: str = ""
    lot_number: str = ""
    # Weight or dose corrected before signing, a dose other than the protocol's with its
    # reason, dosing times entered late: one line each, printed under the dose.
    record_notes: Sequence[str] = ()
    dosing_start: datetime | None = None
    dosing_end: datetime | None = None
    escort: SheetEscort = field(default_factory=SheetEscort)
    observations: Sequence[SheetObservation] = ()
    criteria: Sequence[SheetCriterion] = ()
    aldrete_items: Sequence[SheetAldreteItem] = ()
    aldrete_total: int | None = None
    aldrete_max: int = 10
    manual_items: Sequence[SheetManualItem] = ()
    instructions_title: str = ""
    instructions: Sequence[str] = ()
    signature: SheetSignature | None = None  # None: the sheet is a DRAFT
    addenda: Sequence[SheetAddendum] = ()
    rems: Sequence[tuple[str, str]] = ()  # (label, answer) in the form's order
    trend: Sequence[TrendPoint | tuple[datetime, float | None, float | None, float | None]] = ()
    trend_guides: Sequence[TrendGuide] = ()
    chain_head: SheetChainHead | None = None
    # the chart copy, the patient copy and the REMS form (services/documents.py)
    language: str = "en"
    next_appointment: str = ""
    staff_key: Sequence[tuple[str, str]] = ()  # (initials, "Full Name, RN")
    precheck: Sequence[tuple[str, str]] = ()  # (question, "Yes"/"No"/"")
    alert_log: Sequence[SheetAlertEntry] = ()
    dosing_by: str = ""  # who started the dose
    anchor: SheetAnchor | None = None
    rems_form: Sequence[SheetRemsField] = ()
    version: int = 0  # 0: as signed; N: the version made at addendum N

    @property
    def is_draft(self) -> bool:
        return self.signature is None
