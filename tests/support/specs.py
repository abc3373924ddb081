"""Small specs the tests share, each with its numbers derived by hand (dedent before use)."""

from __future__ import annotations

# f = x*y at x = 4, y = -3: f = -12; df/dx = y = -3, df/dy = x = 4.
MUL = """\
    inputs: {x: 4, y: -3}
    gates:
      f: {op: mul, in: [x, y]}
    """
# m = max(a, b) at a = b = 2: m = 2; ties: first gives dm/da = 1, dm/db = 0.
MAX = """\
    inputs: {a: 2, b: 2}
    gates:
      m: {op: max, in: [a, b]}
    """
