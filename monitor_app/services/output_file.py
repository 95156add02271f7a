"""Writing a document to a path the user named, without ever destroying something else.

The bytes go to a new temporary file in the same folder, opened with
``O_CREAT | O_EXCL | O_NOFOLLOW`` (never an existing file, never through a link), are
flushed to disk, and then take the name: by a hard link that fails if the name exists
(so a file created meanwhile is not replaced), or, with ``force``, by a rename over an
existing regular file. Refused whatever ``force`` says: the clinic's database and its
``-wal``/``-shm``/``-journal`` files and its key file, a symbolic link, a folder, a
device, a FIFO or a socket.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from monitor_app.domain.models import ValidationError
from monitor_app.storage.keyfile import SUFFIX as KEY_FILE_SUFFIX

# The database, its SQLite companions, and the clinic's key file (storage.keyfile).
DB_COMPANIONS = ("", "-wal", "-shm", "-journal", KEY_FILE_SUFFIX)
TEMP_SUFFIX = ".tmp"  # the app's temporary names: ".<name>.<hex>.tmp"


def database_files(db_path: Path | None) -> list[Path]:
    if db_path is None:
        return []
    return [Path(str(db_path) + suffix) for suffix in DB_COMPANIONS]


def _refuse(path: Path, why: str) -> ValidationError:
    return ValidationError("output", f"{path}: {why}")


def check_output_path(path: Path, protected: Iterable[Path], force: bool) -> Path:
    """``path`` made absolute, or ``ValidationError("output", ...)`` saying why it must
    not be written."""
    path = Path(os.path.abspath(path))
    if not path.parent.is_dir():
        raise _refuse(path, f"the folder {path.parent} does not exist")
    real = os.path.realpath(path)
    for guarded in protected:
        if real == os.path.realpath(guarded) or (
                guarded.exists() and path.exists() and os.path.samefile(path, guarded)):
            raise _refuse(path, "this is the clinic's database; choose another file name")
    try:
        info = path.lstat()
    except FileNotFoundError:
        return path
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(path, "is a symbolic link; give the name of a new file")
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "is not a regular file (a device, pipe or socket); give the "
                      "name of a new file")
    if not force:
        raise _refuse(path, "already exists; choose a new name, or use --force to replace it")
    if info.st_nlink > 1:
        raise _refuse(path, "has other names (hard links); choose a new file name")
    return path


def write_new_file(path: Path, data: bytes, *, protected: Iterable[Path] = (),
                   force: bool = False) -> Path:
    """Write ``data`` to ``path`` (mode 0600) as the module's text describes."""
    protected = list(protected)
    path = check_output_path(path, protected, force)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:  # say the name typed, not the temporary one
        raise _refuse(path, f"cannot write in the folder {path.parent} "
                            f"({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _take_name(tmp, path, protected, force)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path


def _take_name(tmp: Path, path: Path, protected: list[Path], force: bool) -> None:
    if not force:
        try:
            os.link(tmp, path, follow_symlinks=False)
            return
        except FileExistsError:
            raise _refuse(path, "already exists; choose a new name, or use --force to "
                          "replace it") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                                 errno.EMLINK):
                raise
            # A file system without hard links: check again, then rename.
    check_output_path(path, protected, force)
    os.replace(tmp, path)
