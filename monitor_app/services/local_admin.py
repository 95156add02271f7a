"""What the IT person does at the computer, without any PIN: unlock a locked account.

The way back when the only administrator locked themselves out. Access to the
computer (and to the database file) is the authority; the operating-system user and
host are recorded and audited with the change.
"""

from __future__ import annotations

from monitor_app.domain.models import Staff, ValidationError
from monitor_app.services.context import ServiceContext
from monitor_app.services.credentials import CredentialUseCases
from monitor_app.storage import repository as repo


class LocalAdminUseCases:
    def __init__(self, ctx: ServiceContext, credentials: CredentialUseCases) -> None:
        self.ctx = ctx
        self.credentials = credentials

    def find_staff(self, name_or_id: str) -> Staff:
        """The one staff member (active or not) named exactly ``name_or_id`` (case and
        extra spaces aside), or with that id; ``ValidationError`` when none or several."""
        wanted = " ".join(name_or_id.split()).casefold()
        if not wanted:
            raise ValidationError("staff", "give the staff member's name or id")
        everyone = repo.list_staff(self.ctx.db, include_inactive=True)
        named = [s for s in everyone if " ".join(s.name.split()).casefold() == wanted]
        if len(named) > 1:
            ids = ", ".join(str(s.id) for s in named)
            raise ValidationError("staff", f"{len(named)} staff members are named "
                                  f"{name_or_id.strip()!r} (ids {ids}); give the id instead")
        if named:
            return named[0]
        if wanted.isdigit():
            member = repo.get_staff(self.ctx.db, int(wanted))
            if member is not None:
                return member
        known = "; ".join(f"{s.id}: {s.name}" for s in everyone) or "none"
        raise ValidationError("staff", f"no staff member named or numbered "
                              f"{name_or_id.strip()!r} (staff: {known})")

    def unlock_staff_locally(self, staff_id: int, os_user: str, host: str,
                             new_pin: str | None = None,
                             pin_again: str | None = None) -> Staff:
        """Clear the lock and the wrong-PIN count (and set a new PIN when given),
        recorded as done by ``os_user`` on ``host``: one transaction with its audit."""
        if not os_user.strip():
            raise ValidationError("os_user", "the operating-system user is not known")
        pin_hash = None
        if new_pin is not None:
            pin_hash = self.credentials.new_pin_hash(new_pin, pin_again or "")
        member = repo.unlock_staff_locally(self.ctx.db, staff_id, os_user=os_user.strip(),
                                           host=host, at=self.ctx.clock.now(), pin_hash=pin_hash)
        if pin_hash is not None:
            self.credentials.pin_change_due_ids.discard(staff_id)
        return member
