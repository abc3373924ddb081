"""References outside expressions, vector and matrix inputs, and values given at run
time for them (SPEC section 9.1, 9.3)."""

from __future__ import annotations

import pytest

from circuitrun.problems import UsageError
from circuitrun.spec.refs import Issue, Shape, element_name, elements, resolve
from circuitrun.spec.shapes import Elements, PathIssue, assign, input_elements, parse_value

SHAPES: dict[str, Shape] = {"x": (), "g": (), "w": (3,), "W": (2, 3)}


def code(text: str, extra: set[str] | None = None) -> str:
    got = resolve(text, SHAPES, extra or set())
    assert isinstance(got, Issue) and got.offset is None
    return got.code


# ---- references ----------------------------------------------------------------


def test_names_and_elements_resolve_to_themselves() -> None:
    for text in ("x", "g", "w[0]", "w[2]", "W[1][2]", "W[0][0]"):
        assert resolve(text, SHAPES) == text


def test_elements_are_named_in_row_major_order() -> None:
    assert elements("W", (2, 3)) == ["W[0][0]", "W[0][1]", "W[0][2]",
                                     "W[1][0]", "W[1][1]", "W[1][2]"]
    assert elements("w", (2,)) == ["w[0]", "w[1]"] and elements("x", ()) == ["x"]
    assert element_name("W", (10, 0)) == "W[10][0]"


def test_a_bare_vector_or_matrix_or_a_row_is_bad_index() -> None:
    assert code("w") == code("W") == code("W[1]") == "bad-index"
    got = resolve("w", SHAPES)
    assert isinstance(got, Issue) and "w[0] .. w[2]" in got.message


def test_out_of_range_and_indexed_scalars_are_bad_index() -> None:
    for text in ("w[3]", "W[2][0]", "W[0][3]", "x[0]", "w[0][0]", "W[0][0][0]"):
        assert code(text) == "bad-index", text


def test_indices_are_plain_decimals() -> None:
    for text in ("w[01]", "w[ 0]", "w[-1]", "w[+1]", "w[0x1]", "w [0]", "w[1_0]", "w[]"):
        assert code(text) == "bad-index", text


def test_unknown_names_are_undefined_ref_with_a_hint() -> None:
    got = resolve("ww[0]", SHAPES)
    assert isinstance(got, Issue) and got.code == "undefined-ref"
    assert got.message == "unknown reference 'ww[0]' (did you mean 'w'?)"
    got = resolve("w1", SHAPES)
    assert isinstance(got, Issue) and "did you mean 'w[1]'?" in got.message
    assert code("exp(x)") == code("x y") == "undefined-ref"


def test_generated_names_resolve_only_where_given() -> None:
    assert code("f.1") == "undefined-ref"
    assert resolve("f.1", SHAPES, extra={"f.1"}) == "f.1"


# ---- vector and matrix inputs ------------------------------------------------------


def test_a_number_or_null_is_a_scalar_input() -> None:
    assert input_elements("x", 2) == Elements((), [("x", 2.0)])
    assert input_elements("x", None) == Elements((), [("x", None)])


def test_a_vector_and_a_matrix_in_row_major_order() -> None:
    assert input_elements("w", [2, -3, None]) == Elements(
        (3,), [("w[0]", 2.0), ("w[1]", -3.0), ("w[2]", None)])
    assert input_elements("W", [[1, 2], [None, 4.5]]) == Elements(
        (2, 2), [("W[0][0]", 1.0), ("W[0][1]", 2.0), ("W[1][0]", None), ("W[1][1]", 4.5)])


@pytest.mark.parametrize(("value", "found"), [
    ([], [((), "bad-shape")]),
    ([[1, 2], [3]], [((1,), "bad-shape")]),
    ([[1], []], [((1,), "bad-shape")]),
    ([[]], [((0,), "bad-shape")]),
    ([[1], 2], [((1,), "bad-shape")]),
    ([1, [2]], [((1,), "bad-shape")]),
    ([[1, [2]]], [((0, 1), "bad-shape")]),
    ([[[1]]], [((0, 0), "bad-shape")]),
    ([1, "2"], [((1,), "bad-type")]),
    ([1, True, float("inf")], [((1,), "bad-type"), ((2,), "bad-type")]),
    ([[1, "a"], [2, 10**400]], [((0, 1), "bad-type"), ((1, 1), "bad-type")]),
    ("2", [((), "bad-type")]),
    (True, [((), "bad-type")]),
    ({"a": 1}, [((), "bad-type")]),
])
def test_shape_problems_are_at_their_path(value: object,
                                          found: list[tuple[tuple[int, ...], str]]) -> None:
    got = input_elements("W", value)
    assert isinstance(got, list)
    assert [(p.path, p.code) for p in got] == found
    assert all(isinstance(p, PathIssue) and p.message for p in got)



