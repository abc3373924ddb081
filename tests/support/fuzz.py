"""The long fuzz mode (``pytest -m fuzz``): set by conftest.py, read by the scaled tests."""

from __future__ import annotations

MODE = {"on": False}


def fuzz_scale(quick: int, long: int) -> int:
    """A case count: ``quick`` in the normal suite, ``long`` in the fuzz mode."""
    return long if MODE["on"] else quick
