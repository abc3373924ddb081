"""A progress bar for long runs over input rows (rich), on stderr."""

from __future__ import annotations

import contextlib
import stat
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress as Bar


class Progress:
    """A bar on stderr, on a terminal only, once a run has taken ``after`` seconds."""

    after = 1.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = time.monotonic()
        self.bar: Any = None
        self.total: int | None = None  # unknown for a pipe (stdin), or a file gone
        with contextlib.suppress(OSError):
            st = path.stat()
            if stat.S_ISREG(st.st_mode):
                self.total = st.st_size

    def advance(self, chars: int) -> None:
        """Count ``chars`` more of the file as done."""
        if self.bar is None:
            if not sys.stderr.isatty() or time.monotonic() - self.start < self.after:
                return
            # rich would route stdout through its console (to stderr, with the bar): the
            # data must stay on stdout, untouched.
            self.bar = Bar(console=Console(stderr=True), transient=True,
                           redirect_stdout=False, redirect_stderr=False)
            self.bar.start()
            self.task = self.bar.add_task(self.path.name, total=self.total)
        self.bar.advance(self.task, chars)

    def close(self) -> None:
        """Take the bar away."""
        if self.bar is not None:
            self.bar.stop()
