"""``Services``: the one object the GUI and the CLI hold. A thin facade: each method
hands the call to the use case of its subject (``services/<subject>.py``), each of which
is given the ``ServiceContext`` and the other use cases it needs, explicitly.

The subjects of every shift (staff, PINs, episodes, observations, board, discharge) are
methods here; the others are their use-case objects, reached as attributes
(``services.exports``, ``.documents``, ``.history``, ``.rems_queue``, ``.clinic_report``,
``.monitor``, ``.local_admin``). A new subject is added as an attribute.

Every write is one transaction with its audit row; time comes from the injected clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor_app import paths
from monitor_app.clock import Clock, SystemClock
from monitor_app.domain import pins
from monitor_app.domain.models import (
    Episode,
    EpisodeCorrection,
    Escort,
    ObservationSource,
    Patient,
    Role,
    Staff,
)
from monitor_app.domain.protocol import Protocol, load_protocols
from monitor_app.domain.scores import AldreteTable, News2Table, load_aldrete, load_news2
from monitor_app.services.board import BoardRow
from monitor_app.services.cases import UseCases
from monitor_app.services.context import ServiceContext
from monitor_app.services.settings import ClinicSettings
from monitor_app.storage.connection import Database
from monitor_app.storage.db import check_integrity, database_path, open_db

if TYPE_CHECKING:  # loaded on first use (services/cases.py)
    from monitor_app.domain.alert_response import AlertResponse
    from monitor_app.domain.discharge import ManualAnswer, Override
    from monitor_app.services.backups import BackupJob
    from monitor_app.services.clinic_report import ClinicReportUseCases
    from monitor_app.services.documents import DocumentUseCases
    from monitor_app.services.entry import PreviousEpisode
    from monitor_app.services.exports import ExportUseCases
    from monitor_app.services.history import HistoryUseCases
    from monitor_app.services.local_admin import LocalAdminUseCases
    from monitor_app.services.monitor import MonitorSettings, MonitorUseCases
    from monitor_app.services.recovery import RecoveryReport
    from monitor_app.services.rems_queue import RemsQueueUseCases
    from monitor_app.services.verification import VerifyReport
    from monitor_app.services.views import DischargeView, EpisodeView, ObservationRow, SignResult


class Services:
    def __init__(self, db: Database, protocols: dict[str, Protocol],
                 clock: Clock, news2_table: News2Table, aldrete_table: AldreteTable,
                 resources: Path, data_dir: Path) -> None:
        ctx = ServiceContext(db=db, db_path=database_path(db), clock=clock,
                             protocols=protocols, news2_table=news2_table,
                             aldrete_table=aldrete_table, resources=resources,
                             data_dir=data_dir)
        self.context = ctx
        # Never replaced while open: the screens and tools read them here.
        self.db, self.db_path, self.protocols = db, ctx.db_path, protocols
        self.aldrete_table = aldrete_table
        self.cases = UseCases(ctx)

    @classmethod
    def open(cls, db_path: Path, clock: Clock | None = None, protocols_dir: Path | None = None,
             resources: Path | None = None, defer_quick_check: bool = False) -> Services:
        """Load protocols and score tables (a bad file fails naming file and key), then
        open the database (a corrupt or locked one is refused with a message)."""
        resources = resources or paths.resources_dir()
        protocols = load_protocols(protocols_dir or paths.protocols_dir())
        news2_table = load_news2(resources / "scores" / "news2.toml")
        aldrete_table = load_aldrete(resources / "scores" / "aldrete.toml")
        db = open_db(db_path, defer_quick_check=defer_quick_check)
        return cls(db, protocols, clock or SystemClock(), news2_table, aldrete_table,
                   resources, Path(db_path).resolve().parent)

    def close(self) -> None:
        if "monitor" in vars(self.cases):  # started only if it was ever used
            self.cases.monitor.stop()
        self.context.db.close()

    @property
    def monitor(self) -> MonitorUseCases:
        """Bedside monitors: settings, listener, readings."""
        return self.cases.monitor

    def save_monitor_settings(self, actor_id: int, new: MonitorSettings) -> MonitorSettings:
        return self.monitor.save_settings(actor_id, new)

    @property
    def history(self) -> HistoryUseCases:
        """Past episodes: today's closed ones and the search."""
        return self.cases.history

    @property
    def rems_queue(self) -> RemsQueueUseCases:
        """The REMS Patient Monitoring Forms to file, and the clinic's filing notes."""
        return self.cases.rems_queue

    @property
    def clinic_report(self) -> ClinicReportUseCases:
        """The month at a glance (clinic manager)."""
        return self.cases.clinic_report

    # ------------------------------------------------------------------ the context
    @property
    def clock(self) -> Clock:
        return self.context.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:  # the demo builds its history at past times
        self.context.clock = clock

    # ------------------------------------------------------------------ settings, staff
    def settings(self) -> ClinicSettings:
        return self.context.settings()

    def save_settings(self, actor_id: int, new: ClinicSettings) -> ClinicSettings:
        return self.cases.staff.save_settings(actor_id, new)

    def archive_dir(self) -> Path:
        return self.context.archive_dir()

    def backup_dir(self) -> Path:
        return self.context.backup_dir()

    def needs_setup(self) -> bool:
        return self.cases.staff.needs_setup()

    def setup_clinic(self, clinic_name: str, admin_name: str, credentials: str, pin: str,
                     pin_again: str, *, min_pin_length: int = pins.MIN_LENGTH_DEFAULT) -> Staff:
        return self.cases.staff.setup_clinic(clinic_name, admin_name, credentials, pin,
                                             pin_again, min_pin_length=min_pin_length)

    def staff(self, include_inactive: bool = False) -> list[Staff]:
        return self.cases.staff.staff(include_inactive)

    def staff_member(self, staff_id: int) -> Staff:
        return self.context.staff_member(staff_id)

    def prescribers(self) -> list[Staff]:
        return self.cases.staff.prescribers()

    def add_staff(self, actor_id: int, name: str, credentials: str, role: Role | str,
                  pin: str, pin_again: str) -> Staff:
        return self.cases.staff.add_staff(actor_id, name, credentials, role, pin, pin_again)

    def update_staff(self, actor_id: int, staff_id: int, name: str, credentials: str,
                     role: Role | str, active: bool) -> Staff:
        return self.cases.staff.update_staff(actor_id, staff_id, name, credentials, role,
                                             active)

    def unlock_staff(self, actor_id: int, staff_id: int) -> None:
        self.cases.staff.unlock_staff(actor_id, staff_id)

    @property
    def local_admin(self) -> LocalAdminUseCases:
        """What is done at the computer without a PIN (``monitor-app unlock-staff``)."""
        return self.cases.local_admin

    def check_integrity(self) -> None:
        """SQLite's quick check of the file that ``open(defer_quick_check=True)`` left to
        do; raises StorageError when damaged. Safe in a worker thread (its own read-only
        connection)."""
        if self.db_path is not None:
            check_integrity(self.db_path)

    def verify(self) -> list[str]:
        return self.cases.integrity.verify()

    def verify_record(self, extra_anchors: Sequence[Path] = (), *,
                      own_connection: bool = False) -> VerifyReport:
        return self.cases.integrity.verify_record(extra_anchors,
                                                  own_connection=own_connection)

    def check_full_integrity(self) -> str:
        return self.cases.integrity.check_full_integrity()

    @property
    def integrity_problem(self) -> str:
        return self.cases.integrity.integrity_problem

    # ------------------------------------------------------------------ PINs and keys
    @property
    def keys_problem(self) -> str:
        return self.cases.credentials.keys_problem

    def key_file(self) -> Path | None:
        return self.cases.credentials.key_file()

    def signing_certificate(self) -> str:
        return self.cases.credentials.signing_certificate()

    def signing_fingerprint(self) -> str:
        return self.cases.credentials.signing_fingerprint()

    def import_signing_certificate(self, actor_id: int, p12_path: str, password: str) -> str:
        return self.cases.credentials.import_signing_certificate(actor_id, p12_path, password)

    def authenticate(self, staff_id: int, pin: str) -> Staff:
        return self.cases.credentials.authenticate(staff_id, pin)

    def pin_change_due(self, staff_id: int) -> bool:
        return self.cases.credentials.pin_change_due(staff_id)

    def change_own_pin(self, staff_id: int, pin: str, pin_again: str) -> None:
        self.cases.credentials.change_own_pin(staff_id, pin, pin_again)

    def reset_pin(self, actor_id: int, staff_id: int, pin: str, pin_again: str) -> None:
        self.cases.credentials.reset_pin(actor_id, staff_id, pin, pin_again)

    # ------------------------------------------------------------------ patients, episodes
    def find_patients(self, query: str, limit: int = 50) -> list[Patient]:
        return self.cases.episodes.find_patients(query, limit)

    def add_patient(self, actor_id: int, mrn: str, name: str, dob: date | str,
                    sex: str = "") -> Patient:
        return self.cases.entry.add_patient(actor_id, mrn, name, dob, sex)

    def patient(self, patient_id: int) -> Patient:
        return self.cases.episodes.patient(patient_id)

    def protocol_of(self, episode: Episode) -> Protocol:
        return self.context.protocol_of(episode)

    def open_episode(self, actor_id: int, patient_id: int | None, protocol_id: str,
                     chair: str, weight_kg: float | str, dose_mg: float | str,
                     escort: Escort, precheck: Mapping[str, object], lot_number: str = "",
                     dose_reason: str = "") -> Episode:
        return self.cases.entry.open_episode(actor_id, patient_id, protocol_id, chair,
                                             weight_kg, dose_mg, escort, precheck,
                                             lot_number, dose_reason)

    def open_episode_for_new_patient(
        self, actor_id: int, mrn: str, name: str, dob: date | str, sex: str,
        protocol_id: str, chair: str, weight_kg: float | str, dose_mg: float | str,
        escort: Escort, precheck: Mapping[str, object], lot_number: str = "",
        dose_reason: str = "",
    ) -> tuple[Patient, Episode]:
        return self.cases.entry.open_episode_for_new_patient(
            actor_id, mrn, name, dob, sex, protocol_id, chair, weight_kg, dose_mg, escort,
            precheck, lot_number, dose_reason)

    def previous_episode(self, patient_id: int) -> PreviousEpisode | None:
        return self.cases.entry.previous_episode(patient_id)

    def correct_episode_value(self, actor_id: int, episode_id: int, field: str,
                              value: float | str, reason: str) -> Episode:
        return self.cases.entry.correct_episode_value(actor_id, episode_id, field, value,
                                                      reason)

    def episode_corrections(self, episode_id: int) -> list[EpisodeCorrection]:
        return self.cases.entry.episode_corrections(episode_id)

    def episode(self, episode_id: int) -> Episode:
        return self.cases.episodes.episode(episode_id)

    def episode_by_number(self, number_or_id: str) -> Episode:
        return self.cases.episodes.episode_by_number(number_or_id)

    def episodes(self, include_closed: bool = False, limit: int = 500) -> list[Episode]:
        return self.cases.episodes.episodes(include_closed, limit)

    def episode_view(self, episode_id: int) -> EpisodeView:
        return self.cases.episodes.episode_view(episode_id)

    def acknowledge_predose(self, prescriber_id: int, pin: str, episode_id: int) -> Episode:
        return self.cases.episodes.acknowledge_predose(prescriber_id, pin, episode_id)

    def start_dosing(self, actor_id: int, episode_id: int,
                     at: datetime | None = None) -> Episode:
        return self.cases.episodes.start_dosing(actor_id, episode_id, at)

    def end_dosing(self, actor_id: int, episode_id: int, at: datetime | None = None) -> Episode:
        return self.cases.episodes.end_dosing(actor_id, episode_id, at)

    def cancel_episode(self, actor_id: int, episode_id: int, reason: str) -> Episode:
        return self.cases.episodes.cancel_episode(actor_id, episode_id, reason)

    # ------------------------------------------------------------------ observations
    def record_observation(self, actor_id: int, episode_id: int, raw: Mapping[str, object],
                           taken_at: datetime | None = None, *,
                           source: ObservationSource = ObservationSource.MANUAL
                           ) -> ObservationRow:
        return self.cases.observations.record_observation(actor_id, episode_id, raw, taken_at,
                                                          source=source)

    def correct_observation(self, actor_id: int, observation_id: int, reason: str,
                            raw: Mapping[str, object],
                            taken_at: datetime | None = None) -> ObservationRow:
        return self.cases.observations.correct_observation(actor_id, observation_id, reason,
                                                          raw, taken_at)

    def void_observation(self, actor_id: int, observation_id: int, reason: str) -> None:
        self.cases.observations.void_observation(actor_id, observation_id, reason)

    def acknowledge_alerts(self, actor_id: int, observation_id: int, codes: Sequence[str],
                           action: str, note: str = "") -> AlertResponse:
        return self.cases.observations.acknowledge_alerts(actor_id, observation_id, codes,
                                                         action, note)

    # ------------------------------------------------------------------ board, backups
    def board(self) -> list[BoardRow]:
        return self.cases.board.board()

    def board_tick(self, rows: Sequence[BoardRow]) -> list[BoardRow]:
        return self.cases.board.board_tick(rows)

    def backup_now(self) -> Path:
        return self.cases.backups.backup_now()

    def backup_to(self, dest: Path) -> Path:
        return self.cases.backups.backup_to(dest)

    def backup_if_due(self) -> Path | None:
        return self.cases.backups.backup_if_due()

    def plan_backup(self, daily: bool) -> BackupJob | None:
        return self.cases.backups.plan_backup(daily)

    def signed_without_archive(self) -> list[int]:
        return self.cases.recovery.signed_without_archive()

    def recover(self) -> RecoveryReport:
        return self.cases.recovery.recover()

    # ------------------------------------------------------------------ discharge
    def discharge_view(self, episode_id: int) -> DischargeView:
        return self.cases.discharge.discharge_view(episode_id)

    def automatic_criteria_met(self, episode_id: int) -> bool:
        return self.cases.discharge.automatic_criteria_met(episode_id)

    def answer_aldrete(self, actor_id: int, episode_id: int, activity: int,
                       respiration: int) -> None:
        self.cases.discharge.answer_aldrete(actor_id, episode_id, activity, respiration)

    def answer_manual(self, actor_id: int, episode_id: int, key: str,
                      answer: ManualAnswer) -> None:
        self.cases.discharge.answer_manual(actor_id, episode_id, key, answer)

    def add_override(self, actor_id: int, episode_id: int, criterion: str, reason: str,
                     prescriber_id: int, pin: str) -> None:
        self.cases.discharge.add_override(actor_id, episode_id, criterion, reason,
                                          prescriber_id, pin)

    def check_override(self, episode_id: int, criterion: str, reason: str,
                       prescriber_id: int) -> Override:
        return self.cases.discharge.check_override(episode_id, criterion, reason,
                                                   prescriber_id)

    def remove_override(self, actor_id: int, episode_id: int, criterion: str) -> None:
        self.cases.discharge.remove_override(actor_id, episode_id, criterion)

    def answer_rems(self, actor_id: int, episode_id: int, key: str, value: str) -> None:
        self.cases.rems.answer_rems(actor_id, episode_id, key, value)

    def sign_discharge(self, signer_id: int, pin: str, episode_id: int) -> SignResult:
        return self.cases.signing.sign_discharge(signer_id, pin, episode_id)

    def add_addendum(self, signer_id: int, pin: str, episode_id: int, text: str) -> SignResult:
        return self.cases.signing.add_addendum(signer_id, pin, episode_id, text)

    # ------------------------------------------------------------------ documents
    @property
    def documents(self) -> DocumentUseCases:
        """The chart copy, the patient copy and the REMS form; the instructions' language."""
        return self.cases.documents

    def sheet_pdf(self, episode_id: int) -> bytes:
        return self.cases.sheets.sheet_pdf(episode_id)

    def write_sheet(self, episode_id: int, path: Path) -> Path:
        return self.cases.sheets.write_sheet(episode_id, path)

    def archive_sheet(self, episode_id: int) -> tuple[Path | None, str]:
        return self.cases.sheets.archive_sheet(episode_id)

    @property
    def exports(self) -> ExportUseCases:
        """The FHIR bundle of a signed episode and the CSV of observations."""
        return self.cases.exports
