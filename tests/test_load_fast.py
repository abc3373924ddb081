"""The fast loading paths against the exact ones.

- ``yamlfast.read`` either declines a document or gives exactly the PyYAML walker's
  data, and it declines every document in which the walker finds a problem;
- ``fastload.build_fast`` either declines or builds exactly what the Pydantic models and
  ``graph.build`` build, and it declines every invalid spec;
- so the problems of a spec (codes and positions) are the exact path's, and valid specs
  give the same DAG either way.

Checked on every example, every conformance case, every error case of test_errors,
random specs using every feature, and those specs corrupted at random.
"""

from __future__ import annotations

import importlib
import random
import struct
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from _random_specs import random_spec
from test_errors import CASES

from circuitrun import SpecError, loads
from circuitrun.read import fast as yamlfast
from circuitrun.graph.fast import build_fast
from circuitrun.graph.build import Built, build
from circuitrun.read.text import check_characters, parse, read_fast
from circuitrun.spec.models import Spec

load_module = importlib.import_module("circuitrun.api.loader")  # `circuitrun.load` is a function
ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT.parent / "shared" / "conformance"
SPEC_FILES = sorted(
    p for d in (ROOT / "circuits", CONFORMANCE / "valid", CONFORMANCE / "invalid")
    if d.is_dir() for p in d.iterdir()
    if p.suffix in (".yaml", ".yml", ".json") and not p.name.endswith(".expected.json"))
sys.path.insert(0, str(ROOT / "bench"))
from gen import generate, to_json, to_yaml  # noqa: E402


def same(a: Any, b: Any) -> bool:
    """Equal data with equal types at every level, floats compared by their bits."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if list(x) != list(y):
                return False
            stack += [(x[k], y[k]) for k in x]
        elif isinstance(x, list):
            if len(x) != len(y):
                return False
            stack += list(zip(x, y, strict=True))
        elif isinstance(x, float):
            if struct.pack("<d", x) != struct.pack("<d", y):
                return False
        elif x != y:
            return False
    return True


def same_built(a: Built, b: Built) -> bool:
    return (a.names == b.names and a.ops == b.ops and a.ins == b.ins
            and same(a.values, b.values) and a.ties == b.ties
            and list(a.order) == list(b.order) and a.output == b.output and a.index == b.index)


def exact(text: str, is_json: bool) -> Built | None:
    """The exact path's DAG, or None when it finds a problem."""
    try:
        return load_module._load_text(text, "spec", is_json).built
    except SpecError:
        return None


def check(text: str, is_json: bool) -> str:
    """Assert that the fast paths agree with the exact ones; say which path served."""
    try:
        check_characters(text, "spec")
    except SpecError:  # rejected before any parser sees it
        assert yamlfast.read(text) is yamlfast.DECLINE
        return "exact"
    if not is_json:
        walked = parse(text, "spec", is_json=False, track=False)
        fast_data = yamlfast.read(text)
        if fast_data is not yamlfast.DECLINE:
            assert not walked.problems, "yamlfast accepted what PyYAML rejects"
            assert same(fast_data, walked.data), "yamlfast read differently"
    data = read_fast(text, is_json=is_json)
    fast = build_fast(data) if data is not None else None
    reference = exact(text, is_json)
    loaded = load_module._fast(text, "spec", is_json)
    if loaded is not None:
        assert reference is not None, "the fast path accepted an invalid spec"
        assert same_built(loaded.built, reference)
        return "fast"
    if fast is not None and reference is not None:
        assert same_built(fast.built, reference)
    return "exact"


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_spec_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    check(text, path.suffix == ".json")


@pytest.mark.parametrize("case", [c.values for c in CASES], ids=[c.id for c in CASES])
def test_error_cases(case: tuple[Any, ...]) -> None:
    text, name, _ = case
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return
    assert check(textwrap.dedent(text), name.endswith(".json")) == "exact"


@pytest.mark.parametrize("seed", range(30))
def test_random_specs_take_the_fast_path(seed: int) -> None:
    for is_json in (False, True):
        text = random_spec(seed, 40, as_json=is_json, nulls=seed % 2 == 0)
        assert check(text, is_json) == "fast"
    assert yamlfast.read(random_spec(seed, 40)) is not yamlfast.DECLINE


def test_generated_benchmark_specs_take_the_regex_path() -> None:
    c = generate(500, seed=3)
    assert yamlfast.read(to_yaml(c)) is not yamlfast.DECLINE
    assert check(to_yaml(c), False) == "fast"
    assert check(to_json(c), True) == "fast"


def test_spec_model_is_made_on_demand() -> None:
    text = random_spec(7, 20)
    loaded = load_module.load_text(text, "spec")
    assert loaded._spec is None
    assert loaded.spec == Spec.model_validate(parse(text, "s", is_json=False, track=False).data)
    assert same_built(build(loaded.spec)[0], loaded.built)


