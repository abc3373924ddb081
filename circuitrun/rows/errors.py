"""The one error of an inputs file (no numpy here: the CLI catches it without loading it)."""

from __future__ import annotations

from pathlib import Path

from circuitrun.problems import CircuitError, Problem


class InputError(CircuitError):
    """A problem in an inputs file, ``FILE:LINE:FIELD: error: ... [bad-input]``; ``missing``
    is the input a row has no value for, when that is the problem."""

    def __init__(self, path: str | Path, line: int | None, field: int | None, message: str,
                 missing: str | None = None) -> None:
        self.problem = Problem(str(path), line, field, "bad-input", message)
        self.missing = missing
        super().__init__(str(self.problem))

    def __reduce__(self) -> tuple[object, ...]:  # pickled whole (Dask sends it to the client)
        p = self.problem
        return (InputError, (p.path, p.line, p.col, p.message, self.missing))