@pytest.mark.parametrize(("value", "words"), [
    ([[1, 2], 3], "row 1 of 'W' is a number, row 0 has 2 entries"),
    ([[1, 2], 10**400], "row 1 of 'W' is an integer too large for a double, row 0 has 2"
                        " entries"),
    ([[1, 2], None], "row 1 of 'W' is null, row 0 has 2 entries"),
    ([[1, 2], "ab"], "row 1 of 'W' is a string, row 0 has 2 entries"),
    ([1, float("nan")], "'W[1]' must be a finite number or null, not nan"),
])
def test_a_value_of_the_wrong_kind_is_said_as_it_is(value: object, words: str) -> None:
    # A matrix row that is one number was called "an integer too large for a double".
    got = input_elements("W", value)
    assert isinstance(got, list) and len(got) == 1
    assert got[0].message.startswith(words), got[0].message


# ---- values given at run time --------------------------------------------------------


def test_parse_value() -> None:
    assert parse_value("2") == 2.0 and parse_value(" -1e-3 ") == -0.001
    assert parse_value("[2, -3, -3]") == [2.0, -3.0, -3.0]
    assert parse_value("[[1,2],[3, 4]]") == [[1.0, 2.0], [3.0, 4.0]]
    assert parse_value("[ ]") == []


@pytest.mark.parametrize("text", ["abc", "[1,", "[1 2]", "[1,]", "[[[1]]]", "[.inf]",
                                  "[1] x", "[null]", "1, 2", "[[1], 2", ""])
def test_parse_value_refuses(text: str) -> None:
    with pytest.raises(UsageError):
        parse_value(text)


def test_assign_whole_and_elements() -> None:
    assert assign("w", [1, 2, 3], SHAPES) == [("w[0]", 1.0), ("w[1]", 2.0), ("w[2]", 3.0)]
    assert assign("W", [[1, 2, 3], [4, 5, 6]], SHAPES)[-1] == ("W[1][2]", 6.0)
    assert assign("w[1]", 5, SHAPES) == [("w[1]", 5.0)]
    assert assign("x", 0.5, SHAPES) == [("x", 0.5)]


def test_later_assignments_win_when_applied_in_order() -> None:
    values: dict[str, float] = {}
    for target, value in (("w", [1, 2, 3]), ("w[0]", 5)):
        values.update(assign(target, value, SHAPES))
    assert values == {"w[0]": 5.0, "w[1]": 2.0, "w[2]": 3.0}


@pytest.mark.parametrize(("target", "value", "words"), [
    ("w", [1, 2], "'w' is a vector of 3: give a list of 3 numbers, not a list of 2"),
    ("w", 1, "'w' is a vector of 3: give a list of 3 numbers, not a number"),
    ("W", [[1, 2, 3]], "'W' is a 2x3 matrix: give 2 rows of 3 numbers"),
    ("W", [1, 2, 3], "'W' is a 2x3 matrix: give 2 rows of 3 numbers"),
    ("x", [1], "'x' is one number, not a list"),
    ("w", [1, 2, float("nan")], "input 'w' needs finite numbers, not nan"),
    ("w[0]", True, "input 'w[0]' needs a finite number, not True"),
    ("w[3]", 1, "index 3 in 'w[3]' is out of range"),
    ("W[1]", 1, "'W[1]' is a vector of 3, not one number"),
    ("xx", 1, "'xx' is not an input of the circuit (did you mean 'x'?)"),
    ("ww[0]", 1, "'ww' is not an input of the circuit (did you mean 'w'?)"),
])
def test_assign_refuses_in_the_librarys_words(target: str, value: object, words: str) -> None:
    with pytest.raises(UsageError) as e:
        assign(target, value, SHAPES)
    assert words in str(e.value) and "--" not in str(e.value)
