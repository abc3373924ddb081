"""Explanations: the forward and backward pass of a run written out, step by step."""

from circuitrun.explain.explanation import Explanation, explain
from circuitrun.explain.steps import Step

__all__ = ["Explanation", "Step", "explain"]
