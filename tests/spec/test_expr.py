"""Expression gates (SPEC section 9.2, 9.3), one rule at a time, through
``compile_expression``; positions are offsets into the expression's string."""

from __future__ import annotations

import pytest

from circuitrun.ops.table import OPS
from circuitrun.spec.expr import FUNCTIONS, ExprNode, compile_expression
from circuitrun.spec.refs import Issue, Shape

NAMES: dict[str, Shape] = {"a": (), "b": (), "c": (), "x": (), "y": (), "dot": (),
                           "exp": (), "w": (3,), "u": (3,), "v": (2,), "W": (2, 3)}


def nodes(text: str, gate: str = "f") -> list[tuple[str, str, tuple[str, ...]]]:
    got = compile_expression(gate, text, NAMES)
    assert got.problems == []
    return [(n.name, n.op, n.inputs) for n in got.nodes]


def problems(text: str) -> list[tuple[int | None, str]]:
    got = compile_expression("f", text, NAMES)
    assert got.nodes == []
    return [(p.offset, p.code) for p in got.problems]


def only(text: str) -> Issue:
    got = compile_expression("f", text, NAMES).problems
    assert len(got) == 1, got
    return got[0]


# ---- the table of section 9.2 --------------------------------------------------


def test_the_spec_example_names_nodes_in_post_order() -> None:
    # SPEC 9.2: f.1 (const 1), f.2 (const 1), f.3 (neg dot), f.4 (exp), f.5 (add), f (div)
    got = compile_expression("f", "1 / (1 + exp(-dot))", NAMES).nodes
    assert got == [ExprNode("f.1", "const", (), 1.0), ExprNode("f.2", "const", (), 1.0),
                   ExprNode("f.3", "neg", ("dot",)), ExprNode("f.4", "exp", ("f.3",)),
                   ExprNode("f.5", "add", ("f.2", "f.4")), ExprNode("f", "div", ("f.1", "f.5"))]


def test_operators_are_their_ops() -> None:
    for symbol, op in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "div"), ("**", "pow")):
        assert nodes(f"a {symbol} b") == [("f", op, ("a", "b"))]


def test_every_op_but_const_is_a_function_with_its_arity() -> None:
    for name, op in OPS.items():
        if name == "const":
            assert "const" not in FUNCTIONS
            continue
        args = ", ".join(["a"] * max(op.min_in, 1))
        assert nodes(f"{name}({args})") == [("f", name, ("a",) * max(op.min_in, 1))]
        too_many = ", ".join(["a"] * (op.min_in + 1))
        if op.max_in is not None:
            assert problems(f"{name}({too_many})") == [(0, "arity")]


def test_element_references_are_nodes() -> None:
    assert nodes("w[0] * W[1][2]") == [("f", "mul", ("w[0]", "W[1][2]"))]


def test_no_two_equal_subexpressions_are_merged() -> None:
    assert nodes("exp(a) + exp(a)") == [("f.1", "exp", ("a",)), ("f.2", "exp", ("a",)),
                                        ("f", "add", ("f.1", "f.2"))]


def test_max_and_min_take_ties() -> None:
    got = compile_expression("f", "max(a, b, ties='split') + min(a, ties='first')", NAMES)
    assert [(n.op, n.ties) for n in got.nodes] == [("max", "split"), ("min", "first"),
                                                    ("add", None)]


def test_dot_is_n_muls_and_one_add() -> None:
    assert nodes("dot(w, u)", "d") == [
        ("d.1", "mul", ("w[0]", "u[0]")), ("d.2", "mul", ("w[1]", "u[1]")),
        ("d.3", "mul", ("w[2]", "u[2]")), ("d", "add", ("d.1", "d.2", "d.3"))]


def test_a_matrix_row_is_a_vector() -> None:
    assert nodes("dot(W[1], w) + sum(W[0])", "d") == [
        ("d.1", "mul", ("W[1][0]", "w[0]")), ("d.2", "mul", ("W[1][1]", "w[1]")),
        ("d.3", "mul", ("W[1][2]", "w[2]")), ("d.4", "add", ("d.1", "d.2", "d.3")),
        ("d.5", "add", ("W[0][0]", "W[0][1]", "W[0][2]")), ("d", "add", ("d.4", "d.5"))]


