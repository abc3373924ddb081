"""Numbers as text: every output writes a float as Python's ``repr`` (SPEC section 4),
however many are written at once."""

from __future__ import annotations

import math
import random
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circuitrun.report.numbers import number_texts

# Where notations part (repr writes 1e-05 and 1e+16; positional from 1e-4 up to 1e16),
# the smallest and largest floats, both zeros, and the ties: m * 2**-j with m odd and
# 53 bits long lies halfway between two shortest candidates of 17 digits.
EDGES = [0.0, -0.0, 1e-4, -1e-4, math.nextafter(1e-4, 0), 1e-5, 1e-7, 1.5e-300, 5e-324,
         -5e-324, 1e16, math.nextafter(1e16, 0), 1e22, 1.7976931348623157e308, 10.00001,
         0.1, 2.0, 1125899906842624.25, 562949953421312.125, 2251799813685248.5]


def test_edges_are_written_as_repr() -> None:
    assert number_texts(EDGES, "") == list(map(repr, EDGES))


@pytest.mark.parametrize("seed", range(3))
def test_every_kind_of_float_is_written_as_repr(seed: int) -> None:
    # uniform over bit patterns: every exponent, subnormals included
    rng = random.Random(seed)
    xs = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
          for _ in range(50_000)]
    xs = [x for x in xs if math.isfinite(x)]
    xs += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 20) for _ in range(50_000)]
    assert number_texts(xs, "") == list(map(repr, xs))


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none())))
def test_missing_and_non_finite_numbers(xs: list[float | None]) -> None:
    def text(x: float | None) -> str:
        if x is None:
            return "null"
        return repr(x) if math.isfinite(x) else f'"{x!r}"'

    assert number_texts(xs, "null", json=True) == list(map(text, xs))
    assert number_texts(xs, "") == ["" if x is None else repr(x) for x in xs]
