"""Files written whole or not at all: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file, then a rename."""
    with open_atomic(path) as f:
        f.write(text)


@contextlib.contextmanager
def open_atomic(path: str | Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A text file (``binary``: a binary one) to write ``path`` with, whole or not at all:
    a temporary file in the same folder, renamed over ``path`` when the block ends
    without an error.

    A symlink is written through (its target replaced, the link kept).  A device, a
    FIFO, and anything under /dev or /proc (``/dev/null``, ``/dev/stdout``) are written
    in place, as ``open`` would: a rename would replace the device, the FIFO, or the
    file a shell redirected stdout to, behind the shell's back.
    """
    try:
        mode: int | None = os.stat(path).st_mode
    except OSError:
        mode = None
    special = mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
    if special or os.path.abspath(path).startswith(("/dev/", "/proc/")):
        with open(path, "wb") if binary else open(path, "w", encoding="utf-8",
                                                  newline="") as f:
            yield f
        return
    path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8",
                                                           newline="") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(path: Path) -> int:
    """The existing file's permissions, or what a plain ``open`` would give."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
