"""The op table: one record per op (values, local gradients, array forms, and every fact
about the op the rest of the package reads).  Imports nothing else of the package."""

from circuitrun.ops.record import ONE, Formula, Inline, Kink, Op, Rule
from circuitrun.ops.table import OPS, TIES

__all__ = ["ONE", "OPS", "TIES", "Formula", "Inline", "Kink", "Op", "Rule"]
