"""Hostile expressions (SPEC section 9.3, "Parsing and limits"): limits checked on the
text before parsing, no recursion of circuitrun's own, Python's parser guarded."""

from __future__ import annotations

import sys

from circuitrun.spec.expr import compile_expression
from circuitrun.spec.exprparse import MAX_LENGTH, MAX_NESTING
from circuitrun.spec.refs import Issue, Shape

NAMES: dict[str, Shape] = {"x": (), "y": ()}


def problem(text: str) -> tuple[int | None, str]:
    got = compile_expression("f", text, NAMES)
    assert got.nodes == [] and len(got.problems) == 1, got.problems[:3]
    return got.problems[0].offset, got.problems[0].code


def test_a_one_megabyte_expression_is_too_long_at_the_scalars_start() -> None:
    assert problem("x+" * 2**19 + "x") == (None, "bad-expression")


def test_the_length_limit_is_the_values_characters() -> None:
    exactly = ("x+" * (MAX_LENGTH // 2))[:-1] + " "  # MAX_LENGTH characters
    assert len(exactly) == MAX_LENGTH
    assert compile_expression("f", exactly, NAMES).problems == []
    assert problem(exactly + "x") == (None, "bad-expression")


def test_ten_thousand_nested_parentheses_are_refused_before_parsing() -> None:
    # 20,001 characters: too long, which is checked first
    assert problem("(" * 10_000 + "x" + ")" * 10_000) == (None, "bad-expression")
    # within the length, too deep at the bracket that opens level 65
    assert problem("(" * 4999 + "x" + ")" * 4999) == (MAX_NESTING, "bad-expression")
    assert problem("(" * 9999) == (MAX_NESTING, "bad-expression")


def test_sixty_four_levels_are_allowed_and_every_bracket_is_a_level() -> None:
    assert compile_expression("f", "(" * 64 + "x" + ")" * 64, NAMES).problems == []
    # lists are not allowed, but the limit is checked first, at the bracket of level 65
    assert problem("[" * 40 + "{" * 24 + "(" + "x") == (64, "bad-expression")


def test_brackets_in_strings_and_comments_are_not_levels() -> None:
    # the string is not allowed (at its quote): the 100 brackets in it are no level
    assert problem("x + '" + "(" * 100 + "'") == (4, "bad-expression")
    assert problem("x + '''" + "[" * 100 + "'''") == (4, "bad-expression")
    text = "(x  # " + "(" * 100 + "\n + y)"
    assert [n.op for n in compile_expression("f", text, NAMES).nodes] == ["add"]


def test_a_flat_chain_is_no_level_and_is_one_gate() -> None:
    text = " + ".join(["x"] * 1500)
    got = compile_expression("f", text, NAMES)
    assert [(n.op, len(n.inputs)) for n in got.nodes] == [("add", 1500)]


def test_chains_of_minus_divide_and_power_nest_without_recursion() -> None:
    got = compile_expression("f", " - ".join(["x"] * 1500), NAMES).nodes
    assert len(got) == 1499 and got[-1].inputs == ("f.1498", "x")
    got = compile_expression("f", "**".join(["x"] * 1500), NAMES).nodes
    assert len(got) == 1499 and got[-1].inputs == ("x", "f.1498")  # right-associative


def test_unary_signs_are_no_level() -> None:
    got = compile_expression("f", "-" * 1000 + "x", NAMES).nodes
    assert len(got) == 1000 and got[0].inputs == ("x",) and got[-1].name == "f"


def test_a_chain_is_valid_deep_in_the_callers_stack() -> None:
    # Python's AST conversion recurses once per level within what is left of the
    # recursion limit: called 900 frames deep, a 1,500-term sum must still parse.
    text = " + ".join(["x"] * 1500)

    def deep(n: int) -> list[Issue]:
        return deep(n - 1) if n else compile_expression("f", text, NAMES).problems

    assert deep(sys.getrecursionlimit() - 100) == []


def test_when_pythons_parser_gives_up_it_is_at_the_scalars_start() -> None:
    limit = sys.getrecursionlimit()
    assert problem("-" * 9000 + "x") == (None, "bad-expression")
    assert problem("+" * 9000 + "x") == (None, "bad-expression")
    # within what Python parses, a deep construct is only not allowed, at its start
    assert problem("not " * 2400 + "x") == (0, "bad-expression")
    assert sys.getrecursionlimit() == limit  # restored


def test_a_nul_character_is_a_problem_at_its_place() -> None:
    assert problem("x + \x00") == (4, "bad-expression")


def test_many_problems_are_all_reported() -> None:
    got = compile_expression("f", " + ".join(["zz"] * 2000), NAMES).problems
    assert [p.offset for p in got] == list(range(0, 2000 * 5, 5))


def test_many_problems_in_a_text_that_is_not_ascii() -> None:
    # each position is found through a byte-to-character table made once per line
    got = compile_expression("f", " + ".join(["\u00e9"] * 2400), NAMES).problems
    assert [p.offset for p in got] == list(range(0, 2400 * 4, 4))
