"""Staff administration (administrators only): add, edit, deactivate, reset PIN, unlock.

Nobody is deleted: a name stays on every record its owner signed; deactivated staff
just cannot sign in. Every rule (who may do what, PIN shape) is the services'.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from monitor_app.domain.models import Role, Staff, ValidationError
from monitor_app.gui.common.pin_entry import fit_window
from monitor_app.gui.common.session import Session
from monitor_app.gui.common.widgets import FieldError, Form, line_edit, set_handle

COL_NAME, COL_CREDENTIALS, COL_ROLE, COL_STATUS = range(4)
HEADERS = ("Name", "Credentials", "Role", "Status")
ROLE_LABELS = {Role.NURSE: "Nurse", Role.PRESCRIBER: "Prescriber", Role.ADMIN: "Administrator"}
_Index = QModelIndex | QPersistentModelIndex


def status_text(member: Staff) -> str:
    if not member.active:
        return "inactive (cannot sign in)"
    if member.locked:
        return "locked: too many wrong PINs"
    return "active"


class StaffModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Staff] = []

    def set_rows(self, rows: list[Staff]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        member = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (member.name, member.credentials, ROLE_LABELS.get(member.role, member.role),
                    status_text(member))[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and not member.active:
            return Qt.GlobalColor.darkGray
        return None


class StaffEditDialog(QDialog):
    """Add a member (with a first PIN) or edit one (name, credentials, role, active)."""

    def __init__(self, session: Session, member: Staff | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.member = member
        self.saved: Staff | None = None
        self.setWindowTitle("Add staff member" if member is None else f"Edit {member.name}")
        self.form = Form()
        self.form.add("name", "Name", line_edit("First and last name"))
        self.form.add("credentials", "Credentials", line_edit("RN, MD, NP..."))
        self.role = self.form.add("role", "Role", QComboBox())
        for role, label in ROLE_LABELS.items():
            self.role.addItem(label, role.value)
        self.active = QCheckBox("Active (may sign in)")
        if member is None:
            shortest = session.services.settings().min_pin_length
            self.form.add("pin", "First PIN",
                          line_edit(f"{shortest} to 12 digits", 12, password=True))
            self.form.add("pin_again", "PIN again", line_edit("the same PIN", 12, password=True))
        else:
            self.form.fields["name"].setText(member.name)  # type: ignore[attr-defined]
            self.form.fields["credentials"].setText(member.credentials)  # type: ignore[attr-defined]
            self.role.setCurrentIndex(self.role.findData(member.role.value))
            self.active.setChecked(member.active)
            self.form.add("active", "Status", self.active)
        self.general = self.form.add_error("general")
        _finish(self, self.form, self._on_ok_clicked)

    def ask(self) -> Staff | None:
        return self.saved if self.exec() == QDialog.DialogCode.Accepted else None

    def _on_ok_clicked(self) -> None:
        f, services = self.form, self.session.services
        try:
            if self.member is None:
                self.saved = services.add_staff(
                    self.session.staff_id, f.text("name"), f.text("credentials"),
                    self.role.currentData(), f.text("pin"), f.text("pin_again"))
            else:
                self.saved = services.update_staff(
                    self.session.staff_id, self.member.id, f.text("name"),
                    f.text("credentials"), self.role.currentData(), self.active.isChecked())
        except ValidationError as exc:
            f.show_error(exc, self.general)
            fit_window(self)  # a message of two lines is shown whole
            return
        self.accept()


class ResetPinDialog(QDialog):
    """An administrator sets a new PIN for someone who forgot theirs."""

    def __init__(self, session: Session, member: Staff, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.member = member
        self.done_ok = False
        self.setWindowTitle(f"New PIN for {member.name}")
        self.form = Form()
        shortest = session.services.settings().min_pin_length
        self.form.add("pin", "New PIN", line_edit(f"{shortest} to 12 digits", 12, password=True))
        self.form.add("pin_again", "PIN again", line_edit("the same PIN", 12, password=True))
        self.general = self.form.add_error("general")
        _finish(self, self.form, self._on_ok_clicked)

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted

    def _on_ok_clicked(self) -> None:
        try:
            self.session.services.reset_pin(self.session.staff_id, self.member.id,
                                            self.form.text("pin"), self.form.text("pin_again"))
        except ValidationError as exc:
            self.form.show_error(exc, self.general)
            return
        self.done_ok = True
        self.accept()


def _finish(dialog: QDialog, form: Form, on_ok: Any) -> None:
    dialog.setMinimumWidth(460)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    set_handle(buttons.button(QDialogButtonBox.StandardButton.Ok), "ok", "Save")
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save")
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(buttons)


class StaffAdminDialog(QDialog):
    """Everyone who ever worked here, active or not; actions on the selected member."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Staff")
        self.resize(820, 480)
        self.model = StaffModel(self)
        self.table = set_handle(QTableView(), "staff_table", "Staff")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.error = FieldError("staff", self)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
            ("add_staff", "Add…", self._on_add_clicked),
            ("edit_staff", "Edit…", self._on_edit_clicked),
            ("toggle_active", "Deactivate", self._on_toggle_active_clicked),
            ("reset_pin", "Reset PIN…", self._on_reset_pin_clicked),
            ("unlock_staff", "Unlock", self._on_unlock_clicked),
        ):
            button = set_handle(QPushButton(label), key, label.rstrip("…"))
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(self._on_selection_changed)
        self.refresh()

    def ask(self) -> None:
        self.exec()

    def refresh(self, select: int | None = None) -> None:
        self.model.set_rows(self.session.services.staff(include_inactive=True))
        if select is not None:
            self.select(select)
        self._on_selection_changed()

    def select(self, staff_id: int) -> None:
        for row, member in enumerate(self.model.rows):
            if member.id == staff_id:
                self.table.selectRow(row)
                self.table.setCurrentIndex(self.model.index(row, 0))

    def selected(self) -> Staff | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def _on_selection_changed(self, *_: object) -> None:
        member = self.selected()
        for key in ("edit_staff", "toggle_active", "reset_pin"):
            self.buttons[key].setEnabled(member is not None)
        self.buttons["unlock_staff"].setEnabled(member is not None and member.locked)
        label = "Reactivate" if member is not None and not member.active else "Deactivate"
        self.buttons["toggle_active"].setText(label)
        self.buttons["toggle_active"].setAccessibleName(label)

    def _on_add_clicked(self) -> None:
        saved = StaffEditDialog(self.session, None, self).ask()
        if saved is not None:
            self.refresh(saved.id)

    def _on_edit_clicked(self) -> None:
        member = self.selected()
        if member is not None and StaffEditDialog(self.session, member, self).ask():
            self.refresh(member.id)

    def _on_toggle_active_clicked(self) -> None:
        member = self.selected()
        if member is None:
            return
        self._act(member, lambda s, actor: s.update_staff(
            actor, member.id, member.name, member.credentials, member.role, not member.active))

    def _on_reset_pin_clicked(self) -> None:
        member = self.selected()
        if member is not None and ResetPinDialog(self.session, member, self).ask():
            self.refresh(member.id)

    def _on_unlock_clicked(self) -> None:
        member = self.selected()
        if member is not None:
            self._act(member, lambda s, actor: s.unlock_staff(actor, member.id))

    def _act(self, member: Staff, action: Any) -> None:
        self.error.clear()
        try:
            action(self.session.services, self.session.staff_id)
        except ValidationError as exc:
            self.error.show_message(exc.message)
        self.refresh(member.id)
