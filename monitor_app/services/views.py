"""What the services hand to the GUI, the CLI and the PDF about an episode, its
discharge and its signatures: plain, immutable data (the board's row is in
``services.board``). Its types are imported for annotations only, so a start to the
board loads none of this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor_app.domain.alert_response import AlertResponse
    from monitor_app.domain.discharge import DischargeEvaluation, ManualAnswer, Override
    from monitor_app.domain.models import (
        Alert,
        Episode,
        EpisodeCorrection,
        Observation,
        Patient,
        Staff,
    )
    from monitor_app.domain.protocol import Protocol, RemsField
    from monitor_app.domain.schedule import ScheduleStatus
    from monitor_app.domain.scores import AldreteResult, News2Result

# ClinicSettings lives in services.settings; re-exported for the screens that read it here.
from monitor_app.services.settings import ClinicSettings as ClinicSettings


@dataclass(frozen=True)
class ObservationRow:
    observation: Observation
    alerts: tuple[Alert, ...]
    news2: News2Result | None
    acknowledged: frozenset[str]  # alert codes acknowledged
    late: bool
    recorded_by: str  # initials
    responses: tuple[AlertResponse, ...] = ()  # what was done about its alerts
    timepoint: str = ""  # "baseline", "+10 min", "end of infusion"... (domain's label)

    @property
    def responses_text(self) -> str:
        """'Rechecked; Treatment given: labetalol 10 mg IV' ('' when none)."""
        return "; ".join(r.text for r in self.responses)

    @property
    def unacknowledged(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.code not in self.acknowledged)


@dataclass(frozen=True)
class EpisodeView:
    episode: Episode
    patient: Patient
    protocol: Protocol
    rows: tuple[ObservationRow, ...]  # all, voided included, by time taken
    baseline: Observation | None
    status: ScheduleStatus
    predose_caution: Alert | None
    signed: bool
    signatures: tuple[SignatureView, ...] = ()
    addenda: tuple[AddendumView, ...] = ()
    dose_caution: str = ""  # the dose is unusual for the protocol: flagged, not refused
    corrections: tuple[EpisodeCorrection, ...] = ()  # weight or dose corrected, oldest first
    dosing_start_late: bool = False  # typed later than the late-entry limit
    dosing_end_late: bool = False

    @property
    def current_rows(self) -> tuple[ObservationRow, ...]:
        return tuple(r for r in self.rows if not r.observation.voided)

    @property
    def observations(self) -> tuple[Observation, ...]:
        return tuple(r.observation for r in self.rows)


@dataclass(frozen=True)
class SignatureView:
    id: int
    kind: str  # "discharge" or "addendum"
    signer_name: str
    signer_credentials: str
    meaning: str
    signed_at: datetime
    content_hash: str
    addendum_id: int | None = None


@dataclass(frozen=True)
class AddendumView:
    id: int
    text: str
    created_at: datetime
    signature: SignatureView | None


@dataclass(frozen=True)
class RemsItem:
    field: RemsField
    value: str  # what the record holds or what was answered; "" when not yet known
    from_record: bool  # True: taken from the record, not asked
    previous: str = ""  # the patient's answer last session, offered (offer_previous)
    previous_on: date | None = None  # the day of that session


@dataclass(frozen=True)
class DischargeView:
    episode: EpisodeView
    evaluation: DischargeEvaluation
    aldrete: AldreteResult | None
    activity: int | None
    respiration: int | None
    manual: dict[str, ManualAnswer]
    overrides: dict[str, Override]
    override_by: dict[str, str]  # criterion -> prescriber display name
    rems: tuple[RemsItem, ...]
    missing_rems: tuple[str, ...]  # labels of required REMS fields not yet answered
    # REMS answers the observations contradict, each naming the observation
    rems_contradictions: tuple[str, ...] = ()

    @property
    def can_sign(self) -> bool:
        return (self.evaluation.ready and not self.missing_rems
                and not self.rems_contradictions and not self.episode.signed)


@dataclass(frozen=True)
class SignResult:
    signature: SignatureView
    archived_to: Path | None
    archive_problem: str  # "" when the PDF was archived
    export_problem: str = ""  # "" when the FHIR bundle was written (or export is off)


@dataclass(frozen=True)
class StaffView:
    staff: Staff
    can_sign_in: bool
