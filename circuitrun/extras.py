"""Optional parts of circuitrun: each is imported only by the module that needs it.

The core install has neither pyarrow nor dask; a feature that needs one says, in one
line, which extra brings it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from circuitrun.problems import UsageError

EXTRAS = {"pyarrow": "parquet", "dask": "dask", "distributed": "dask", "pandas": "dask"}
"""The extra of pyproject.toml that installs each optional package."""


def need(module: str, what: str) -> ModuleType:
    """Import ``module`` (e.g. ``pyarrow.parquet``), or raise a ``UsageError`` saying that
    ``what`` needs it and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".")[0]
        if e.name is not None and e.name.split(".")[0] not in EXTRAS:
            raise  # a module of the extra is there but broken: its own error says why
        # circuitrun is not on a package index yet: its extras install from a clone
        raise UsageError(f"{what} needs {top}: pip install '.[{EXTRAS[top]}]' in a clone of"
                         " circuitrun") from None
