"""circuitrun: declarative circuit specs, evaluated and backpropagated.

    import circuitrun
    circuit = circuitrun.load("circuits/sigmoid.yaml")
    result = circuit.run(inputs={"x0": -1.0})
    result.value("f"), result.grad("w0"), result.to_json(), result.to_csv()
"""

from __future__ import annotations

__version__ = "0.1.0"

from circuitrun.api.circuit import Circuit, MissingInputsError, load, loads
from circuitrun.api.result import NodeResult, Result
from circuitrun.engine.gradcheck import GradcheckResult, NodeCheck, Verdict
from circuitrun.golden.report import CheckReport
from circuitrun.golden.run import check
from circuitrun.problems import (
    CircuitError,
    NonFiniteError,
    Problem,
    SpecError,
    UnknownNodeError,
    UsageError,
)

LAZY = ("diagram", "explain")
"""Subpackages reached as ``circuitrun.diagram`` without an import of their own, loaded when
first used (``import circuitrun`` alone stays fast for the command line)."""


def __getattr__(name: str) -> object:
    if name in LAZY:
        import importlib

        return importlib.import_module(f"circuitrun.{name}")
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
