"""The expression gates of one spec: ``Expressions(names).compile(gate, text)`` gives
what ``compile_expression(gate, text, names)`` gives, compiling each form once.

A generated spec repeats a few forms with other names (``g7: a3*b1 + c``,
``g8: a5*b2 + d``...), and Python's parser costs more than the mapping gates a small
expression makes.  So each reference in the text is renamed ``_0``, ``_1`` ... (its
shape kept), the renamed text (the form) is compiled once with ``compile_expression``,
and each gate of that form gets the form's nodes with the names put back.

Why the names can be put back: a renamed text is the same tokens as the text but for
the words renamed, each a whole word (not after a letter, digit, dot or quote) in
place of a whole word, so Python parses both to the same tree but for those names;
the compiler then does the same, as it looks at a name only through its shape.  Words
Python reads as keywords are never renamed, nor function names before ``(`` and
keyword names before ``=``.  Whatever the form's compilation finds a problem in (an
unknown name, a renamed function name, a word in a string), and whatever text is
unusual (not ASCII, a backslash, too long), is compiled as it is, by
``compile_expression``, so every problem is the one it reports.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, NamedTuple, cast

from circuitrun.spec.expr import DOT, FUNCTIONS, Compiled, ExprNode, compile_expression
from circuitrun.spec.exprparse import MAX_LENGTH
from circuitrun.spec.refs import Shape, Suggest

_WORD = re.compile(r"(?<![0-9A-Za-z_.'\"])([A-Za-z_][A-Za-z0-9_]*)")
_KEYWORDS = frozenset(keyword.kwlist)
_CALLABLE = frozenset([*FUNCTIONS, DOT])
_SPACED = frozenset(["+", "-", "*", "/", "**"])  # operators with no word in them
_GATE = "\x00"  # the gate's name in a form: no name or text has it (NUL is refused)
_MANY = 256
_PLACEHOLDERS = [f"_{k}" for k in range(_MANY)]
_MAX_FORMS = 4096
_UNSEEN: Any = object()  # past this many forms the memo starts again (a bound on its memory)
# An ExprNode from a tuple of its fields, in C (the NamedTuple's __new__ is Python's).
_node: Callable[[tuple[str, str, tuple[str, ...], float | None, str | None]], ExprNode] = (
    partial(tuple.__new__, ExprNode))


class _Form(NamedTuple):
    """The nodes of one form, to be named for a gate and its references.

    A gate's nodes take their names and inputs from one list, the pool: the references
    (``w``), then the elements and rows named (``w[0]``: reference ``k`` and a suffix),
    then the nodes' own names (``GATE.1`` ... ``GATE``: the gate and a suffix).
    """

    elements: tuple[tuple[int, str], ...]
    names: tuple[str, ...]  # each node's name after the gate's: ".1", ..., ""
    nodes: tuple[tuple[str, tuple[int, ...], float | None, str | None], ...]  # op, inputs
    # The form is one node whose inputs are the references in order (``a * b``, a sum):
    # its op, value and ties, the gate's node made without the pool.
    single: tuple[str, float | None, str | None] | None


class Expressions:
    """Compiles the expression gates of one spec against its ``names`` (see
    ``compile_expression``), each form once."""

    def __init__(self, names: Mapping[str, Shape], suggest: Suggest | None = None) -> None:
        self.names = names
        self.suggest = suggest
        self._forms: dict[tuple[str, tuple[Shape, ...]], _Form | None] = {}

    def compile(self, gate: str, text: str) -> Compiled:
        """The nodes gate ``gate`` of expression ``text`` makes, or its problems."""
        refs: list[str] = []
        key = self._key(text, refs)
        form = None
        if key is not None:
            form = self._forms.get(key, _UNSEEN)
            if form is _UNSEEN:
                if len(self._forms) >= _MAX_FORMS:
                    self._forms.clear()
                form = self._forms[key] = _form(key)
        if form is None:
            return compile_expression(gate, text, self.names, self.suggest)
        if form.single is not None:
            op, value, ties = form.single
            return Compiled([_node((gate, op, tuple(refs), value, ties))], [])
        own = [gate + suffix for suffix in form.names]
        pool = refs + own
        if form.elements:
            pool[len(refs):len(refs)] = [refs[k] + suffix for k, suffix in form.elements]
        return Compiled([_node((own[i], op, tuple([pool[j] for j in ins]), value, ties))
                         for i, (op, ins, value, ties) in enumerate(form.nodes)], [])

    def constant(self, gate: str, value: float) -> ExprNode:
        """The node of a gate written as a number."""
        return ExprNode(gate, "const", (), value)

    def _key(self, text: str, refs: list[str]) -> tuple[str, tuple[Shape, ...]] | None:
        """The form of ``text`` and its references' shapes (``refs`` gets the names), or
        None where the text is to be compiled as it is."""
        if len(text) > MAX_LENGTH or "\\" in text or not text.isascii():
            return None
        # Names and operators between single spaces (`a * b`, `a + b + c`): the words
        # are every other piece of a split at spaces, found in C without a regex.
        parts = text.split(" ")
        words = parts[0::2]
        if (len(words) <= _MANY and _SPACED.issuperset(parts[1::2])
                and _KEYWORDS.isdisjoint(words)):
            given = list(map(self.names.get, words))
            if None not in given:
                refs += words
                parts[0::2] = _PLACEHOLDERS[:len(words)]
                return " ".join(parts), tuple(cast("list[Shape]", given))
        parts = _WORD.split(text)
        words = parts[1::2]
        if not _KEYWORDS.isdisjoint(words):
            return None
        given = list(map(self.names.get, words))
        if None not in given and len(words) <= _MANY:  # only references (the usual case)
            refs += words
            parts[1::2] = _PLACEHOLDERS[:len(words)]
            return "".join(parts), tuple(cast("list[Shape]", given))
        shapes: list[Shape] = []
        for i in range(1, len(parts), 2):
            word = parts[i]
            after = parts[i + 1]
            if after[:1] == " ":
                after = after.lstrip(" ")
            if after[:1] == "(":
                if word not in _CALLABLE:
                    return None
                continue
            if after[:1] == "=" and after[:2] != "==":
                continue
            shape = self.names.get(word)
            if shape is None:
                return None
            parts[i] = _PLACEHOLDERS[len(refs)] if len(refs) < _MANY else f"_{len(refs)}"
            refs.append(word)
            shapes.append(shape)
        return "".join(parts), tuple(shapes)


def _form(key: tuple[str, tuple[Shape, ...]]) -> _Form | None:
    """The nodes of a form, or None when it has a problem."""
    text, shapes = key
    compiled = compile_expression(_GATE, text, {f"_{k}": s for k, s in enumerate(shapes)})
    if compiled.problems:
        return None
    elements: dict[str, int] = {}  # "_k[i]" → its place among the elements
    for n in compiled.nodes:
        for ref in n.inputs:
            if "[" in ref and ref not in elements:
                elements[ref] = len(elements)
    own = {n.name: i for i, n in enumerate(compiled.nodes)}
    base = len(shapes) + len(elements)

    def place(ref: str) -> int:
        if ref in own:
            return base + own[ref]
        if ref in elements:
            return len(shapes) + elements[ref]
        return int(ref[1:])  # "_k"

    nodes = tuple((n.op, tuple(map(place, n.inputs)), n.value, n.ties)
                  for n in compiled.nodes)
    single = None
    if len(nodes) == 1 and not elements and nodes[0][1] == tuple(range(len(shapes))):
        op, _, value, ties = nodes[0]
        single = (op, value, ties)
    return _Form(
        elements=tuple((int(e[1:e.index("[")]), e[e.index("["):]) for e in elements),
        names=tuple(n.name[1:] for n in compiled.nodes),
        nodes=nodes, single=single)
