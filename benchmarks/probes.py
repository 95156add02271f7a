"""Processes the benchmark starts on its own, so each one is a true cold start.

    python benchmarks/probes.py bare            a bare PySide6 window, shown
    python benchmarks/probes.py board DB        the main window with its board filled
    python benchmarks/probes.py signin DB       as the app starts: the sign-in dialog shown
    python benchmarks/probes.py afterpin DB     as a nurse starts it: sign-in, then the board
    python benchmarks/probes.py memory DB       board + one episode open; prints peak RSS

Each prints one line, "shown <seconds since the process started>" or "rss <MiB>"
("afterpin": "shown <seconds from the PIN accepted to the board painted>").
"Shown" is the end of the window's first paint (the board's, the dialog's): what runs
after it, in the same turn of the event loop, is not on the way to what a nurse sees.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _since_start() -> float:
    """Seconds since the process started: since the bench spawned it when it says when
    (to the microsecond), else from /proc (to 10 ms). Interpreter start-up included."""
    spawned = os.environ.get("BENCH_SPAWNED_AT")
    if spawned:
        return time.time() - float(spawned)
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def _note_first_paint(widget_class: type) -> list[float]:
    """Patches ``widget_class.paintEvent`` to note when its first paint ends."""
    painted: list[float] = []
    original = widget_class.paintEvent  # type: ignore[attr-defined]

    def paint_event(self, event):  # type: ignore[no-untyped-def]
        original(self, event)
        if not painted:
            painted.append(_since_start())

    widget_class.paintEvent = paint_event  # type: ignore[attr-defined]
    return painted


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    class Bare(QWidget):
        pass

    painted = _note_first_paint(Bare)
    app = QApplication([])
    w = Bare()
    w.resize(1280, 800)
    w.show()
    app.processEvents()
    print(f"shown {painted[0] if painted else _since_start():.4f}")


def _main_window(db: Path):  # type: ignore[no-untyped-def]
    # As monitor-app's entry point: the collector paused, then gui.app imported first.
    from monitor_app import gc_pause

    gc_pause.pause()
    from monitor_app.gui.app import IntegrityCheck, apply_style  # isort: skip
    from PySide6.QtWidgets import QApplication

    from monitor_app.clock import FixedClock
    from monitor_app.gui.board.board import BoardView
    from monitor_app.gui.board.main_window import MainWindow
    from monitor_app.gui.common.session import Session
    from monitor_app.services import Services

    app = QApplication([])
    apply_style(app)  # as run_gui does
    app.painted = _note_first_paint(BoardView)  # type: ignore[attr-defined]
    clock = FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))  # the history's "now"
    services = Services.open(db, clock=clock, defer_quick_check=True)
    session = Session(services)
    session.sign_in(services.staff()[0])
    window = MainWindow(session)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    # In the app the quick check runs in a worker thread while the nurse signs in, and
    # the board is built only once it has passed (run_gui waits for it): never beside
    # the board. Here nobody signs in, so the file is checked once the board is shown.
    check = IntegrityCheck(services)
    check.start()
    app.integrity_check = check  # type: ignore[attr-defined]
    return app, session, window


def board(db: Path) -> None:
    _app, _session, window = _main_window(db)
    shown = _app.painted[0]
    rows = window.board.model().rowCount()
    _app.integrity_check.done.wait()
    print(f"checked {_since_start():.4f}")
    print(f"shown {shown:.4f} rows {rows}")


def signin(db: Path) -> None:
    """``monitor-app --db DB`` up to the first thing a nurse sees: the sign-in dialog,
    shown. The entry point imports gui.app itself; it is imported here first (the same
    order) only to reach QDialog."""
    from monitor_app import cli, gc_pause

    gc_pause.pause()  # as cli.main does before it imports gui.app
    from monitor_app.gui import app as _gui_app  # noqa: F401  # isort: skip
    from PySide6.QtWidgets import QApplication, QDialog

    from monitor_app.gui.staff.staff import SignInDialog

    painted = _note_first_paint(SignInDialog)

    def shown_instead_of_modal(dialog: QDialog) -> int:
        dialog.show()
        QApplication.processEvents()
        print(f"shown {painted[0] if painted else _since_start():.4f}", flush=True)
        os._exit(0)  # the probe ends here: nobody signs in

    QDialog.exec = shown_instead_of_modal  # type: ignore[method-assign]
    cli.main(["--db", str(db)])


def after_pin(db: Path) -> None:
    """``monitor-app --db DB`` as a nurse starts it: the sign-in dialog, the PIN accepted
    once the quick check is over and half a second has passed (a nurse takes longer), then
    the board. The time is from the PIN accepted to the end of the board's first paint."""
    from monitor_app import cli, gc_pause

    gc_pause.pause()  # as cli.main does before it imports gui.app
    from monitor_app.gui import app as gui_app  # isort: skip
    from PySide6.QtWidgets import QApplication, QDialog

    from monitor_app.gui.staff.staff import SignInDialog

    checks: list[gui_app.IntegrityCheck] = []
    start_check = gui_app.IntegrityCheck.start

    def start(check: gui_app.IntegrityCheck) -> None:
        checks.append(check)
        start_check(check)

    def typed_after_the_check(dialog: QDialog) -> int:
        dialog.show()
        began = time.monotonic()
        while not (checks and checks[0].done.is_set()) or time.monotonic() - began < 0.5:
            QApplication.processEvents()
            time.sleep(0.005)
        assert isinstance(dialog, SignInDialog)
        dialog.staff = dialog.panel.services.staff()[0]
        accepted = time.monotonic()
        from monitor_app.gui.board.board import BoardView  # in the measured time

        original = BoardView.paintEvent

        def paint_event(view, event):  # type: ignore[no-untyped-def]
            original(view, event)
            print(f"shown {time.monotonic() - accepted:.4f}", flush=True)
            os._exit(0)

        BoardView.paintEvent = paint_event  # type: ignore[method-assign]
        return QDialog.DialogCode.Accepted.value

    gui_app.IntegrityCheck.start = start  # type: ignore[method-assign, assignment]
    QDialog.exec = typed_after_the_check  # type: ignore[method-assign]
    cli.main(["--db", str(db)])


def memory(db: Path) -> None:
    app, session, _window = _main_window(db)
    from monitor_app import gc_pause
    from monitor_app.gui.episode.episode_view import EpisodeWindow

    gc_pause.resume()  # as the app does once the board is painted

    episode_id = session.services.board()[0].episode_id
    episode = EpisodeWindow(session, episode_id)
    episode.show()
    app.processEvents()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"rss {peak_kib / 1024:.1f}")


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "bare":
        bare()
    elif kind == "board":
        board(Path(sys.argv[2]))
    elif kind == "signin":
        signin(Path(sys.argv[2]))
    elif kind == "afterpin":
        after_pin(Path(sys.argv[2]))
    elif kind == "memory":
        memory(Path(sys.argv[2]))
