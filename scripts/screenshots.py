"""Screenshots of the running app for docs/ and the README.

Builds the demo clinic in a temporary database on a fixed clock, signs a nurse in
programmatically, and saves PNGs at the size of a small nurse-station monitor
(1280x800), windows maximised as the app opens them. On an X display (Xvfb with a
window manager) each shot is the whole screen, title bars included; offscreen it is the
window alone:

    Xvfb :99 -screen 0 1280x800x24 &  DISPLAY=:99 openbox &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python scripts/screenshots.py  # docs/*.png
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py --out /tmp/shots

Add a shot by writing a ``shoot_<name>(ctx)`` function and listing it in ``SHOTS``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from monitor_app.clock import FixedClock  # noqa: E402
from monitor_app.demo import STAFF, DemoBuilder  # noqa: E402
from monitor_app.domain.models import Role  # noqa: E402
from monitor_app.gui.app import apply_style  # noqa: E402
from monitor_app.gui.board.main_window import MainWindow  # noqa: E402
from monitor_app.gui.common import attention  # noqa: E402
from monitor_app.gui.common.session import Session  # noqa: E402
from monitor_app.services import Services  # noqa: E402

# A fixed moment, so every run draws the same board (countdowns included).
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
SIZE = (1280, 800)  # a common nurse-station monitor; the layout test holds every screen to it


@dataclass
class Context:
    app: QApplication
    services: Services
    session: Session
    window: MainWindow
    out: Path


def settle(app: QApplication, rounds: int = 5) -> None:
    """Let Qt and the window manager (maximising, placing) finish drawing."""
    for _ in range(rounds):
        app.processEvents()
        QCoreApplication.sendPostedEvents()
        time.sleep(0.05)


def save(widget: QWidget, path: Path) -> Path:
    """The whole screen on a real display (what the nurse sees), else the window."""
    path.parent.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    on_screen = QGuiApplication.platformName() == "xcb" and isinstance(app, QApplication)
    picture = app.primaryScreen().grabWindow(0) if on_screen else widget.grab()
    if not picture.save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path}")
    return path


def shoot_board(ctx: Context) -> None:
    ctx.window.reload()
    ctx.window.tick()
    ctx.window.board.clearSelection()
    settle(ctx.app)
    save(ctx.window, ctx.out / "board.png")


def shoot_lock(ctx: Context) -> None:
    ctx.window.lock()
    settle(ctx.app)
    save(ctx.window, ctx.out / "lock.png")
    nurse = ctx.session.staff
    assert nurse is not None
    ctx.session.sign_in(nurse)
    settle(ctx.app)


def shoot_new_episode(ctx: Context) -> None:
    from monitor_app.gui.episode.new_episode import NewEpisodeDialog

    dialog = NewEpisodeDialog(ctx.session, ctx.window)
    dialog.protocol.setCurrentIndex(dialog.protocol.findData("ketamine-iv"))
    dialog.show()
    settle(ctx.app)
    save(dialog, ctx.out / "new_episode.png")
    dialog.close()


def _episode_on_chair(ctx: Context, chair: str) -> int:
    return next(r.episode_id for r in ctx.services.board() if r.chair == chair)


def shoot_episode(ctx: Context) -> None:
    from monitor_app.gui.episode.episode_view import EpisodeWindow

    window = EpisodeWindow(ctx.session, _episode_on_chair(ctx, "7"))
    window.showMaximized()
    settle(ctx.app, 10)
    save(window, ctx.out / "episode.png")
    window.close()


def shoot_discharge(ctx: Context) -> None:
    from monitor_app.gui.discharge.discharge_dialog import DischargeDialog

    episode_id = _episode_on_chair(ctx, "9")  # esketamine (REMS), not ready yet
    ctx.services.answer_aldrete(ctx.session.staff_id, episode_id, 2, 2)
    dialog = DischargeDialog(ctx.session, episode_id, ctx.window)
    dialog.show()  # at the size it opens with: fitted to the screen
    settle(ctx.app, 10)
    save(dialog, ctx.out / "discharge-dialog.png")
    dialog.close()


SHOTS: dict[str, Callable[[Context], None]] = {
    "board": shoot_board,
    "episode": shoot_episode,
    "discharge": shoot_discharge,
    "lock": shoot_lock,
    "new_episode": shoot_new_episode,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--only", nargs="*", choices=sorted(SHOTS), help="shots to take")
    args = parser.parse_args(argv)
    attention.ask_quit = lambda parent, active: True  # closes at the end without asking
    attention.SoundPlayer.play = lambda self, volume: None  # and silently
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_style(app)
    with tempfile.TemporaryDirectory() as folder:
        services = Services.open(Path(folder) / "demo.db")
        try:
            DemoBuilder(services, NOW).build()
            services.clock = FixedClock(NOW)
            nurse = next(s for s in STAFF if s.role == Role.NURSE)
            member = next(m for m in services.staff() if m.name == nurse.name)
            session = Session(services)
            session.sign_in(services.authenticate(member.id, nurse.pin))
            window = MainWindow(session)
            window.tick_timer.stop()
            window.reload_timer.stop()
            window.resize(*SIZE)
            window.showMaximized()
            settle(app, 20)
            ctx = Context(app, services, session, window, args.out)
            for name in args.only or SHOTS:
                SHOTS[name](ctx)
            window.close()
        finally:
            services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
