"""Who is at the station: first-start setup, sign-in, and the name-and-PIN panel the
lock screen (``lock_page.py``) shares.

Every PIN check goes through ``services.authenticate`` (which counts wrong PINs and
locks an account after too many); the widgets only show its message next to the PIN.
Staff administration lives in ``staff_admin.py``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import Staff, ValidationError
from monitor_app.gui.common.pin_entry import PinEntry, show_pin_error
from monitor_app.gui.common.widgets import Form, line_edit, set_handle
from monitor_app.gui.staff.change_pin_dialog import confirm_pin_policy
from monitor_app.services import Services


class PinPanel(QWidget):
    """Choose your name, type your PIN. Emits ``signed_in`` once the PIN is right."""

    signed_in = Signal(object)  # Staff

    def __init__(self, services: Services, button_text: str = "Sign in",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.form = Form()
        self.staff_box = self.form.add("staff", "Your name", QComboBox())
        self.staff_box.setPlaceholderText("choose your name…")
        self.pin = self.form.add("pin", "PIN", line_edit("PIN", max_length=12, password=True))
        self.button = set_handle(QPushButton(button_text), "sign_in", button_text)
        self.button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignRight)
        self.entry = PinEntry(self.pin, self._try_pin, self.form.errors["pin"], (self.button,))
        self.refresh()

    def refresh(self, preselect: int | None = None) -> None:
        """Reload the names (active staff only) and select ``preselect`` if given."""
        self.staff_box.clear()
        for member in self.services.staff():
            self.staff_box.addItem(member.display, member.id)
        # Nobody by default: a PIN typed under the first name (the administrator's,
        # often) would spend one of that person's tries.
        self.staff_box.setCurrentIndex(-1)
        if preselect is not None:
            index = self.staff_box.findData(preselect)
            if index >= 0:
                self.staff_box.setCurrentIndex(index)
        self.pin.clear()
        self.form.clear_errors()

    def select(self, staff_id: int) -> None:
        index = self.staff_box.findData(staff_id)
        if index >= 0:
            self.staff_box.setCurrentIndex(index)

    @property
    def error_message(self) -> str:
        return self.form.errors["pin"].message

    def submit(self) -> bool:
        """Check the typed PIN (what Enter and the button do)."""
        return self.entry.submit()

    def _try_pin(self, pin: str) -> None:
        staff_id = self.staff_box.currentData()
        if staff_id is None:
            show_pin_error(self.form.errors["pin"], "choose your name first")
            return
        try:
            member = self.services.authenticate(int(staff_id), pin)
        except ValidationError as exc:
            show_pin_error(self.form.errors["pin"], exc.message)
            self.pin.setFocus()
            return
        self.form.clear_errors()
        if not confirm_pin_policy(self, self.services, member):
            show_pin_error(self.form.errors["pin"], "choose a new PIN to go on")
            return
        self.signed_in.emit(member)


class SignInDialog(QDialog):
    """The first sign-in of a run. ``ask()`` returns who signed in, or None."""

    first_painted = Signal()  # on screen: work that can wait for the PIN may start

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in")
        self.setMinimumWidth(480)
        self.staff: Staff | None = None
        self._painted = False
        clinic = services.settings().clinic_name
        title = QLabel(clinic or "Post-infusion monitor")
        title.setProperty("role", "title")
        self.panel = PinPanel(services, "Sign in", self)
        self.pin = self.panel.pin
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.panel)
        self.panel.signed_in.connect(self._on_panel_signed_in)
        self.panel.staff_box.setFocus()  # type the first letters of your name, Tab, PIN

    def ask(self) -> Staff | None:
        self.panel.staff_box.setFocus()
        return self.staff if self.exec() == QDialog.DialogCode.Accepted else None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def _on_panel_signed_in(self, member: Staff) -> None:
        self.staff = member
        self.accept()


class SetupDialog(QDialog):
    """First start on an empty database: the clinic's name and its first administrator."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.staff: Staff | None = None
        self.setWindowTitle("Set up the clinic")
        self.setMinimumWidth(560)
        intro = QLabel("Welcome. Name the clinic and create the first administrator. "
                       "There is no default password: choose a PIN of 6 to 12 digits.")
        intro.setWordWrap(True)
        self.form = Form()
        self.form.add("clinic_name", "Clinic name", line_edit("Riverside Ketamine Clinic"))
        self.form.add("name", "Your name", line_edit("First and last name"))
        self.form.add("credentials", "Credentials", line_edit("RN, MD, NP..."))
        self.form.add("pin", "PIN", line_edit("6 to 12 digits", 12, password=True))
        self.form.add("pin_again", "PIN again", line_edit("the same PIN", 12, password=True))
        self.general = self.form.add_error("general")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        set_handle(self.ok, "ok", "Create clinic and sign in")
        self.ok.setText("Create and sign in")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def ask(self) -> Staff | None:
        return self.staff if self.exec() == QDialog.DialogCode.Accepted else None

    def _on_ok_clicked(self) -> None:
        f = self.form
        try:
            self.staff = self.services.setup_clinic(
                f.text("clinic_name"), f.text("name"), f.text("credentials"), f.text("pin"),
                f.text("pin_again"))
        except ValidationError as exc:
            f.show_error(exc, self.general)
            if exc.field in ("pin", "pin_again"):
                for key in ("pin", "pin_again"):
                    f.fields[key].clear()  # type: ignore[attr-defined]
            return
        self.accept()
