"""Stages 4 and 5: values in topological order, gradients in reverse (scalar and batch)."""
