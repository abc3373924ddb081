"""A spec file → validated models, or every problem in it at ``file:line:col``.

The happy path reads without positions (they cost time and memory on large files) and
builds the DAG in one pass (``fastload.py``); the Pydantic model of a valid spec is made
when first asked for.  Only when something is wrong, or unusual enough that the one
pass declines it, is the file read again, validated by the models and built by
``graph.build``; then every finding (Pydantic's and the graph's) is placed by its path
of keys, with positions read in a third pass only if there is a problem.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from circuitrun.graph.fast import build_fast
from circuitrun.graph.build import Built, Finding, build
from circuitrun.limits import check_nodes, check_size
from circuitrun.ops.table import OPS
from circuitrun.problems import Problem, SpecError, did_you_mean
from circuitrun.read.text import Positions, parse, read_fast, read_text
from circuitrun.spec.models import Expect, Gate, Spec, attribute_problems

KEEP_DATA = 1 << 16
"""Up to this many characters, a spec's plain data is kept for its Pydantic model (which
``circuitrun check`` asks for); a larger one is read again if the model is wanted."""


class Loaded:
    """A valid spec: its DAG and name; its Pydantic model is made when first asked for."""

    __slots__ = ("_data", "_spec", "built", "is_json", "name", "path", "text")

    def __init__(self, built: Built, path: str, text: str, is_json: bool, name: str | None,
                 spec: Spec | None = None, data: Any = None) -> None:
        self.built = built
        self.path = path
        self.text = text  # the source, for the model and for positions in late errors
        self.is_json = is_json
        self.name = name
        self._spec = spec
        self._data = data  # the plain data of a small spec, kept for the model

    @property
    def spec(self) -> Spec:
        """The validated model (from the kept data, or read again from ``text``)."""
        if self._spec is None:
            data = self._data
            if data is None:
                data = parse(self.text, self.path, is_json=self.is_json, track=False).data
            with no_cyclic_gc():
                self._spec = Spec.model_validate(data)
            self._data = None
        return self._spec


def load_file(path: str | Path) -> Loaded:
    """Read, validate and build the spec at ``path``; raises ``SpecError``."""
    return load_text(read_text(path), str(path), is_json=str(path).lower().endswith(".json"))


def load_text(text: str, path: str, *, is_json: bool = False) -> Loaded:
    """Validate and build a spec from its text; ``path`` names it in problems."""
    check_size(len(text), path)
    with no_cyclic_gc():
        return _fast(text, path, is_json) or _load_text(text, path, is_json)


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


def _fast(text: str, path: str, is_json: bool) -> Loaded | None:
    """The happy path, or None to take the exact one."""
    data = read_fast(text, is_json=is_json)
    if data is None:
        return None
    check_nodes(data, path)  # before the DAG, where the memory would go
    fast = build_fast(data)
    if fast is None:
        return None
    if len(text) > KEEP_DATA:
        data = None  # its strings live on in the DAG's names; the rest can go
    if is_json and text.count(":") != fast.keys:
        # Some colon is not a key's: inside a string, or a duplicate key that the json
        # module silently dropped.  Only a reading that checks every mapping can tell.
        try:
            json.loads(text, object_pairs_hook=_unique_pairs)
        except ValueError:
            return None
    return Loaded(fast.built, path, text, is_json, fast.name, data=data)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise ValueError("duplicate key")
    return d


def _load_text(text: str, path: str, is_json: bool) -> Loaded:
    parsed = parse(text, path, is_json=is_json, track=False)
    check_nodes(parsed.data, path)
    if not parsed.problems:
        spec, findings, skip = _validate(parsed.data)
        if spec is not None and not findings:
            built, findings = build(spec)
            if not findings:
                return Loaded(built, path, text, is_json, spec.name, spec)
    # Something is wrong: read again, this time noting where everything is.
    parsed = parse(text, path, is_json=is_json, track=True)
    problems = list(parsed.problems)
    if parsed.data is not None or not parsed.problems:
        spec, findings, skip = _validate(parsed.data)
        if spec is not None:
            findings += build(spec, skip.broken, skip.wire_index)[1]
        assert parsed.positions is not None
        problems += [_place(f, parsed.positions, path) for f in findings]
    raise SpecError(problems)


def _place(f: Finding, positions: Positions, path: str) -> Problem:
    line, col = positions.key(f.path) if f.at_key else positions.value(f.path)
    return Problem(path, line, col, f.code, f.message)


# ---- Pydantic's errors as findings -----------------------------------------------


class _Skipped(NamedTuple):
    broken: frozenset[str] = frozenset()  # names whose gate or input failed validation
    wire_index: list[int] | None = None  # each kept wire's index in the file


def _validate(data: Any) -> tuple[Spec | None, list[Finding], _Skipped]:
    """The model of ``data`` (as much of it as is valid) and what is wrong with it.

    When Pydantic rejects part of the document, that part (a gate, an input, a wire,
    an expectation, a top-level key) is left out and the rest validated again, so that
    the graph checks still run: a file's problems are reported all at once.
    """
    if data is None:
        return None, [Finding((), False, "missing-key", "the file is empty: a circuit needs"
                              " 'inputs' and 'gates'")], _Skipped()
    if not isinstance(data, dict):
        return None, [Finding((), False, "bad-type",
                              f"a circuit is a mapping of inputs and gates, not {_describe(data)}")
                      ], _Skipped()
    try:
        spec = Spec.model_validate(data)
    except ValidationError as e:
        errors = e.errors(include_url=False)
        findings = [_finding(err, data) for err in errors]
        spec, skip = _lenient(data, errors)
    else:
        findings, skip = [], _Skipped()
    if spec is not None:
        for name, gate in spec.gates.items():
            for key, code, message in attribute_problems(gate):
                path = ("gates", name, key) if key else ("gates", name)
                findings.append(Finding(path, True, code, message))
    return spec, findings, skip


def _lenient(data: dict[str, Any], errors: list[Any]) -> tuple[Spec | None, _Skipped]:
    """``data`` without the parts that failed validation, validated (or None)."""
    drop_top: set[Any] = set()
    drop: dict[str, set[Any]] = {"gates": set(), "inputs": set(), "wires": set()}
    drop_expect: set[tuple[Any, ...]] = set()
    for err in errors:
        loc = err["loc"]
        if loc[0] in drop and len(loc) > 1:
            drop[loc[0]].add(loc[1])
        elif loc[0] == "expect" and len(loc) > 2 and loc[1] in ("values", "grads"):
            drop_expect.add(loc[1:3])
        else:
            drop_top.add(loc[0])
    clean = {k: v for k, v in data.items() if k not in drop_top and k in _TOP_KEYS}
    for key in ("gates", "inputs"):
        if isinstance(clean.get(key), dict):
            clean[key] = {n: v for n, v in clean[key].items() if n not in drop[key]}
    if isinstance(clean.get("wires"), list):
        clean["wires"] = [w for i, w in enumerate(clean["wires"]) if i not in drop["wires"]]
        broken_wires = sorted(drop["wires"])
    else:
        broken_wires = []
    if isinstance(clean.get("expect"), dict):
        clean["expect"] = dict(clean["expect"])
        for part in ("values", "grads"):
            if isinstance(clean["expect"].get(part), dict):
                clean["expect"][part] = {n: v for n, v in clean["expect"][part].items()
                                         if (part, n) not in drop_expect}
    if not isinstance(clean.get("gates"), dict) or not clean["gates"]:
        return None, _Skipped()
    clean.setdefault("inputs", {})
    try:
        spec = Spec.model_validate(clean)
    except ValidationError:
        return None, _Skipped()
    broken = frozenset(n for key in ("gates", "inputs") for n in drop[key] if isinstance(n, str))
    gone = set(broken_wires)
    n_wires = len(data["wires"]) if isinstance(data.get("wires"), list) else 0
    return spec, _Skipped(broken, [i for i in range(n_wires) if i not in gone])


_TOP_KEYS = {f.alias or name for name, f in Spec.model_fields.items()}


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    if len(loc) == 1:
        return Spec
    if loc[0] == "gates" and len(loc) == 3:
        return Gate
    if loc[0] == "expect" and len(loc) == 2:
        return Expect
    return None


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


_EXPECTED = {
    "float_type": "a number", "finite_number": "a finite number", "float_parsing": "a number",
    "string_type": "a string", "dict_type": "a mapping", "model_type": "a mapping",
    "model_attributes_type": "a mapping", "list_type": "a list",
    "ref_type": "a node name or a number", "int_type": "a whole number",
}


def _finding(err: Any, data: Any) -> Finding:
    loc: tuple[Any, ...] = tuple(err["loc"])
    kind: str = err["type"]
    value = err.get("input")
    if loc and loc[-1] == "[key]":
        path = loc[:-1]
        name = path[-1]
        if kind == "string_pattern_mismatch" and isinstance(name, str):
            return Finding(path, True, "bad-name", f"'{name}' is not a valid name: letters,"
                           " digits and _, not starting with a digit")
        return Finding(path, True, "bad-name", f"a name must be a string, not {_describe(name)}")
    last = loc[-1] if loc else None
    if kind == "missing":
        where = "the circuit" if len(loc) == 1 else f"'{loc[-2]}'"
        return Finding(loc[:-1], True, "missing-key", f"{where} has no '{last}'")
    if kind == "extra_forbidden":
        model = _model_at(loc)
        hint = did_you_mean(str(last), _keys_of(model)) if model else ""
        if model is Gate and str(last) in ("value", "ties"):
            hint = ""
        return Finding(loc, True, "unknown-key", f"unknown key '{last}'{hint}")
    if kind == "literal_error":
        if len(loc) == 3 and loc[0] == "gates" and last == "op":
            if isinstance(value, str):
                return Finding(loc, False, "unknown-op",
                               f"unknown op '{value}'{did_you_mean(value, OPS)}")
            return Finding(loc, False, "bad-type", f"op must be a name, not {_describe(value)}")
        if last == "ties":
            return Finding(loc, False, "bad-type",
                           f"ties must be 'first' or 'split', not {_describe(value)}")
        if last == "version":
            return Finding(loc, False, "bad-type",
                           f"unsupported version {_describe(value)}: this circuitrun reads 1")
    if kind == "too_short" and loc == ("gates",):
        return Finding(loc, True, "missing-key", "'gates' is empty: a circuit needs a gate")
    if kind == "greater_than_equal":
        return Finding(loc, False, "bad-type", f"{last} must be 0 or more, not {value!r}")
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return Finding(loc, False, "bad-type", f"expected a finite number, got {_describe(value)}")
    expected = _EXPECTED.get(kind, "a valid value")
    return Finding(loc, False, "bad-type", f"expected {expected}, got {_describe(value)}")


def _describe(v: Any) -> str:
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, str):
        shown = v if len(v) <= 40 else v[:37] + "..."
        return f"the string '{shown}'"
    if isinstance(v, float) and not math.isfinite(v):
        return {math.inf: ".inf", -math.inf: "-.inf"}.get(v, ".nan")
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    return type(v).__name__