def test_vector_arguments_of_n_ary_functions_are_their_elements() -> None:
    assert nodes("add(v, a, 1)") == [("f.1", "const", ()),
                                      ("f", "add", ("v[0]", "v[1]", "a", "f.1"))]
    for name in ("mul", "max", "min", "sum"):
        op = "add" if name == "sum" else name
        assert nodes(f"{name}(v)") == [("f", op, ("v[0]", "v[1]"))]


# ---- chains and the root -----------------------------------------------------------


def test_a_left_chain_of_one_operator_is_one_gate() -> None:
    assert nodes("a + b + c") == nodes("(a + b) + c") == [("f", "add", ("a", "b", "c"))]
    assert nodes("a * b * c") == [("f", "mul", ("a", "b", "c"))]


def test_only_the_left_operand_merges() -> None:
    assert nodes("a + (b + c)") == [("f.1", "add", ("b", "c")), ("f", "add", ("a", "f.1"))]
    assert nodes("a - b - c") == [("f.1", "sub", ("a", "b")), ("f", "sub", ("f.1", "c"))]
    assert nodes("a / b / c") == [("f.1", "div", ("a", "b")), ("f", "div", ("f.1", "c"))]
    assert nodes("a * b + c") == [("f.1", "mul", ("a", "b")), ("f", "add", ("f.1", "c"))]


def test_the_neuron_is_the_gates_of_sigmoid_yaml() -> None:
    assert nodes("w[0]*v[0] + w[1]*v[1] + w[2]", "dot") == [
        ("dot.1", "mul", ("w[0]", "v[0]")), ("dot.2", "mul", ("w[1]", "v[1]")),
        ("dot", "add", ("dot.1", "dot.2", "w[2]"))]


def test_a_root_literal_is_a_const_gate() -> None:
    for text, value in (("3", 3.0), ("-3", -3.0), ("+2.5", 2.5), ("0x1F", 31.0)):
        assert compile_expression("k", text, NAMES).nodes == [ExprNode("k", "const", (), value)]


def test_a_root_reference_is_a_one_input_add() -> None:
    assert nodes("x", "y") == nodes("+x", "y") == nodes("(x)", "y") == [("y", "add", ("x",))]
    assert nodes("w[2]", "y") == [("y", "add", ("w[2]",))]


def test_a_called_name_is_a_function_any_other_a_node() -> None:
    assert nodes("exp(exp)") == [("f", "exp", ("exp",))]
    assert problems("const(1)") == [(0, "unknown-op")]
    assert "written as the number itself" in only("const(1)").message


# ---- signs and literals (section 9.3, Constructs) -------------------------------------


def test_minus_before_a_literal_is_a_negative_constant() -> None:
    for text in ("-3", "- 3", "-(3)", "-(+3)"):
        assert compile_expression("k", text, NAMES).nodes == [ExprNode("k", "const", (), -3.0)]


def test_minus_minus_three_is_neg_of_minus_three() -> None:
    got = compile_expression("k", "--3", NAMES).nodes
    assert got == [ExprNode("k.1", "const", (), -3.0), ExprNode("k", "neg", ("k.1",))]


def test_minus_three_squared_follows_python_precedence() -> None:
    assert nodes("-3 ** 2") == [("f.1", "const", ()), ("f.2", "const", ()),
                                ("f.3", "pow", ("f.1", "f.2")), ("f", "neg", ("f.3",))]


def test_unary_plus_is_transparent_everywhere() -> None:
    assert nodes("+(a + b) + c") == [("f", "add", ("a", "b", "c"))]
    assert nodes("a * +(+b)") == [("f", "mul", ("a", "b"))]


def test_python_int_and_float_literals() -> None:
    for text, value in (("1_000", 1000.0), ("0x1F", 31.0), ("1e-3", 0.001), ("0o17", 15.0),
                        (".5", 0.5), ("-0.0", -0.0)):
        got = compile_expression("k", text, NAMES).nodes
        assert got == [ExprNode("k", "const", (), value)] and str(got[0].value) == str(value)


def test_complex_booleans_and_none_are_bad_expressions() -> None:
    for text in ("a + 1j", "a + True", "a + False", "a + None", "a + ..."):
        assert problems(text) == [(4, "bad-expression")], text


def test_a_literal_that_is_no_finite_double_is_bad_type() -> None:
    assert problems("a + 1e999") == [(4, "bad-type")]
    assert problems("a + -1e999") == [(4, "bad-type")]
    assert problems("a + 1" + "0" * 400) == [(4, "bad-type")]


