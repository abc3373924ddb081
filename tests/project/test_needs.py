"""The system programs some tests need: skipped on a bare machine, never in CI."""

from __future__ import annotations

import pytest

from support.needs import need


def test_a_missing_program_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-such-program-x is not installed, and CI"):
        need("no-such-program-x")


def test_a_missing_program_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-such-program-x is not installed"):
        need("no-such-program-x")


def test_a_present_program_is_found() -> None:
    assert need("sh").endswith("/sh")
