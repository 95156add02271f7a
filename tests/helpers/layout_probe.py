"""Open every screen of the station on a real X display and report what does not fit.

Run by ``tests/gui/test_layout_1280.py`` in a subprocess with ``DISPLAY`` set and
``QT_QPA_PLATFORM=xcb`` (pytest-qt's application in the test process is offscreen).
It builds the demo clinic plus six more chairs (twelve active) on a fixed clock, opens
the board, several episode windows, the discharge dialog of an IV and of a REMS
episode, new episode, settings, staff and the small dialogs
(``layout_probe_dialogs``), each as it first opens and maximised, and
prints one JSON object: per screen, the named widgets (``objectName``: the stable
handles) that are visible but not inside the screen, the wrapped labels cut short
(``labels_cut``), and table figures.

    DISPLAY=:62 QT_QPA_PLATFORM=xcb .venv/bin/python tests/helpers/layout_probe.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QFont, QFontMetrics  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractScrollArea,
    QApplication,
    QTableView,
    QToolBar,
    QWidget,
)

from monitor_app.clock import FixedClock  # noqa: E402
from monitor_app.demo import STAFF, DemoBuilder, vitals  # noqa: E402
from monitor_app.domain import pins  # noqa: E402
from monitor_app.gui.app import apply_style  # noqa: E402
from monitor_app.gui.board.main_window import MainWindow  # noqa: E402
from monitor_app.gui.common import attention  # noqa: E402
from monitor_app.gui.common.session import Session  # noqa: E402
from monitor_app.services import Services  # noqa: E402
from tests.helpers.layout_probe_dialogs import probe_small_dialogs  # noqa: E402
from tests.helpers.layout_probe_monitor import labels_cut, probe_monitor_screens  # noqa: E402

NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
SHOTS = os.environ.get("LAYOUT_SHOTS", "")
MIN_SIZE = 3  # a named control squeezed below this many pixels cannot be used
CELL_MARGIN = 4  # what an item view takes from a cell's height before it lays out text
FRAME_SLACK = 2  # a window manager may put a window's 1-pixel border just off the edge
EXTRA_PATIENTS = (("MRN-100241", "Wilhelmina Castellanos-Oyelaran", "1990-01-02", "F"),
                  ("MRN-100242", "Ahmed Karimi", "1970-05-06", "M"),
                  ("MRN-100243", "Ruth Okafor", "1962-03-04", "F"),
                  ("MRN-100244", "Lars Nilsson", "1985-07-08", "M"),
                  ("MRN-100245", "Mei Tanaka", "1999-09-10", "F"))


def settle(app: QApplication, rounds: int = 4) -> None:
    for _ in range(rounds):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QCoreApplication.sendPostedEvents()


def wait_for(app: QApplication, done: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Process events until ``done()`` (a window manager answers asynchronously)."""
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        settle(app, 1)
        if done():
            return True
        time.sleep(0.02)
    return done()


# ---------------------------------------------------------------------------- the clinic
def build_clinic(folder: Path) -> tuple[Services, Session, dict[str, int]]:
    """The demo clinic with twelve active chairs; signed in as the administrator (who
    sees every toolbar action). Returns chair -> episode id."""
    pins.COST = pins.TEST_COST
    services = Services.open(folder / "demo.db")
    builder = DemoBuilder(services, NOW)
    builder.build()
    services.clock = builder.clock
    admin = builder.staff["admin"]
    nurse = builder.staff["2222"]
    extra = [services.add_patient(admin, *p).id for p in EXTRA_PATIENTS]
    extra.append(builder.patients[9])
    builder.iv(extra[0], "10", nurse, start=70, end=30, high_bp=True)
    builder.iv(extra[1], "11", nurse, start=20, end=None)
    builder.rems(extra[2], "12", nurse, start=50)
    builder.iv(extra[3], "14", nurse, start=45, end=5)
    builder.precheck(extra[4], "15", nurse)
    caution = builder._open(extra[5], "16", "ketamine-iv", nurse, 6, 80, 200)
    builder._obs(nurse, caution, 3, vitals(90, "172/106"))
    services.clock = FixedClock(NOW)
    member = next(m for m in services.staff() if m.name == STAFF[0].name)
    session = Session(services)
    session.sign_in(services.authenticate(member.id, STAFF[0].pin))
    chairs = {r.chair: r.episode_id for r in services.board()}
    return services, session, chairs


# ---------------------------------------------------------------------------- the checks
def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def _scroll_viewport(widget: QWidget) -> QWidget | None:
    """The viewport of the nearest scroll area holding ``widget`` in its content."""
    child, parent = widget, widget.parentWidget()
    while parent is not None:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.viewport() is parent:
            return parent
        child, parent = parent, parent.parentWidget()
    del child
    return None


def named_widgets(top: QWidget) -> Iterator[QWidget]:
    for widget in top.findChildren(QWidget):
        name = widget.objectName()
        if name and not name.startswith("qt_") and widget.isVisible() \
                and widget.window() is top:
            yield widget


