"""The REMS form in the discharge dialog: every question is readable in full."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from monitor_app.domain.models import Escort
from monitor_app.gui.discharge.discharge_dialog import DischargeDialog

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


def test_every_rems_question_shows_all_its_lines(qtbot, services, staff, session) -> None:
    patient = services.add_patient(staff["nurse"], "MRN-41", "Ada Byrne", "1970-01-01")
    esk = {i.key: True for i in services.protocols["esketamine-rems"].precheck}
    episode = services.open_episode(staff["nurse"], patient.id, "esketamine-rems", "4", "",
                                    84, Escort("Al", "", "555-0100"), esk, "LOT-1")
    dialog = DischargeDialog(session, episode.id)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 760)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.rems_box is not None
    captions = [label for label in dialog.rems_box.findChildren(QLabel)
                if label.buddy() is not None]
    assert len(captions) > 10
    two_lines = [c for c in captions if c.heightForWidth(c.width())
                 > c.fontMetrics().lineSpacing() * 1.5]
    assert two_lines  # long questions wrap...
    cut = [c.text() for c in captions if c.height() < c.heightForWidth(c.width())]
    assert cut == []  # ...and get the height of every line
