"""Positions inside a string's value (SPEC section 9.3), checked against the scalars
PyYAML itself reads: each value character maps to the source character it comes from."""

from __future__ import annotations

import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from circuitrun.spec.scalarpos import ScalarText


def scalar_of(document: str) -> tuple[ScalarText, str, str]:
    """The gate scalar of ``f: VALUE`` in ``document``, its value and its source."""
    top = yaml.compose(document)
    assert isinstance(top, yaml.MappingNode)
    node = top.value[0][1]
    source = document[node.start_mark.index:node.end_mark.index]
    where = ScalarText(source, node.start_mark.line + 1, node.start_mark.column + 1,
                       node.style, node.value)
    return where, node.value, source


def test_plain() -> None:
    where, _, _ = scalar_of("f: a + bb\n")
    assert where.position(0) == (1, 4) and where.position(4) == (1, 8)
    assert where.position(6) == (1, 10)  # just past the last character
    assert where.position(None) == (1, 4)


def test_the_opening_quote_counts_and_the_end_is_the_closing_quote() -> None:
    for doc in ("f: 'a + b'\n", 'f: "a + b"\n'):
        where, value, _ = scalar_of(doc)
        assert where.position(0) == (1, 5)
        assert where.position(len(value)) == (1, 10)
        assert where.position(None) == (1, 4)


def test_an_escape_is_one_character_at_its_first_column() -> None:
    where, value, _ = scalar_of("f: 'it''s x'\n")
    assert value == "it's x" and where.position(2) == (1, 7) and where.position(5) == (1, 11)
    where, value, _ = scalar_of('f: "\\tA\\u0041\\x41\\U0001F600 x"\n')
    assert value == "\tAAA\U0001f600 x"
    assert [where.position(k)[1] for k in range(len(value) + 1)] == [5, 7, 8, 14, 18, 28, 29,
                                                                     30]


def test_block_and_multi_line_scalars_are_at_their_start() -> None:
    for doc in ("f: |\n  a +\n  b\n", "f: >\n  a + b\n", "f: a +\n  b\n", "f: 'a +\n  b'\n"):
        where, _, _ = scalar_of(doc)
        assert {where.position(k) for k in range(4)} == {(1, 4)}


def test_json_strings_are_double_quoted_with_surrogate_pairs_as_one() -> None:
    source = '"\\ud83d\\ude00 + x"'
    value = json.loads(source)
    where = ScalarText(source, 3, 9, '"', value)
    assert value[0] == "\U0001f600" and where.position(1) == (3, 22)


def test_a_source_that_does_not_give_the_value_is_its_start() -> None:
    assert ScalarText("a + b", 2, 5, None, "a + c").position(3) == (2, 5)
    assert ScalarText("'a + b'", 2, 5, "'", "a + bb").position(3) == (2, 5)


# Characters PyYAML writes as themselves or escapes in every way (\t, \a, \xE9, \uFEFF,
# \U0001F600, \L, '', \\, \")
_CHARS = st.sampled_from([*"ab+( )'\"\\\t#:-", "\u00e9", "\U0001f600", "\x07", "\ufeff",
                          "\u2028"])


@given(st.text(_CHARS, min_size=1, max_size=30), st.sampled_from(["'", '"', None]),
       st.booleans())
def test_every_character_maps_to_where_pyyaml_read_it(value: str, style: str | None,
                                                        unicode: bool) -> None:
    document = yaml.dump({"f": value}, default_style=style, width=10_000,
                         allow_unicode=unicode)
    where, read, source = scalar_of(document)
    assert read == value
    if any(brk in source for brk in "\n\x85\u2028\u2029"):
        # on several lines (for PyYAML, which also breaks lines at NEL, LS and PS, and
        # folds them in the value): every offset is the scalar's start
        assert {where.position(k) for k in range(len(value))} == {where.position(None)}
        return
    start = where.position(None)[1]
    for k, char in enumerate(value):
        line, col = where.position(k)
        written = source[col - start]
        # the character itself, or the start of its escape ('' or a backslash)
        assert line == 1 and written in (char, "'" if char == "'" else "\\"), (k, source)
    assert source[where.position(len(value))[1] - start:] in ("'", '"', "")