def offenders(top: QWidget, screen: QRect) -> list[dict[str, object]]:
    """Named visible widgets that are not wholly on the screen (or squeezed to nothing).

    Inside a scroll area a widget may lie below the fold (it scrolls into view) but not
    beside it: content wider than its viewport is cut off."""
    found: list[dict[str, object]] = []
    frame = top.frameGeometry()
    if not screen.adjusted(-FRAME_SLACK, -FRAME_SLACK, FRAME_SLACK, FRAME_SLACK).contains(frame):
        found.append(_offence(top, frame, "window larger than or outside the screen"))
    hint = top.minimumSizeHint().expandedTo(top.minimumSize())
    if hint.width() > screen.width() or hint.height() > screen.height():
        found.append({"name": top.objectName() or type(top).__name__,
                      "why": f"cannot shrink below {hint.width()}x{hint.height()}"})
    for widget in named_widgets(top):
        rect = global_rect(widget)
        if widget.width() < MIN_SIZE or widget.height() < MIN_SIZE:
            found.append(_offence(widget, rect, "squeezed"))
            continue
        viewport = _scroll_viewport(widget)
        allowed = screen
        if viewport is not None:
            view = global_rect(viewport).intersected(screen)
            allowed = QRect(view.x(), rect.y(), view.width(), rect.height())
            if not screen.intersects(view):
                allowed = QRect()
        if not allowed.contains(rect):
            found.append(_offence(widget, rect, "off screen" if viewport is None
                                  else "outside its scroll area's width"))
    return found


def _offence(widget: QWidget, rect: QRect, why: str) -> dict[str, object]:
    return {"name": widget.objectName() or type(widget).__name__, "class":
            type(widget).__name__, "rect": [rect.x(), rect.y(), rect.width(), rect.height()],
            "why": why}


