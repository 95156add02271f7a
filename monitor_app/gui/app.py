"""Start the GUI: open the services, set up or sign in, show the nurse station.

A malformed protocol file or a database that cannot be used (damaged, locked,
read-only) is refused before any window opens, with a message naming the file and what
to do; the file is left exactly as it was and the exit status is non-zero.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

# isort: off
# The Qt-free core first: once PySide6 is imported, its import hook reads the source
# of every module imported after it (looking for ``from __feature__``), about 30 ms of
# the start for the core's hundred-odd modules.
from monitor_app import gc_pause, paths
from monitor_app.domain.models import Staff
from monitor_app.exit_codes import EXIT_ERROR, EXIT_OK
from monitor_app.services import Services
from monitor_app.services.errors import DatabaseBusy, ProtocolError, StorageError

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from monitor_app.gui.common.background import give_way
# isort: on

STYLE_FILE = "style.qss"


def show_startup_error(title: str, text: str) -> None:
    """A modal error before any window exists (tests replace this function)."""
    from PySide6.QtWidgets import QMessageBox  # only when there is one to show

    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setObjectName("startup_error")
    box.exec()


def apply_style(app: QApplication, resources: Path | None = None) -> bool:
    """Load ``resources/style.qss`` if present; True when a style sheet was applied."""
    sheet = (resources or paths.resources_dir()) / STYLE_FILE
    try:
        text = sheet.read_text(encoding="utf-8")
    except OSError:
        return False
    app.setStyleSheet(text)
    return True


class IntegrityCheck(QObject):
    """SQLite's quick check of the database in a worker thread, so a large record does
    not hold up the sign-in screen; a damaged file stops the app before any use."""

    failed = Signal(str)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.done = threading.Event()
        self.problem = ""
        self.failed.connect(self._on_failed)
        self._thread = threading.Thread(target=self._run, args=(services,), daemon=True,
                                        name="quick_check")

    def start(self) -> None:
        self._thread.start()

    def _run(self, services: Services) -> None:
        give_way()
        try:
            services.check_integrity()
        except StorageError as exc:
            self.problem = str(exc)
            self.failed.emit(self.problem)  # queued to the GUI thread
        finally:
            self.done.set()

    def _on_failed(self, message: str) -> None:
        show_startup_error("The clinic database cannot be used",
                           f"{message}\n\nThe monitor will close now; nothing was changed.")
        app = QApplication.instance()
        if app is not None:
            app.exit(EXIT_ERROR)


class StartupRecovery(QObject):
    """``Services.recover`` in a worker thread with its own connection: missing archived
    sheets of signed episodes are written, stale temporary files removed. What it did
    or could not do is said on the status bar (``finished``)."""

    finished = Signal(str)

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.done = threading.Event()
        self.summary = ""
        self._thread = threading.Thread(target=self._run, args=(Path(db_path),),
                                        daemon=True, name="recover")

    def start(self) -> None:
        self._thread.start()

    def _run(self, db_path: Path) -> None:
        give_way()
        try:
            services = Services.open(db_path, defer_quick_check=True)
            try:
                self.summary = services.recover().summary()
            finally:
                services.close()
        except (StorageError, ProtocolError, OSError) as exc:
            self.summary = f"Start-up recovery could not run: {exc}"
        finally:
            self.done.set()
        if self.summary:
            self.finished.emit(self.summary)  # queued to the GUI thread


def open_services(db_path: Path, defer_quick_check: bool = False) -> Services | None:
    """``Services.open`` with every start-up failure turned into a clear message."""
    try:
        services = Services.open(db_path, defer_quick_check=defer_quick_check)
        if services.keys_problem:
            show_startup_error("The clinic's key file cannot be used",
                               f"{services.keys_problem}\n\nDatabase file: {db_path}")
            services.close()
            return None
        return services
    except ProtocolError as exc:
        show_startup_error(
            "A protocol file is malformed",
            f"The file\n{exc.path}\ncannot be used: [{exc.key}] {exc.problem}\n\n"
            "Correct that entry in the file (or put back the copy shipped with the app), "
            "then start the monitor again. The database was not opened or changed.")
    except DatabaseBusy as exc:
        show_startup_error(
            "The clinic database is in use",
            f"{exc}\n\nDatabase file: {db_path}\nThe file was not changed. Close the other "
            "program, then start the monitor again.")
    except StorageError as exc:
        from monitor_app.services.backups import latest_backup_for

        latest = latest_backup_for(Path(db_path))
        offer = (f"The latest backup is\n{latest}\nTo restore it: keep the damaged file, copy "
                 "the backup to the database path, run `monitor-app accept-loss --db PATH "
                 "--reason ...` (it records the saves made after the backup as lost), then "
                 "`monitor-app verify`."
                 if latest else "No backup was found beside the database; check the "
                 "backup folder set in Settings.")
        show_startup_error(
            "The clinic database cannot be used",
            f"{exc}\n\nDatabase file: {db_path}\n{offer}\nThe monitor will close now.")
    return None


def start_session(services: Services) -> Staff | None:
    """First start: set up the clinic and its first administrator. Otherwise sign in.

    Returns who is signed in, or None when the person closed the dialog.
    """
    from monitor_app.gui.staff.staff import SetupDialog, SignInDialog

    if services.needs_setup():
        return SetupDialog(services).ask()
    dialog = SignInDialog(services)
    # Once the dialog is on screen, while the nurse types: the board comes sooner after.
    dialog.first_painted.connect(load_board_modules, Qt.ConnectionType.QueuedConnection)
    return dialog.ask()


def load_board_modules() -> None:
    """Import the main window's modules (session and board included; about 11 ms of the
    wait after the PIN)."""
    importlib.import_module("monitor_app.gui.board.main_window")


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def _unexpected_error_hook(previous: ExceptHook) -> ExceptHook:
    """The last safety net: an error nobody foresaw is shown, not silently printed.
    The traceback still goes to stderr for the IT person."""

    def hook(kind: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        previous(kind, value, tb)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(
            None, "Something went wrong",
            f"{value}\n\nThe last action may not have been saved; everything saved "
            "before it is safe. If this happens again, note the time and tell your IT "
            "contact.")

    return hook


def run_gui(db_path: Path, argv: list[str] | None = None) -> int:
    try:
        return _run_gui(db_path, argv)
    finally:
        gc_pause.resume()  # if it was paused and the board never came


def _run_gui(db_path: Path, argv: list[str] | None) -> int:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(paths.APP_NAME)
    app.setApplicationDisplayName("Post-infusion monitor")
    apply_style(app)
    services = open_services(Path(db_path), defer_quick_check=True)
    if services is None:
        return EXIT_ERROR
    check = IntegrityCheck(services)
    check.start()
    try:
        staff = start_session(services)
        check.done.wait()
        if check.problem:
            return EXIT_ERROR
        if staff is None:
            return EXIT_OK
        # After the sign-in dialog, which a nurse sees sooner without them.
        from monitor_app.gui.board.main_window import MainWindow
        from monitor_app.gui.common.session import Session

        session = Session(services)
        session.sign_in(staff)
        window = MainWindow(session)
        window.backup_on_close = True
        recovery = StartupRecovery(Path(db_path))
        recovery.finished.connect(window.status_bar.show_lasting_note)  # queued: a slot
        # Once the board is on screen: none of them holds up recording (the quick check,
        # which does, finished above), and the nurse sees the board sooner.
        window.after_first_paint(gc_pause.resume)
        window.after_first_paint(lambda: window.run_backup(daily=True))
        window.after_first_paint(recovery.start)
        window.after_first_paint(window.start_record_check)
        window.showMaximized()
        previous_hook = sys.excepthook
        sys.excepthook = _unexpected_error_hook(previous_hook)
        try:
            return app.exec()
        finally:
            sys.excepthook = previous_hook
            window.backups.wait()  # a copy being written is whole before the database closes
    finally:
        services.close()
