"""Who is signed in at the station. Shared by every window; no Qt widgets here."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from monitor_app.domain.models import Staff
from monitor_app.services import NotSignedIn, Services


class Session(QObject):
    """The signed-in nurse and the services. ``changed`` fires on sign-in, switch, lock."""

    changed = Signal()
    data_changed = Signal(int)  # an episode id whose record changed; -1 = many

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.staff: Staff | None = None
        self.locked = True
        self.monitor_feed: QObject | None = None  # set by the main window (gui/monitor)

    @property
    def staff_id(self) -> int:
        if self.staff is None or self.locked:
            raise NotSignedIn("nobody is signed in")
        return self.staff.id

    def sign_in(self, staff: Staff) -> None:
        self.staff = staff
        self.locked = False
        self.changed.emit()

    def lock(self) -> None:
        if not self.locked:
            self.locked = True
            self.changed.emit()

    def notify(self, episode_id: int = -1) -> None:
        self.data_changed.emit(episode_id)
