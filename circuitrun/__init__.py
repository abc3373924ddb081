"""circuitrun: declarative circuit specs, evaluated and backpropagated.

    import circuitrun
    circuit = circuitrun.load("circuits/sigmoid.yaml")
    result = circuit.run(inputs={"x0": -1.0})
    result.value("f"), result.grad("w0"), result.to_json(), result.to_csv()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from circuitrun.api.circuit import Circuit, MissingInputsError, load, loads
from circuitrun.api.result import NodeResult, Result
from circuitrun.problems import (
    CircuitError,
    NonFiniteError,
    Problem,
    SpecError,
    UnknownNodeError,
    UsageError,
)

if TYPE_CHECKING:
    from circuitrun.engine.gradcheck import GradcheckResult, NodeCheck, Verdict
    from circuitrun.golden.report import CheckReport
    from circuitrun.golden.run import check

LAZY = ("diagram", "explain")
"""Subpackages reached as ``circuitrun.diagram`` without an import of their own, loaded when
first used (``import circuitrun`` alone stays fast for the command line)."""
LAZY_NAMES = {"GradcheckResult": "circuitrun.engine.gradcheck",
              "NodeCheck": "circuitrun.engine.gradcheck",
              "Verdict": "circuitrun.engine.gradcheck",
              "CheckReport": "circuitrun.golden.report",
              "check": "circuitrun.golden.run"}
"""Names of the API whose modules a plain `circuitrun run` does not need, imported on
first use (gradcheck and the golden checks: about a tenth of its start-up)."""


def __getattr__(name: str) -> object:
    import importlib

    if name in LAZY:
        return importlib.import_module(f"circuitrun.{name}")
    if name in LAZY_NAMES:
        return getattr(importlib.import_module(LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'circuitrun' has no attribute '{name}'")


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext circuitrun`` in IPython or Jupyter: the ``%%circuit`` cell magic."""
    from circuitrun.api.magic import register

    register(ipython)


__all__ = [
    "CheckReport",
    "Circuit",
    "CircuitError",
    "GradcheckResult",
    "MissingInputsError",
    "NodeCheck",
    "NodeResult",
    "NonFiniteError",
    "Problem",
    "Result",
    "SpecError",
    "UnknownNodeError",
    "UsageError",
    "Verdict",
    "__version__",
    "check",
    "load",
    "loads",
]
