"""What the station shows while locked: no patient data, a name and a PIN, and each
active chair's number and state. Made after the board's first paint; the sign-in
dialog does not need it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from monitor_app.domain.models import Staff
from monitor_app.gui.common.attention import ChairStates
from monitor_app.gui.common.session import Session
from monitor_app.gui.staff.staff import PinPanel
from monitor_app.services.board import BoardRow


class LockPage(QWidget):
    """What the station shows while locked: no patient data, a name and a PIN.

    The same nurse unlocks; another one choosing their own name takes over (switch).
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("lock_page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # the sheet's dark page
        self.title = QLabel("Screen locked")
        self.title.setProperty("role", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = QLabel()
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.panel = PinPanel(session.services, "Unlock", self)
        self.chairs = ChairStates(self)  # numbers and states only: no patient data
        self.chairs.hide()
        self.panel.setMinimumWidth(480)  # room for a wrapped PIN error
        self.panel.setMaximumWidth(560)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        row = QHBoxLayout()  # centred by stretches, not alignment: a wrapped error keeps
        row.addStretch(1)    # its full height (an aligned widget gets only its size hint)
        row.addWidget(self.panel, 4)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(24)
        layout.addWidget(self.chairs, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.panel.signed_in.connect(self._on_panel_signed_in)

    @property
    def pin(self) -> QLineEdit:
        return self.panel.pin

    @property
    def staff_box(self) -> QComboBox:
        return self.panel.staff_box

    def prepare(self, switching: bool = False) -> None:
        """Reload names, preselect the nurse who was signed in (or nobody when switching)."""
        current = self.session.staff
        self.panel.refresh(None if switching or current is None else current.id)
        if current is not None and not switching:
            self.note.setText(f"{current.display} was signed in. Type your PIN to go on, "
                              "or choose your own name to take over the station.")
        else:
            self.note.setText("Choose your name and type your PIN.")
        (self.panel.staff_box if switching else self.panel.pin).setFocus()

    def show_chairs(self, rows: Sequence[BoardRow]) -> None:
        """Each active chair's number and state (overdue, due, flagged), no names."""
        self.chairs.show_rows(rows)

    def _on_panel_signed_in(self, member: Staff) -> None:
        self.session.sign_in(member)
