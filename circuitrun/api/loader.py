"""A spec's text → its DAG, through the stages: read → spec → graph.

A JSON spec is first read by Pydantic as it validates (one pass: no plain data in
between); when that finds anything wrong, it is read as any spec is.  Reading is first
done without positions (they cost time and memory on large files);
when validation or the graph finds a problem, the text is read once more, with
positions, and every finding is placed at its line and column.  A valid spec keeps
its model when it is small; a large one's is made again when asked for.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from circuitrun.graph.build import Built, build
from circuitrun.limits import MAX_NODES, check_nodes, check_size
from circuitrun.problems import Problem, SpecError
from circuitrun.read import Positions, parse, read_text
from circuitrun.spec.findings import Finding
from circuitrun.spec.models import Spec
from circuitrun.spec.scalarpos import ScalarText
from circuitrun.spec.validate import check, check_json, model

KEEP_SPEC = 1 << 16
"""Up to this many characters, a spec's Pydantic model is kept (``circuitrun check`` asks
for it); a larger one is made again from the text if it is wanted."""


class Loaded:
    """A valid spec: its DAG and name; its Pydantic model, kept or made when asked for."""

    __slots__ = ("_spec", "built", "from_data", "is_json", "name", "path", "text")

    def __init__(self, built: Built, path: str, text: str, is_json: bool, name: str | None,
                 spec: Spec | None = None, from_data: bool = False) -> None:
        self.built = built
        self.path = path
        self.text = text  # the source, for the model and for positions in late errors
        self.is_json = is_json
        self.name = name
        self._spec = spec
        # given as a mapping: ``text`` is its JSON, which the user never saw, so problems
        # are placed by keys (``keyed``), not by line and column
        self.from_data = from_data

    @property
    def spec(self) -> Spec:
        """The validated model (kept, or read and validated again from ``text``)."""
        if self._spec is None:
            with no_cyclic_gc():
                self._spec = model(parse(self.text, self.path, is_json=self.is_json).data)
        return self._spec


def load_file(path: str | Path) -> Loaded:
    """Read, validate and build the spec at ``path``; raises ``SpecError``."""
    return load_text(read_text(path), str(path), is_json=str(path).lower().endswith(".json"))


def load_text(text: str, path: str, *, is_json: bool = False) -> Loaded:
    """Validate and build a spec from its text; ``path`` names it in problems."""
    check_size(len(text), path)
    with no_cyclic_gc():
        checked = check_json(text) if is_json and _few_items(text) else None
        if checked is None:
            parsed = parse(text, path, is_json=is_json, duplicates=False)
            check_nodes(parsed.data, path, len(text))  # before the model and the DAG
            checked = None if parsed.problems else check(parsed.data)
            del parsed  # the model holds what is needed of the data
        elif checked.spec is not None:  # valid as read: counted on the model, before the DAG
            check_nodes({"inputs": checked.spec.inputs, "gates": checked.spec.gates},
                        path, len(text))
        if checked is not None:
            spec, findings, broken, keys = checked
            if spec is not None and not findings and _no_duplicates(keys, text, path, is_json):
                built, findings = build(spec, broken)
                if not findings:
                    kept = spec if len(text) <= KEEP_SPEC else None
                    return Loaded(built, path, text, is_json, spec.name, kept)
        raise SpecError(_problems(text, path, is_json))


def _few_items(text: str) -> bool:
    """Whether a JSON text holds at most about two list items per key, so that its
    model can be made before its nodes are counted: validating a text of list items
    (``[1,1,1,...]``, each an inline constant) would take gigabytes before the count
    refuses it."""
    return text.count(",") <= 2 * text.count(":") + 64


def load_data(data: Mapping[str, Any], path: str) -> Loaded:
    """Validate and build a spec given as plain data (a mapping, as parsed from YAML or
    JSON); raises ``SpecError``, its problems placed by ``keyed`` (no line or column)."""
    data = dict(data)
    check_nodes(data, path, 2 * MAX_NODES)  # no text bounds the count: always count
    with no_cyclic_gc():
        spec, findings, broken, _ = check(data)
        if spec is not None:
            built, more = build(spec, broken)
            findings = [*findings, *more]
        if spec is not None and not findings:
            # the text the circuit is pickled as; a valid spec's data is all JSON
            text = json.dumps(data, ensure_ascii=False, allow_nan=False)
            return Loaded(built, path, text, True, spec.name, spec, from_data=True)
    raise SpecError(Problem(keyed(path, f.path), None, None, f.code, f.message)
                    for f in findings)


def keyed(path: str, keys: tuple[Any, ...]) -> str:
    """Where a problem in a mapping is: its name, then the keys that lead to the problem
    as Python writes them (``<mapping>['gates']['f']['op']``)."""
    return path + "".join(f"[{k!r}]" for k in keys)


def _no_duplicates(keys: int, text: str, path: str, is_json: bool) -> bool:
    """Whether the document (of ``keys`` keys) held no duplicate key: JSON was read
    without looking."""
    if not is_json or text.count(":") == keys:
        return True  # every colon is a key's, and every key was kept
    # A colon in a string, or a key that json dropped: only an exact reading tells.
    return not parse(text, path, is_json=True).problems


def _problems(text: str, path: str, is_json: bool) -> list[Problem]:
    """Every problem of a spec known to have one, each at its line and column."""
    parsed = parse(text, path, is_json=is_json, track=True)
    problems = list(parsed.problems)
    if parsed.data is not None or not parsed.problems:
        assert parsed.positions is not None  # asked for
        spec, findings, broken, _ = check(parsed.data)
        if spec is not None:
            # An input or gate given twice (or a key of one) is reported there; what the
            # dropped entry would have fed is unknown: no knock-on "feeds nothing".
            twice = {p[1] for p in parsed.positions.duplicates
                     if len(p) > 1 and p[0] in ("gates", "inputs") and isinstance(p[1], str)}
            findings += build(spec, broken | twice)[1]
        problems += [_place(f, parsed.positions, path,
                            _value_at(parsed.data, f.path) if f.offset is not None else None)
                     for f in findings]
    return problems


def _place(f: Finding, positions: Positions, path: str, value: str | None) -> Problem:
    line, col = positions.key(f.path) if f.at_key else positions.value(f.path)
    scalar = positions.string(f.path) if f.offset is not None else None
    if scalar is not None and value is not None:  # inside an expression (SPEC 9.2)
        source, (line, col), style = scalar
        line, col = ScalarText(source, line, col, style, value).position(f.offset)
    return Problem(path, line, col, f.code, f.message)


def _value_at(data: Any, path: tuple[Any, ...]) -> str | None:
    """The string at ``path`` in ``data``, or None."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data if isinstance(data, str) else None


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Loading makes millions of objects and no garbage cycles: the cyclic collector
    would only rescan them again and again (half the load time on large files)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