# ---- constructs not in the table ------------------------------------------------------


@pytest.mark.parametrize(("text", "offset"), [
    ("math.exp(x)", 0), ("a + x.real", 4), ("a + 'b'", 4), ("a + \"b\"", 4),
    ("a + [b]", 4), ("a + (b, c)", 4), ("a + {b}", 4), ("a + {a: b}", 4),
    ("a + (b if c else a)", 5), ("a + lambda: b", 4), ("a + f'{b}'", 4),
    ("a + [b for b in c]", 4), ("a + (b := c)", 5), ("w[a]", 2), ("w[-1]", 2),
    ("w[0:2]", 2), ("w[1.0]", 2), ("w[0, 1]", 2), ("(a + b)[0]", 0), ("exp(a)(b)", 0),
    ("not a", 0), ("~a", 0),
])
def test_a_construct_not_in_the_table_is_at_its_first_character(text: str, offset: int) -> None:
    assert problems(text) == [(offset, "bad-expression")]


@pytest.mark.parametrize(("text", "offset"), [
    ("a % b", 2), ("a // b", 2), ("a @ b", 2), ("a < b", 2), ("a and b", 2), ("a or b", 2),
    ("a ^ b", 2), ("a << b", 2), ("(a) == (b)", 4), ("a is not b", 2), ("(a\n  & b)", 5),
    ("(a  # note\n | b)", 12),
])
def test_an_operator_not_allowed_is_at_the_operator(text: str, offset: int) -> None:
    assert problems(text) == [(offset, "bad-expression")]


def test_nothing_inside_an_unsupported_construct_is_examined() -> None:
    assert problems("math.exp(zz)") == [(0, "bad-expression")]
    assert problems("(zz if qq else rr)") == [(1, "bad-expression")]
    assert problems("zz % qq") == [(3, "bad-expression")]
    assert problems("w[zz]") == [(2, "bad-expression")]


def test_the_operands_of_supported_operations_all_are() -> None:
    assert problems("zz + yy * exp(qq) - w[5] / a.b") == [
        (0, "undefined-ref"), (5, "undefined-ref"), (14, "undefined-ref"),
        (20, "bad-index"), (27, "bad-expression")]


# ---- calls ---------------------------------------------------------------------


def test_an_unknown_function_is_at_its_name_and_its_arguments_are_checked() -> None:
    assert problems("a + sigmiod(zz, w, W)") == [(4, "unknown-op"), (12, "undefined-ref")]
    assert "did you mean 'sigmoid'" in only("sigmiod(a)").message


def test_an_unknown_function_with_nothing_close_lists_the_functions() -> None:
    message = only("multiply(a, b)").message
    assert "functions:" in message and all(name in message for name in FUNCTIONS)


def test_did_you_mean_draws_on_node_names_including_vectors() -> None:
    assert "did you mean 'dot'?" in only("dott").message
    assert "did you mean 'W'?" in only("WW[0]").message
    assert "did you mean 'w[2]'?" in only("w2").message  # w is a vector of 3


def test_arity_is_at_the_call() -> None:
    assert problems("a + pow(x)") == [(4, "arity")]
    assert problems("exp(x, y) + add()") == [(0, "arity"), (12, "arity")]
    assert problems("sum()") == [(0, "arity")]


def test_ties_and_keywords() -> None:
    assert problems("max(a, ties='middle')") == [(12, "bad-type")]
    assert problems("max(a, ties=first)") == [(12, "bad-type")]
    assert problems("max(a, ties=1)") == [(12, "bad-type")]
    assert problems("add(a, ties='first')") == [(7, "bad-expression")]
    assert problems("max(a, ties='first', ties='split')") == [(21, "bad-expression")]
    assert problems("max(a, key=b)") == [(7, "bad-expression")]
    assert problems("max(*w)") == [(4, "bad-expression")]
    assert problems("max(a, **w)") == [(7, "bad-expression")]
    assert problems("dot(w, u, ties='first')") == [(10, "bad-expression")]


