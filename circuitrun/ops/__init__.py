"""The op table: one record per op (values, local gradients, array forms, and every fact
about the op the rest of the package reads).  Imports nothing else of the package."""

from circuitrun.ops.inline import Inline
from circuitrun.ops.record import Kink, Op, Rule
from circuitrun.ops.table import OPS, TIES

__all__ = ["OPS", "TIES", "Inline", "Kink", "Op", "Rule"]
