"""The foot of the discharge dialog: why it cannot be signed, messages, signatures, actions.

It shows a ``DischargeView``; the dialog connects the buttons and does the signing.
No clinical rule lives here: the blocking reasons come from the evaluation.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from monitor_app.gui.common.widgets import ERROR_STYLE
from monitor_app.gui.common.widgets import set_handle as _handle
from monitor_app.gui.discharge.discharge_sections import WARNING_STYLE
from monitor_app.services.views import DischargeView, SignatureView

BLOCKING_LINES = 6  # the "cannot sign yet" list shows this many lines, then scrolls


def fingerprint_text(content_hash: str) -> str:
    """The SHA-256 fingerprint in blocks of 8, easier to read aloud and compare."""
    return " ".join(content_hash[i:i + 8] for i in range(0, len(content_hash), 8))


def signature_text(s: SignatureView) -> str:
    when = s.signed_at.astimezone().strftime("%d %b %Y %H:%M %Z")
    return (f"{s.meaning} {s.signer_name}, {s.signer_credentials} on {when}\n"
            f"Fingerprint (SHA-256): {fingerprint_text(s.content_hash)}")


class SignOffPanel(QWidget):
    """Blocking reasons, message, signatures, archive note, and the sheet/sign buttons."""

    def __init__(self, documents: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents = documents  # the DocumentsPanel: choose, preview, print, save
        self.blocking = _handle(QLabel(self), "blocking", "Why it cannot be signed yet")
        self.blocking.setWordWrap(True)
        self.blocking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = _handle(QLabel(self), "message", "Message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        self.signature = _handle(QLabel(self), "signature", "Signature")
        self.signature.setWordWrap(True)
        self.signature.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature.hide()
        self.archive_problem = _handle(QLabel(self), "archive_problem", "Archive problem")
        self.archive_problem.setWordWrap(True)
        self.archive_problem.setStyleSheet(WARNING_STYLE)
        self.archive_problem.hide()

        self.add_addendum = _handle(QPushButton("Add addendum…", self), "add_addendum",
                                    "Add a signed addendum")
        self.export_fhir = _handle(QPushButton("Export for EHR…", self), "export_fhir",
                                   "Export for EHR (FHIR bundle)")
        self.sign = _handle(QPushButton("Sign discharge…", self), "sign",
                            "Sign the discharge")
        self.sign.setDefault(False)
        self.sign.setAutoDefault(False)
        self.close_button = QPushButton("Close", self)
        self.close_button.setAutoDefault(False)

        actions = QHBoxLayout()
        for button in (self.add_addendum, self.export_fhir):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.sign)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scrolled(self.blocking))
        layout.addWidget(self.message)
        layout.addWidget(self.signature)
        layout.addWidget(self.archive_problem)
        layout.addWidget(documents)
        layout.addLayout(actions)

    def _scrolled(self, label: QLabel) -> QScrollArea:
        """A long "cannot sign yet" list scrolls in a few lines; the buttons stay put."""
        area = QScrollArea(self)
        area.setObjectName(f"{label.objectName()}_scroll")
        area.setWidget(label)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setMaximumHeight(label.fontMetrics().lineSpacing() * BLOCKING_LINES + 8)
        area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return area

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_note(self, text: str, warning: bool) -> None:
        self.archive_problem.setText(text)
        self.archive_problem.setStyleSheet(WARNING_STYLE if warning else "")
        self.archive_problem.setVisible(bool(text))

    def show_view(self, s: DischargeView) -> None:
        signed = s.episode.signed
        self.sign.setEnabled(s.can_sign)
        self.sign.setVisible(not signed)
        self.add_addendum.setVisible(signed)
        self.export_fhir.setVisible(signed)
        if signed:
            self.blocking.setText("This episode is signed and locked. Later facts go in a "
                                  "signed addendum.")
            self.blocking.setStyleSheet("")
        elif s.can_sign:
            self.blocking.setText("✓ Every criterion is met or overridden: ready to sign.")
            self.blocking.setStyleSheet("")
        else:
            reasons = list(s.evaluation.blocking)
            reasons += [f"REMS form: {label} is required" for label in s.missing_rems]
            reasons += [f"REMS form: {text}" for text in s.rems_contradictions]
            self.blocking.setText("Cannot sign yet:\n" + "\n".join(f"✗ {r}" for r in reasons))
            self.blocking.setStyleSheet(ERROR_STYLE)
        signatures = s.episode.signatures
        if signatures:
            lines = [signature_text(x) for x in signatures]
            for a in s.episode.addenda:
                lines.append(f"Addendum: {a.text}")
            self.signature.setText("\n\n".join(lines))
            self.signature.show()