def test_dot_arguments() -> None:
    assert problems("dot(w)") == [(0, "arity")]
    assert problems("dot(w, u, v)") == [(0, "arity")]
    assert problems("dot(w, a)") == [(7, "bad-index")]
    assert problems("dot(2, w)") == [(4, "bad-index")]
    assert problems("dot(W, w)") == [(4, "bad-index")]
    assert problems("dot(w[0], w)") == [(4, "bad-index")]
    issue = only("a + dot(w, v)")
    assert (issue.offset, issue.code) == (4, "bad-index")
    assert "'w' has 3, 'v' has 2" in issue.message


def test_a_vector_where_a_number_is_needed_is_bad_index_at_the_reference() -> None:
    assert problems("a + w") == [(4, "bad-index")]
    assert problems("exp(w)") == [(4, "bad-index")]
    assert problems("w") == [(0, "bad-index")]
    assert problems("W[1] * 2") == [(0, "bad-index")]


def test_a_bare_matrix_is_never_flattened() -> None:
    assert problems("add(W)") == [(4, "bad-index")]
    assert problems("sum(W)") == [(4, "bad-index")]


def test_indices_are_checked_against_the_shape() -> None:
    assert problems("w[3]") == [(0, "bad-index")]
    assert problems("W[2][0] + W[0][3] + W[0][0][0]") == [
        (0, "bad-index"), (10, "bad-index"), (20, "bad-index")]
    assert problems("a[0]") == [(0, "bad-index")]
    assert problems("zz[0]") == [(0, "undefined-ref")]


def test_an_expression_with_a_problem_makes_no_nodes() -> None:
    got = compile_expression("f", "exp(a) + zz", NAMES)
    assert got.nodes == [] and [p.code for p in got.problems] == ["undefined-ref"]


# ---- parsing -------------------------------------------------------------------


def test_a_syntax_error_is_where_python_says() -> None:
    assert problems("w[0]*v[0] w[1]*v[1]") == [(10, "bad-expression")]
    assert problems("1 / (1 + exp(-dot)") == [(4, "bad-expression")]


def test_a_syntax_error_at_the_end_is_just_past_the_expression() -> None:
    assert problems("a +") == [(3, "bad-expression")]
    assert problems("") == [(0, "bad-expression")]


def test_leading_blanks_are_ignored() -> None:
    assert nodes("   a + b") == [("f", "add", ("a", "b"))]
    assert problems("  a b") == [(4, "bad-expression")]
    assert problems("  zz") == [(2, "undefined-ref")]


def test_positions_count_characters_not_bytes() -> None:
    assert problems("max(a, ties='é') + zz") == [(12, "bad-type"), (19, "undefined-ref")]


def test_positions_on_later_lines_count_characters() -> None:
    assert problems("(\u00e9v + zz\n + \uff59)") == [
        (1, "undefined-ref"), (6, "undefined-ref"), (12, "undefined-ref")]


def test_a_name_python_normalizes_is_not_that_node() -> None:
    issue = only("\uff58 + 1")  # a fullwidth x, which Python reads as x
    assert issue.code == "undefined-ref" and "did you mean 'x'?" in issue.message


def test_warnings_of_pythons_parser_are_no_problem() -> None:
    # "invalid decimal literal", "invalid escape sequence": warnings, errors under this
    # suite's filters, and printed on stderr by default
    assert problems("1if a else b") == [(0, "bad-expression")]
    assert problems("a + 1.or b") == [(6, "bad-expression")]  # (a + 1.) or b
    assert problems("max(a, ties='\\d')") == [(12, "bad-type")]
    assert problems("0x1for a") == [(4, "bad-expression")]  # 0x1f or a


@pytest.mark.parametrize(("text", "offset", "words"), [
    ("2a", 1, "'2a': write 2 * a for a product"),
    ("b + 3a", 5, "'3a': write 3 * a for a product"),
    ("2.5a + 1", 3, "'2.5a': write 2.5 * a for a product"),
    ("1e5a", 3, "'1e5a': write 1e5 * a for a product"),
])
def test_a_number_run_into_a_name_says_to_multiply(text: str, offset: int, words: str) -> None:
    # Python says "invalid decimal literal" at the number's last digit; the caret goes to
    # the name, where the * is missing
    issue = only(text)
    assert (issue.offset, issue.code) == (offset, "bad-expression")
    assert issue.message == f"a number run into a name, {words}"


def test_a_number_run_into_an_underscore_keeps_pythons_words() -> None:
    assert only("2_a").message == "not a valid expression: invalid decimal literal"