def table_rows(table: QTableView) -> dict[str, int]:
    """Rows wholly visible now, and how many rows of the usual height the view holds."""
    viewport = table.viewport().height()
    model = table.model()
    shown = sum(1 for r in range(model.rowCount())
                if table.rowViewportPosition(r) >= 0
                and table.rowViewportPosition(r) + table.rowHeight(r) <= viewport)
    heights = [table.rowHeight(r) for r in range(model.rowCount())]
    row = max(heights) if heights else table.verticalHeader().defaultSectionSize()
    return {"rows": model.rowCount(), "visible_rows": shown,
            "capacity": viewport // max(row, 1)}


def cells_cut(table: QTableView) -> list[str]:
    """Cells whose lines do not all fit the row's height in the cell's font (Qt would
    elide the last line to "…"): 'row,column: text'."""
    model, found = table.model(), []
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            text = str(index.data() or "")
            font = index.data(Qt.ItemDataRole.FontRole) or table.font()
            if isinstance(font, QFont):
                font = QFont(font)
                font.resolve(table.font())
            needed = QFontMetrics(font).lineSpacing() * (text.count("\n") + 1)
            if text and needed + CELL_MARGIN > table.rowHeight(r):
                found.append(f"{r},{c}: {text!r}")
    return found


def toolbar_offenders(window: MainWindow) -> list[dict[str, object]]:
    """Visible station actions pushed into the toolbar's overflow menu are off screen."""
    found: list[dict[str, object]] = []
    for key, action in window.actions_by_key.items():
        if not action.isVisible():
            continue
        for toolbar in window.findChildren(QToolBar):
            button = toolbar.widgetForAction(action)
            if button is not None and not button.isVisible():
                found.append({"name": key, "why": "in the toolbar's overflow menu"})
    return found


# ---------------------------------------------------------------------------- the screens
class Probe:
    def __init__(self, app: QApplication) -> None:
        self.app = app
        screen = app.primaryScreen()
        self.screen = screen.geometry()
        self.available = screen.availableGeometry()
        self.report: dict[str, dict[str, object]] = {}
        self.window_manager = True  # until a maximise goes unanswered

    def maximise(self, top: QWidget) -> None:
        top.showMaximized()
        if not self.window_manager or not wait_for(
                self.app, lambda: top.size() == self.available.size(), 2.0):
            self.window_manager = False
            top.setGeometry(self.available)  # no window manager: do what one would
            settle(self.app)

    def check(self, name: str, top: QWidget, **extra: object) -> dict[str, object]:
        settle(self.app)
        entry: dict[str, object] = {
            "size": [top.width(), top.height()], "offenders": offenders(top, self.screen),
            "labels_cut": labels_cut(top)}
        entry.update(extra)
        self.report[name] = entry
        if SHOTS:  # for a person to look at: LAYOUT_SHOTS=/some/folder
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            top.grab().save(str(Path(SHOTS) / (name.replace(" ", "_") + ".png")))
        return entry

    def both(self, name: str, top: QWidget, extra: Callable[[], dict[str, object]]
             = dict) -> None:
        """As the screen first opens, then maximised."""
        if top.isVisible():  # shown before (maximised): open it afresh
            top.hide()
            top.showNormal()
            top.adjustSize()
        top.show()
        wait_for(self.app, top.isVisible)
        self.check(f"{name}", top, **extra())
        self.maximise(top)
        self.check(f"{name} maximised", top, **extra())


def probe_board(probe: Probe, window: MainWindow) -> None:
    probe.maximise(window)
    window.reload()
    window.tick()
    settle(probe.app)
    board = window.board
    entry = probe.check("board maximised", window, **table_rows(board))
    entry["offenders"] += toolbar_offenders(window)  # type: ignore[operator]
    entry["cells_cut"] = cells_cut(board)
    entry["vertical_scroll"] = board.verticalScrollBar().maximum()
    entry["horizontal_scroll"] = board.horizontalScrollBar().maximum()
    who = window.session.staff
    window.lock()  # the lock page shows each chair's state without names
    probe.check("lock page maximised", window)
    assert who is not None
    window.session.sign_in(who)


def probe_episode_dialogs(probe: Probe, session: Session, chairs: dict[str, int]) -> None:
    """What the episode window opens: correcting an observation, overriding a criterion."""
    from monitor_app.gui.discharge.override_dialog import OverrideDialog
    from monitor_app.gui.episode.correction_dialog import CorrectionDialog

    view = session.services.episode_view(chairs["7"])
    dialog = CorrectionDialog(session, view.current_rows[-1])
    probe.both("correction", dialog)
    dialog.close()
    criterion = session.services.discharge_view(chairs["9"]).evaluation.criteria[0]
    override = OverrideDialog(session, chairs["9"], criterion.key, criterion.label)
    probe.both("override", override)
    override.close()
    from monitor_app.gui.common.printing import PdfPreview

    preview = PdfPreview(session.services.sheet_pdf(chairs["9"]), "Discharge sheet")
    probe.both("sheet preview", preview)
    preview.close()


def probe_episodes(probe: Probe, session: Session, chairs: dict[str, int]) -> None:
    from monitor_app.gui.episode.episode_view import EpisodeWindow

    for chair in ("7", "1", "9", "16"):
        window = EpisodeWindow(session, chairs[chair])
        table = window.findChild(QTableView, "observations")
        probe.both(f"episode chair {chair}", window, lambda t=table: table_rows(t))
        window.close()
        window.deleteLater()


def probe_discharge(probe: Probe, session: Session, chairs: dict[str, int]) -> None:
    from monitor_app.gui.discharge.discharge_dialog import DischargeDialog

    for chair, protocol in (("7", "iv"), ("9", "rems")):
        dialog = DischargeDialog(session, chairs[chair])
        probe.both(f"discharge {protocol} chair {chair}", dialog)
        dialog.close()
        dialog.deleteLater()


def probe_dialogs(probe: Probe, window: MainWindow) -> None:
    from monitor_app.gui.episode.new_episode import NewEpisodeDialog
    from monitor_app.gui.staff.settings_dialog import SettingsDialog
    from monitor_app.gui.staff.staff_admin import StaffAdminDialog

    dialog = NewEpisodeDialog(window.session, window)
    dialog.protocol.setCurrentIndex(dialog.protocol.findData("esketamine-rems"))
    probe.both("new episode", dialog)
    dialog.new_patient.setChecked(True)
    dialog._on_ok_clicked()  # every field empty: the errors show
    probe.both("new episode with errors", dialog)
    dialog.close()
    for name, make in (("settings", SettingsDialog), ("staff", StaffAdminDialog)):
        other = make(window.session, window)
        probe.both(name, other)
        other.close()
    probe_monitor_screens(probe, window)
    probe_history(probe, window)


def probe_history(probe: Probe, window: MainWindow) -> None:
    from monitor_app.gui.history.history_window import HistoryWindow
    from monitor_app.gui.rems.rems_queue_window import RemsQueueWindow

    history = HistoryWindow(window.session, lambda _id: None, window)
    probe.both("history", history)
    history.close()
    rems = RemsQueueWindow(window.session, window)
    probe.both("rems queue", rems)
    rems.close()
    from monitor_app.gui.report.report_window import ReportWindow

    report = ReportWindow(window.session, window)
    probe.both("month at a glance", report)
    report.close()


def probe_lock(probe: Probe, window: MainWindow) -> None:
    """The locked station: the PIN panel and every chair's tile (number and state)."""
    probe.maximise(window)
    window.lock()
    probe.check("lock screen", window, chairs=len(window.lock_page.chairs.tiles))


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_style(app)
    probe = Probe(app)
    attention.ask_quit = lambda parent, active: True  # the probe closes without asking
    attention.SoundPlayer.play = lambda self, volume: None  # and makes no sound
    with tempfile.TemporaryDirectory() as folder:
        services, session, chairs = build_clinic(Path(folder))
        try:
            window = MainWindow(session)
            window.tick_timer.stop()
            window.reload_timer.stop()
            window.backup_timer.stop()
            probe_board(probe, window)
            probe_episodes(probe, session, chairs)
            probe_discharge(probe, session, chairs)
            probe_episode_dialogs(probe, session, chairs)
            probe_dialogs(probe, window)
            probe_small_dialogs(probe, window, chairs)
            probe_lock(probe, window)
            window.close()
        finally:
            services.close()
    print(json.dumps({"screen": [probe.screen.width(), probe.screen.height()],
                      "screens": probe.report}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
