"""The use cases of one open clinic, wired once: each is given the context and the
other use cases it needs, explicitly. Only what a start to the board needs (PINs and
the key file, staff, the board) is built at open; every other subject (episodes,
entry, observations, discharge, documents, exports, backups, record checks...) is
imported and built on first use, so a cold start does not pay for it."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from monitor_app.services.board import BoardUseCases
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases
from monitor_app.services.staff import StaffUseCases

if TYPE_CHECKING:
    from monitor_app.services.backups import BackupUseCases
    from monitor_app.services.clinic_report import ClinicReportUseCases
    from monitor_app.services.discharge import DischargeUseCases
    from monitor_app.services.documents import DocumentUseCases
    from monitor_app.services.entry import EntryUseCases
    from monitor_app.services.episodes import EpisodeUseCases
    from monitor_app.services.exports import ExportUseCases
    from monitor_app.services.history import HistoryUseCases
    from monitor_app.services.local_admin import LocalAdminUseCases
    from monitor_app.services.monitor import MonitorUseCases
    from monitor_app.services.observations import ObservationUseCases
    from monitor_app.services.recovery import RecoveryUseCases
    from monitor_app.services.rems import RemsUseCases
    from monitor_app.services.rems_queue import RemsQueueUseCases
    from monitor_app.services.sheet import SheetUseCases
    from monitor_app.services.signing import SigningUseCases
    from monitor_app.services.verification import IntegrityUseCases


class UseCases:
    def __init__(self, ctx: ServiceContext) -> None:
        self.context = ctx
        self.credentials = CredentialUseCases(ctx)
        self.staff = StaffUseCases(ctx, self.credentials)
        self.board = BoardUseCases(ctx)

    @cached_property
    def episodes(self) -> EpisodeUseCases:
        from monitor_app.services.episodes import EpisodeUseCases

        return EpisodeUseCases(self.context, self.credentials)

    @cached_property
    def entry(self) -> EntryUseCases:
        from monitor_app.services.entry import EntryUseCases

        return EntryUseCases(self.context, self.episodes)

    @cached_property
    def rems(self) -> RemsUseCases:
        from monitor_app.services.rems import RemsUseCases

        return RemsUseCases(self.context, self.episodes)

    @cached_property
    def discharge(self) -> DischargeUseCases:
        from monitor_app.services.discharge import DischargeUseCases

        return DischargeUseCases(self.context, self.episodes, self.credentials, self.rems)

    @cached_property
    def observations(self) -> ObservationUseCases:
        from monitor_app.services.observations import ObservationUseCases

        return ObservationUseCases(self.context, self.episodes, self.discharge)

    @cached_property
    def sheets(self) -> SheetUseCases:
        from monitor_app.services.sheet import SheetUseCases

        return SheetUseCases(self.context, self.discharge, self.credentials)

    @cached_property
    def documents(self) -> DocumentUseCases:
        from monitor_app.services.documents import DocumentUseCases

        return DocumentUseCases(self.context, self.sheets, self.episodes, self.credentials)

    @cached_property
    def exports(self) -> ExportUseCases:
        from monitor_app.services.exports import ExportUseCases

        return ExportUseCases(self.context, self.episodes, self.sheets)

    @cached_property
    def integrity(self) -> IntegrityUseCases:
        from monitor_app.services.verification import IntegrityUseCases

        return IntegrityUseCases(self.context)

    @cached_property
    def signing(self) -> SigningUseCases:
        from monitor_app.services.signing import SigningUseCases

        return SigningUseCases(self.context, self.episodes, self.credentials, self.discharge,
                               self.sheets, self.exports, self.integrity)

    @cached_property
    def backups(self) -> BackupUseCases:
        from monitor_app.services.backups import BackupUseCases

        return BackupUseCases(self.context)

    @cached_property
    def recovery(self) -> RecoveryUseCases:
        from monitor_app.services.recovery import RecoveryUseCases

        return RecoveryUseCases(self.context, self.signing)

    @cached_property
    def monitor(self) -> MonitorUseCases:
        from monitor_app.services.monitor import MonitorUseCases

        return MonitorUseCases(self.context)

    @cached_property
    def local_admin(self) -> LocalAdminUseCases:
        from monitor_app.services.local_admin import LocalAdminUseCases

        return LocalAdminUseCases(self.context, self.credentials)

    @cached_property
    def history(self) -> HistoryUseCases:
        from monitor_app.services.history import HistoryUseCases

        return HistoryUseCases(self.context)

    @cached_property
    def rems_queue(self) -> RemsQueueUseCases:
        from monitor_app.services.rems_queue import RemsQueueUseCases

        return RemsQueueUseCases(self.context)

    @cached_property
    def clinic_report(self) -> ClinicReportUseCases:
        from monitor_app.services.clinic_report import ClinicReportUseCases

        return ClinicReportUseCases(self.context, self.rems_queue)
