"""Hypothesis profiles, and the switch between the quick suite and the long fuzz mode.

- ``ci`` (the default): derandomized, no example database, no deadline — every run of
  the suite draws the same examples, so CI is deterministic and a failure reproduces.
- ``fuzz``: loaded when the run selects the ``fuzz`` marker (``pytest -m fuzz``): random
  draws, many more examples.  Tests only worth running long are marked ``fuzz`` and
  deselected by default (``addopts`` in pyproject.toml).  The quick property and fuzz
  tests run in both modes: in the long one they are marked ``fuzz`` too (so ``-m fuzz``
  selects them) and scale their case counts with ``fuzz_scale()``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from support import fuzz

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    max_examples=2_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    markexpr = config.getoption("markexpr", "") or ""
    if "fuzz" in markexpr and "not fuzz" not in markexpr:
        fuzz.MODE["on"] = True
        settings.load_profile("fuzz")


SCALED = {"test_properties.py", "test_fuzz.py"}  # modules whose counts follow fuzz_scale()


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if fuzz.MODE["on"]:
        for item in items:
            if item.path.name in SCALED:
                item.add_marker(pytest.mark.fuzz)

