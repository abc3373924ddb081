"""System programs some tests need (a browser, Graphviz): skipped on a machine without
them, but a failure in CI (CI=true), which installs them (.ci/run), so that nothing there
passes by being skipped."""

from __future__ import annotations

import os
import shutil

import pytest


def need(program: str) -> str:
    """The path of ``program`` (a name on PATH, or a path), or skip/fail as above."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{message}, and CI must run this test (see .ci/run)")
        pytest.skip(message)
    return path
