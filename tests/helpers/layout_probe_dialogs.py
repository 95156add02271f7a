"""The layout probe's part for the small dialogs the screens open (see ``layout_probe.py``):
signing, PIN change, sign-in and set-up, the certificate import, the prescriber's and the
alert acknowledgements, a weight or dose correction, the REMS filing and withdraw dialogs and
an addendum to a signed episode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

DIALOGS = ("sign", "change pin", "sign in", "set up", "import certificate",
           "prescriber acknowledgement", "alert acknowledgement", "weight or dose correction",
           "rems filing", "rems withdraw", "addendum")


def probe_small_dialogs(probe: Any, window: Any, chairs: dict[str, int]) -> None:
    from monitor_app.gui.discharge.addendum_dialog import AddendumDialog
    from monitor_app.gui.discharge.sign_dialog import SignDialog
    from monitor_app.gui.episode.ack_dialog import PrescriberAckDialog
    from monitor_app.gui.episode.alert_ack_dialog import AlertAckDialog
    from monitor_app.gui.episode.episode_value_dialog import EpisodeValueDialog
    from monitor_app.gui.rems.filing_dialog import RemsFilingDialog
    from monitor_app.gui.rems.withdraw_dialog import RemsWithdrawDialog
    from monitor_app.gui.staff.change_pin_dialog import ChangePinDialog
    from monitor_app.gui.staff.signing_settings import ImportCertificateDialog
    from monitor_app.gui.staff.staff import SetupDialog, SignInDialog
    from monitor_app.services.discharge import DISCHARGE_MEANING

    session = window.session
    services = session.services
    alarming = services.episode_view(chairs["10"]).current_rows  # a BP above the limit
    queued = services.rems_queue.queue()[0]
    signed = next(r.episode_id for r in services.history.today() if r.signed)
    makers: dict[str, Callable[[], QWidget]] = {
        "sign": lambda: SignDialog(session, DISCHARGE_MEANING, window),
        "change pin": lambda: ChangePinDialog(services, session.staff, window),
        "sign in": lambda: SignInDialog(services, window),
        "set up": lambda: SetupDialog(services, window),
        "import certificate": lambda: ImportCertificateDialog(session, window),
        "prescriber acknowledgement": lambda: PrescriberAckDialog(
            session, chairs["16"], "Baseline BP 172/106 is above the pre-dose limit "
            "160/100: a prescriber acknowledges it before dosing starts", window),
        "alert acknowledgement": lambda: AlertAckDialog(
            session, [r for r in alarming if r.unacknowledged] or alarming[-1:], window),
        "weight or dose correction": lambda: EpisodeValueDialog(
            session, services.episode_view(chairs["7"]).episode, "kg", window),
        "rems filing": lambda: RemsFilingDialog(session, queued, window),
        "rems withdraw": lambda: RemsWithdrawDialog(session, queued, window),
        "addendum": lambda: AddendumDialog(session, signed, window),
    }
    for name in DIALOGS:
        dialog = makers[name]()
        probe.both(name, dialog)
        dialog.close()
        dialog.deleteLater()