MUTATIONS = [*":#{}[],'\"-&*!|>?%@` \t\n\r.0e+", "  ", "\n  ", ": ", "- ", "null", "true",
             "in_", "op", "1e999", "\ufeff"]


@pytest.mark.parametrize("seed", range(40))
def test_corrupted_specs(seed: int) -> None:
    # Small random edits of valid specs: whatever the fast paths accept must be exactly
    # what the exact path accepts, and give the same DAG.
    rng = random.Random(seed)
    for is_json in (False, True):
        base = random_spec(seed, 12, as_json=is_json, nulls=seed % 3 == 0)
        for _ in range(40):
            text = base
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(text) + 1)
                cut = rng.choice([0, 0, 1, 2])
                text = text[:at] + rng.choice(MUTATIONS) + text[at + cut:]
            check(text, is_json)


def test_json_duplicate_keys_are_found_though_the_fast_reader_drops_them() -> None:
    # json.loads keeps the last of two equal keys; the count of colons gives it away.
    text = '{"inputs": {"x": 1},\n "gates": {"f": {"op": "neg", "in": "x", "in": "x"}}}'
    assert load_module._fast(text, "s.json", True) is None
    with pytest.raises(SpecError) as info:
        load_module.load_text(text, "s.json", is_json=True)
    assert [(p.line, p.col, p.code) for p in info.value.problems] == [(2, 42, "duplicate-key")]


def test_json_colons_in_strings_are_checked_again_and_accepted() -> None:
    text = ('{"name": "a: b", "inputs" : {"x": 1},\n'
            ' "gates": {"f": {"op": "neg", "in": "x"}}}')
    loaded = load_module._fast(text, "s.json", True)
    assert loaded is not None and loaded.name == "a: b"


@pytest.mark.parametrize(("text", "accepted"), [
    ("inputs: {x: 1}\r\ngates:\r\n  f: {op: neg, in: x}\r\n", True),  # CRLF
    ("inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}  # a comment\n", True),
    ("name: 'quoted: text'\ninputs:\n  x: -1.5e-3\ngates:\n  f: {op: neg, in: [x]}\n", True),
    ("inputs:\n  x:\ngates:\n  f: {op: neg, in: x}\nwires:\n  - x -> f\n", True),
    ("inputs:\n\tx: 1\ngates:\n  f: {op: neg, in: x}\n", False),  # a tab
    ("inputs: {x: &a 1}\ngates:\n  f: {op: neg, in: *a}\n", False),  # anchors
    ("inputs: {x: 1}\ngates:\n  f:\n    op: neg\n    in: x\n", False),  # block mapping
    ("---\ninputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n", False),  # a document marker
    ("inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n  f: {op: neg, in: x}\n", False),
    ("inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n   g: {op: neg, in: f}\n", False),
    ("inputs: {x: 1}\ngates:\n  f: {op: neg, in: \"x\\n\"}\n", False),  # an escape
])
def test_yamlfast_subset(text: str, accepted: bool) -> None:
    assert (yamlfast.read(text) is not yamlfast.DECLINE) is accepted
    check(text, False)


def _problems(text: str, is_json: bool) -> list[tuple[object, ...]]:
    try:
        check_characters(text, "spec")  # as read_text and loads do first
        load_module.load_text(text, "spec", is_json=is_json)
    except SpecError as e:
        return [(p.line, p.col, p.code, p.message) for p in e.problems]
    return []


INVALID = [p for p in SPEC_FILES if p.parent.name == "invalid"]


@pytest.mark.parametrize("case", [c.values for c in CASES] + [
    (p.read_bytes(), p.name, None) for p in INVALID], ids=[c.id for c in CASES] + [
    f"conformance/{p.name}" for p in INVALID])
def test_problems_are_the_same_with_the_fast_paths_off(
        case: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    text, name, _ = case
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return
    text = textwrap.dedent(text)
    is_json = name.endswith(".json")
    with_fast = _problems(text, is_json)
    monkeypatch.setattr(load_module, "_fast", lambda *args: None)
    assert _problems(text, is_json) == with_fast


def test_lone_surrogate_in_json_is_refused_on_the_happy_path_too() -> None:
    # json.loads reads "\ud800" into a string that no UTF-8 stream can write back: the
    # fast path must hand it to the exact path, which reports it (1:12, the escape).
    text = '{"name": "a\\ud800b", "inputs": {"x": 1}, "gates": {"f": {"op": "neg", "in": "x"}}}'
    with pytest.raises(SpecError) as err:
        loads(text, json=True)
    assert [(p.line, p.col, p.code) for p in err.value.problems] == [(1, 12, "yaml-syntax")]
