"""The station's status bar: who is signed in, problems, passing notes, clinic, clock.

A passing note ("Backed up to …") has its own elided label beside the nurse's name.
``QStatusBar.showMessage`` is not used: its text was painted over the permanent
widgets and hid who is signed in.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from monitor_app.gui.common import widgets
from monitor_app.gui.common.fitting import ElidedLabel


class StationStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.nurse_label = widgets.set_handle(QLabel(self), "status_nurse", "Signed in")
        self.clinic_label = widgets.set_handle(QLabel(self), "status_clinic", "Clinic")
        self.clock_label = widgets.set_handle(QLabel(self), "status_clock", "Clock")
        self.problem_label = widgets.FieldError("status_problem", self)
        self.note_label = widgets.set_handle(ElidedLabel(parent=self), "status_note", "Note")
        self.record_label = widgets.FieldError("status_record", self)  # the record check's
        self.record_label.setWordWrap(False)
        self.note_timer = QTimer(self)
        self.note_timer.setSingleShot(True)
        self.note_timer.timeout.connect(self._on_note_timeout)
        self.addWidget(self.nurse_label)
        self.addWidget(self.record_label)
        self.addWidget(self.problem_label, 1)
        self.addWidget(self.note_label, 1)
        self.addPermanentWidget(self.clinic_label)
        self.addPermanentWidget(self.clock_label)

    def show_note(self, text: str, msecs: int) -> None:
        """A passing note beside the nurse's name; ``msecs`` 0 keeps it until replaced."""
        self.note_label.setText(text)
        self.note_timer.stop()
        if msecs:
            self.note_timer.start(msecs)

    @Slot(str)
    def show_lasting_note(self, text: str) -> None:
        """A note kept until replaced (what start-up recovery did); a slot, so a worker
        thread's signal reaches it queued, on the GUI thread."""
        self.show_note(text, 0)

    def show_record_problems(self, problems: list[str], signing_stopped: bool) -> None:
        """The record check's finding ([]: nothing to show); the problems in the tooltip."""
        if problems:
            from monitor_app.gui.board.record_check import status_text

            self.record_label.show_message(status_text(problems, signing_stopped))
            self.record_label.setToolTip("\n".join(problems[:20]))
        else:
            self.record_label.clear()

    def _on_note_timeout(self) -> None:
        self.note_label.setText("")
