"""``Expressions`` (the expression gates of one spec, each form compiled once) gives
exactly what ``compile_expression`` gives, on texts made to probe the renaming: names
of every shape, unknown names, keywords, function names as nodes, strings, comments,
numbers run into words, operators not allowed, odd spacing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from circuitrun.spec.expr import ExprNode, compile_expression
from circuitrun.spec.exprmemo import Expressions
from circuitrun.spec.refs import Shape

NAMES: dict[str, Shape] = {"a": (), "b": (), "_0": (), "_1": (), "exp": (), "match": (),
                           "w": (3,), "v": (2,), "W": (2, 3), "g": (), "h": (),
                           "None": (), "lambda": (), "if": ()}  # names Python reads as keywords

_LEAVES = st.sampled_from([
    "a", "b", "_0", "_1", "exp", "match", "w", "v", "W", "zz", "None", "True", "lambda",
    "w[0]", "w[2]", "w[3]", "W[1]", "W[1][2]", "W[0][0][0]", "a[0]", "1", "0.5", "1e-3",
    "1e999", "0x1F", "1_0", "01", "2a", "'first'", "\"split\"", "'a b'", "a.real", "w[a]",
])
_SPACE = st.sampled_from(["", " ", " ", "  ", "\t", "\n", " # b\n"])
_BINARY = st.sampled_from(["+", "-", "*", "/", "**", "%", "//", "==", "and", "="])
_CALLS = st.sampled_from(["exp", "max", "min", "sum", "dot", "add", "pow", "sigmiod",
                          "const", "a"])
_KEYWORDS = st.sampled_from(["", "", "", ", ties='split'", ", ties=first", ", key=a",
                             ", ties = 'first'"])


def _expressions(leaves: st.SearchStrategy[str] = _LEAVES,
                 binary: st.SearchStrategy[str] = _BINARY,
                 calls: st.SearchStrategy[str] = _CALLS) -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, _SPACE, binary, _SPACE, inner).map(
                lambda t: f"({''.join(t)})"),
            st.tuples(st.sampled_from(["-", "+", "- "]), inner).map("".join),
            st.tuples(inner, _SPACE).map(lambda t: f"({t[0]}{t[1]})"),
            st.tuples(calls, st.lists(inner, min_size=1, max_size=3), _KEYWORDS).map(
                lambda t: f"{t[0]}({', '.join(t[1])}{t[2]})"),
        )
    return st.recursive(leaves, extend, max_leaves=12)


# Mostly valid expressions, so that the memo's own path is taken often.
_VALID = _expressions(
    st.sampled_from(["a", "b", "_0", "_1", "exp", "match", "w[0]", "w[2]", "W[1][2]", "1",
                     "0.5", "1e-3", "0x1F", "1_0", "sum(w)", "dot(w, W[0])", "max(v, a)",
                     "not a", "zz"]),
    st.sampled_from(["+", "-", "*", "/", "**", "+", "*"]),
    st.sampled_from(["max", "min", "add", "mul", "exp", "sum"]))


@settings(max_examples=150)
@given(st.lists(st.one_of(_expressions(), _VALID), min_size=1, max_size=6))
def test_memo_gives_what_compile_expression_gives(texts: list[str]) -> None:
    memo = Expressions(NAMES)
    for i, text in enumerate(texts * 2):  # each form again, for another gate
        gate = f"g{i}"
        assert memo.compile(gate, text) == compile_expression(gate, text, NAMES), text


@settings(max_examples=150)
@given(st.one_of(_expressions(), _VALID))
def test_one_form_with_other_names(text: str) -> None:
    # the same form for other references of the same shapes
    swapped = text.replace("_0", "@").replace("_1", "_0").replace("@", "_1")
    memo = Expressions(NAMES)
    for gate, t in (("g", text), ("h", swapped)):
        assert memo.compile(gate, t) == compile_expression(gate, t, NAMES), t


def test_the_forms_of_a_generated_spec() -> None:
    names: dict[str, Shape] = {"x": (4,), "W": (3, 4), "b": (3,)}
    memo = Expressions(names)
    for i in range(30):
        text = f"tanh(dot(W[{i % 3}], x) + b[{i % 3}]) * g{i - 1} + 1" if i else "x[0]"
        names[f"g{i}"] = ()
        got = memo.compile(f"g{i}", text)
        assert got == compile_expression(f"g{i}", text, names) and got.nodes



# Leaves and operators between single spaces (`a * b + c`), the form most generated specs
# write and the memo reads by splitting at spaces; with the operators it must leave to
# the regex (`%`, `and`, `=`), odd spacing, and leaves that are no name.
_OPERATORS = st.sampled_from(["+", "-", "*", "/", "**", "+", "*", "%", "and", "=", "",
                              " +", "- "])


@st.composite
def _spaced(draw: st.DrawFn) -> str:
    text = draw(_LEAVES)
    for _ in range(draw(st.integers(0, 6))):
        text += f" {draw(_OPERATORS)} {draw(_LEAVES)}"
    return text


@settings(max_examples=300)
@given(st.lists(_spaced(), min_size=1, max_size=6))
def test_spaced_texts(texts: list[str]) -> None:
    memo = Expressions(NAMES)
    for i, text in enumerate(texts * 2):
        gate = f"g{i}"
        assert memo.compile(gate, text) == compile_expression(gate, text, NAMES), text


def test_spaced_forms_share_a_form() -> None:
    # `a * b` and `g * h`: one form, each gate its own names (b * a: the nodes as named)
    memo = Expressions(NAMES)
    assert memo.compile("f", "a * b").nodes == [ExprNode("f", "mul", ("a", "b"))]
    assert memo.compile("k", "h * g").nodes == [ExprNode("k", "mul", ("h", "g"))]
    assert memo.compile("m", "a + b * g").nodes == [ExprNode("m.1", "mul", ("b", "g")),
                                                    ExprNode("m", "add", ("a", "m.1"))]
    # a name Python reads as a keyword is compiled as written: its own problem
    assert memo.compile("n", "a + lambda").problems == compile_expression(
        "n", "a + lambda", NAMES).problems != []
