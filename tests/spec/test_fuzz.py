"""Loader fuzzing: mutated valid specs end in a result or in placed problems, nothing else.

Seeds are valid specs (the examples in circuits/, a few written here to reach YAML's
corners: anchors, block scalars, comments, CRLF, a byte-order mark, expect blocks, and
random circuits from ``strategies``), as YAML and as JSON.  Each case applies one to
three mutations: delete, duplicate or swap lines, change indentation, replace a token,
insert random or chosen bytes, flip a byte, delete a span, splice in part of another
seed, truncate.  Every case must end in one of:

- a result (``load`` then ``run``), or a ``NonFiniteError`` (exit 3);
- a ``SpecError`` whose problems all have a known code, a one-line message, and a
  ``file:line:col`` inside the file: line <= lines + 1, col <= that line's length + 1
  (lines split at LF, CRLF and CR; lengths in characters);

never another exception, a traceback on the command line, or a hang (each case runs
under a timer).  The quick suite runs a few thousand cases in seconds; ``pytest -m fuzz``
runs a few hundred thousand (README: Development).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import circuitrun
from circuitrun.cli import app

from support.fuzz import fuzz_scale
from support.paths import ROOT
from support.strategies import circuits, spec_to_json, spec_to_yaml

CASE_SECONDS = 5.0  # one case taking longer than this is a hang

# SPEC section 6, and the README's codes beyond it.
CODES = {
    "yaml-syntax", "duplicate-key", "unknown-key", "missing-key", "bad-type", "bad-name",
    "duplicate-name", "unknown-op", "arity", "undefined-ref", "mixed-inputs", "bad-wire",
    "cycle", "ambiguous-output", "unknown-node", "missing-value", "non-finite", "too-large",
    "bad-expression", "bad-shape", "bad-index",  # SPEC section 9.2's new stable codes
}
LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+) \[(?P<code>[a-z-]+)\]$")

# ---- seeds --------------------------------------------------------------------------

HAND_SEEDS: dict[str, str] = {
    "anchors.yaml": """\
# anchors and aliases: a shared gate body and a shared list
name: anchors
inputs:
  x: &two 2
  y: *two
  z: ~
gates:
  a: &sq {op: square, in: x}
  b: {op: mul, in: &pair [x, y]}
  c: {op: add, in: *pair}
  d: {op: max, in: [a, b, c, 1.5e+0], ties: split}
output: d
""",
    "block.yaml": """\
%YAML 1.2
---
name: 'block style'
description: |
  A literal block: "quotes", colons: and # not a comment.
  Second line.
inputs:
  w: -0.5
  v: 0x10
gates:
  p:
    op: pow
    in:
      - v
      - 0.5
  q:
    op: sin
    in: p
  r:
    op: const
    value: .5
  s:
    op: div
    in: [q, r]
output: s
expect:
  rtol: 1.0e-9
  values: {p: 4.0}
  grads: {w: 0.0}
...
""",
    "wires.yaml": """\
version: 1
inputs: {a: 3, b: -1.5, c: 0.25}
gates:
  sq: {op: mul}     # fed by wires
  d: {op: sub}
  f: {op: div}
wires: ["a -> sq", "a -> sq", "b -> d", "sq -> d", "d -> f", "c -> f"]
""",
    "crlf.yaml": "inputs:\r\n  x: 1\r\ngates:\r\n  f: {op: exp, in: x}\r\n"
                 "  g: {op: log, in: f}\r\n",
    "bom.yaml": "\ufeffname: bom\ninputs: {x: 0.25}\ngates:\n  f: {op: tanh, in: [x]}\n",
    "unicode.yaml": "name: \"é ü 😀 \\u00e9\"\ndescription: 'It''s ünïcödé'\ninputs: {x: 1}\n"
                    "gates:\n  f: {op: relu, in: x}\n",
    "nested.json": json.dumps({
        "name": "nested", "inputs": {"x": 0.5, "y": None},
        "gates": {"a": {"op": "sigmoid", "in": ["x"]}, "b": {"op": "abs", "in": "a"},
                  "c": {"op": "min", "in": ["a", "b", -1], "ties": "first"}},
        "output": "c", "expect": {"values": {"a": 0.6224593312018546}}}, indent=2) + "\n",
    "flat.json": '{"inputs":{"x":1e-3},"gates":{"f":{"op":"sqrt","in":"x"}},"wires":[]}',
}


def example_seeds() -> dict[str, str]:
    """The specs in circuits/, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "circuits").glob("*.*"))
            if p.suffix in (".yaml", ".yml", ".json")}


_DRAWN: list[dict[str, Any]] = []


@settings(max_examples=40)
@given(circuits(max_gates=12, allow_ties=True))
def _collect(spec: dict[str, Any]) -> None:
    _DRAWN.append(spec)


def drawn_seeds() -> dict[str, str]:
    """Random circuits from the strategy (the same ones every run), as YAML and as JSON."""
    if not _DRAWN:
        _collect()
    seeds = {}
    for i, spec in enumerate(_DRAWN):
        seeds[f"drawn{i}.yaml"] = spec_to_yaml(spec)
        seeds[f"drawn{i}.json"] = spec_to_json(spec)
    return seeds


def all_seeds() -> list[tuple[str, bytes]]:
    seeds = {**example_seeds(), **HAND_SEEDS, **drawn_seeds()}
    return [(name, text.encode("utf-8")) for name, text in seeds.items()]


# ---- mutations ------------------------------------------------------------------------

TOKENS = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "#", "'", '"', "&a", "*a", "*b", "&", "*",
    "!!python/object/apply:os.system", "!!str", "!!float", "!!int", "!!map", "!foo", "!",
    "? ", "|", ">", "---", "...", "%YAML 1.2", "%TAG ! tag:x,2000:", "~", "null", "true",
    "yes", "no", "on", "1e309", "-1e309", ".nan", ".inf", "0x1F", "0o17", "1_000", "1e-3",
    "-0", "0", "2", "-3.5", "99999999999999999999999", "5e-324", '"2"', "in", "op", "value",
    "ties", "first", "split", "inputs", "gates", "wires", "output", "expect", "values",
    "grads", "name", "version", "description", "rtol", "atol", "add", "mul", "max", "const",
    "sigmoid", "div", "pow", "neg", "x -> f", "f -> x", "->", "\t", " ", "  ", "\\", "\\u",
    "x", "f", "g", "_", "a.b", "1a", "é", "😀", "\u2028", "\x85", "\r", "\n", "\ufeff", "",
]
TOKEN = re.compile(rb"[A-Za-z_][A-Za-z0-9_.]*|-?[0-9][0-9.eE+-]*|\s+|[^\sA-Za-z0-9_]")
SPECIAL_BYTES = [b"\x00", b"\xff", b"\xc3", b"\xe9", b"\r", b"\t", b"\x1b", b"\x7f",
                 b"\xef\xbb\xbf", b"\xe2\x80\xa8", b"\xc2\x85", b"\xed\xa0\x80",
                 b"\xf4\x90\x80\x80"]

Mutation = Callable[[random.Random, bytes, list[bytes]], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def delete_line(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    del lines[r.randrange(len(lines))]
    return b"".join(lines)


def duplicate_line(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    i = r.randrange(len(lines))
    lines.insert(r.randrange(len(lines) + 1), lines[i])
    return b"".join(lines)


def swap_lines(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    i, j = r.randrange(len(lines)), r.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def reindent(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = _lines(data)
    i = r.randrange(len(lines))
    body = lines[i].lstrip(b" ")
    indent = len(lines[i]) - len(body)
    how = r.randrange(4)
    if how == 0:
        lines[i] = b" " * max(0, indent + r.choice([-4, -2, -1, 1, 2, 4])) + body
    elif how == 1:
        lines[i] = b"\t" + body
    elif how == 2:
        lines[i] = b" " * r.randrange(0, 12) + body
    else:  # indent every line from i on
        lines[i:] = [b"  " + line for line in lines[i:]]
    return b"".join(lines)


def replace_token(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    tokens = TOKEN.findall(data) or [b""]
    i = r.randrange(len(tokens))
    if r.random() < 0.3:
        tokens[i] = r.choice(tokens)  # a token of the same file: names, ops, numbers
    else:
        tokens[i] = r.choice(TOKENS).encode("utf-8")
    return b"".join(tokens)


def insert_bytes(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    at = r.randrange(len(data) + 1)
    if r.random() < 0.5:
        chunk = r.choice(SPECIAL_BYTES)
    else:
        chunk = bytes(r.randrange(256) for _ in range(r.randrange(1, 9)))
    return data[:at] + chunk + data[at:]


def flip_byte(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    if not data:
        return data
    at = r.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << r.randrange(8))]) + data[at + 1 :]


def delete_span(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    a = r.randrange(len(data) + 1)
    b = min(len(data), a + r.randrange(1, 40))
    return data[:a] + data[b:]


def splice(r: random.Random, data: bytes, others: list[bytes]) -> bytes:
    other = r.choice(others)
    a = r.randrange(len(other) + 1)
    b = min(len(other), a + r.randrange(1, 80))
    at = r.randrange(len(data) + 1)
    return data[:at] + other[a:b] + data[at:]


def truncate(r: random.Random, data: bytes, _: list[bytes]) -> bytes:
    return data[: r.randrange(len(data) + 1)]


MUTATIONS: list[Mutation] = [delete_line, duplicate_line, swap_lines, reindent, replace_token,
                             replace_token, insert_bytes, flip_byte, delete_span, splice, truncate]


def mutate(r: random.Random, data: bytes, others: list[bytes]) -> tuple[bytes, list[str]]:
    applied = []
    for _ in range(r.choice([1, 1, 1, 2, 2, 3])):
        m = r.choice(MUTATIONS)
        data = m(r, data, others)
        applied.append(m.__name__)
    return data, applied


# ---- the judge ------------------------------------------------------------------------


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in this thread when the block runs longer than ``seconds``."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def file_lines(data: bytes) -> list[str]:
    """The file's lines as an editor shows them: split at LF, CRLF and CR, BOM dropped."""
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    return re.split(r"\r\n|\r|\n", text)


def check_problem(p: circuitrun.Problem, path: str, lines: list[str]) -> None:
    assert p.code in CODES, f"unknown code {p.code!r}: {p}"
    assert p.path == path, p
    assert p.message and "\n" not in p.message and "\r" not in p.message, repr(p.message)
    assert p.line is not None and p.col is not None, f"no position: {p}"
    assert 1 <= p.line <= len(lines) + 1, f"line {p.line} of a {len(lines)}-line file: {p}"
    length = len(lines[p.line - 1]) if p.line <= len(lines) else 0
    assert 1 <= p.col <= length + 1, f"col {p.col} of a {length}-character line: {p}"
    assert LINE.match(str(p)), str(p)


def judge(path: Path, data: bytes) -> str:
    """Load and run the spec at ``path`` (holding ``data``); the outcome, or an assertion."""
    lines = file_lines(data)
    with time_limit(CASE_SECONDS):
        try:
            circuit = circuitrun.load(path)
            circuit.run()
        except circuitrun.SpecError as e:
            assert e.problems, "a SpecError without problems"
            for p in e.problems:
                check_problem(p, str(path), lines)
            return "problems"
        except circuitrun.NonFiniteError as e:
            assert e.problem.code == "non-finite"
            return "non-finite"
    return "result"


class Failure(AssertionError):
    pass


def run_cases(n: int, seed: int, folder: Path) -> dict[str, int]:
    """``n`` mutated cases from every seed in turn; raises with a reproducible report."""
    seeds = all_seeds()
    others = [d for _, d in seeds]
    rng = random.Random(seed)
    outcomes: dict[str, int] = {}
    for i in range(n):
        name, data = seeds[i % len(seeds)]
        mutated, applied = mutate(rng, data, others)
        path = folder / f"case{Path(name).suffix}"
        path.write_bytes(mutated)
        try:
            outcome = judge(path, mutated)
        except Exception as e:  # report the case whatever went wrong
            keep = folder / f"failing-{i}{Path(name).suffix}"
            keep.write_bytes(mutated)
            raise Failure(f"case {i} (seed {seed}, from {name}, {'+'.join(applied)}), kept as"
                          f" {keep}:\n{mutated!r}\n{type(e).__name__}: {e}") from e
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


# ---- the tests ------------------------------------------------------------------------


def test_seeds_are_valid(tmp_path: Path) -> None:
    for name, data in all_seeds():
        path = tmp_path / name
        path.write_bytes(data)
        circuit = circuitrun.load(path)
        if all(v is not None for v in circuit.inputs.values()):
            circuit.run()


def test_mutated_specs_end_in_a_result_or_placed_problems(tmp_path: Path) -> None:
    n = fuzz_scale(4_000, 20_000)  # the long mode's bulk is the fresh seed below
    start = time.perf_counter()
    outcomes = run_cases(n, seed=20_251_126, folder=tmp_path)
    took = time.perf_counter() - start
    assert sum(outcomes.values()) == n
    # the mutations must reach the error paths and leave some specs valid
    assert outcomes.get("problems", 0) > n // 2, outcomes
    assert outcomes.get("result", 0) > n // 50, outcomes
    print(f"{n} cases in {took:.1f} s: {outcomes}")


@pytest.mark.fuzz
def test_mutated_specs_with_a_fresh_seed(tmp_path: Path) -> None:
    # The long mode explores new cases each run; the seed is printed to reproduce one.
    seed = int(time.time())
    print(f"fuzz seed {seed}")
    run_cases(300_000, seed=seed, folder=tmp_path)


# Mutations as data, so that hypothesis shrinks a failing case to a small one.
_mutation_plan = st.lists(st.tuples(st.sampled_from(MUTATIONS), st.randoms(use_true_random=False)),
                          min_size=1, max_size=3)
_FOLDER = Path(tempfile.mkdtemp(prefix="circuitrun-fuzz-"))


@settings(max_examples=fuzz_scale(400, 20_000))
@given(circuits(max_gates=10, allow_ties=True), st.booleans(), _mutation_plan)
def test_mutated_drawn_circuits(spec: dict[str, Any], as_json: bool,
                                plan: list[tuple[Mutation, random.Random]]) -> None:
    data = (spec_to_json(spec) if as_json else spec_to_yaml(spec)).encode("utf-8")
    others = [spec_to_yaml(spec).encode("utf-8"), spec_to_json(spec).encode("utf-8")]
    for mutation, r in plan:
        data = mutation(r, data, others)
    path = _FOLDER / ("case.json" if as_json else "case.yaml")
    path.write_bytes(data)
    judge(path, data)


# ---- through the command line ---------------------------------------------------------

runner = CliRunner()


@pytest.mark.slow
def test_command_line_never_shows_a_traceback(tmp_path: Path) -> None:
    # In process (typer's runner): exit 0, 2 or 3; stderr only `file:line:col` lines.
    seeds = all_seeds()
    others = [d for _, d in seeds]
    rng = random.Random(6)
    codes: dict[int, int] = {}
    for i in range(fuzz_scale(200, 10_000)):
        name, data = seeds[i % len(seeds)]
        mutated, _ = mutate(rng, data, others)
        path = tmp_path / f"case{i}{Path(name).suffix}"
        path.write_bytes(mutated)
        for args in (["validate", str(path)], ["run", str(path), "--format", "json"]):
            with time_limit(CASE_SECONDS):
                out = runner.invoke(app, args)
            assert out.exception is None or isinstance(out.exception, SystemExit), (
                f"{args} on {mutated!r}: {out.exception!r}")
            assert out.exit_code in (0, 2, 3), (args, mutated, out.exit_code, out.stderr)
            assert "Traceback" not in out.stderr
            codes[out.exit_code] = codes.get(out.exit_code, 0) + 1
            if out.exit_code == 2:
                assert out.stdout == ""
                lines = out.stderr.splitlines()
                assert lines and all(LINE.match(line) for line in lines), out.stderr
            elif out.exit_code == 0 and args[0] == "run":
                json.loads(out.stdout)
    assert codes.get(2, 0) > 0 and codes.get(0, 0) > 0, codes


def test_real_processes_print_placed_problems(tmp_path: Path) -> None:
    # The installed command in a real process: one `validate` over hundreds of mutated
    # files prints one `file:line:col: error: ... [code]` line per problem, exit 2.
    seeds = all_seeds()
    others = [d for _, d in seeds]
    rng = random.Random(2025)
    paths = []
    for i in range(fuzz_scale(400, 5_000)):
        name, data = seeds[i % len(seeds)]
        mutated, _ = mutate(rng, data, others)
        path = tmp_path / f"case{i}{Path(name).suffix}"
        path.write_bytes(mutated)
        paths.append(path)
    proc = subprocess.run([sys.executable, "-m", "circuitrun", "validate", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) >= len(paths) // 2
    bad = [line for line in lines if not LINE.match(line)]
    assert not bad, bad[:5]
    assert {m["code"] for m in map(LINE.match, lines) if m} <= CODES


# ---- what the fuzzer found, pinned ----------------------------------------------------

FOUND = [
    # A lone CR ends a line, as in YAML 1.2 and in editors; every kind of problem agrees.
    ("lone-cr.yaml", b"inputs: {x: 1}\rgates:\r  f: {op: nope, in: x}\r",
     (3, 11, "unknown-op")),
    ("cr-not-utf8.yaml", b"inputs: {x: 1}\rname: a\xff\n", (2, 8, "yaml-syntax")),
    ("cr-control.yaml", b"inputs: {x: 1}\rname: a\x1b\n", (2, 8, "yaml-syntax")),
    ("cr.json", b'{"inputs": {},\r "gates": @}', (2, 11, "yaml-syntax")),
    ("crlf.json", b'{"inputs": {},\r\n "gates": @}', (2, 11, "yaml-syntax")),
    # U+2028 and NEL end no line (YAML 1.2), though PyYAML counts them (YAML 1.1).
    ("ls.yaml", 'name: "a\u2028b"\ninputs: {x: 1}\ngates:\n  f: {op: nope, in: x}\n'.encode(),
     (4, 11, "unknown-op")),
    ("nel.yaml", "inputs: {x: 1}\x85\ngates:\n  f: {op: nope, in: x}\n".encode(),
     (3, 11, "unknown-op")),
    # json stops at the duplicate key (when the inner object closes), before the extra
    # brace: the syntax error is still the one reported, not an IndexError.
    ("duplicate-then-extra.json", b'{"inputs": {"x": 1, "x": 2}, "gates": {}}}',
     (1, 42, "yaml-syntax")),
]


@pytest.mark.parametrize(("name", "data", "expected"), FOUND, ids=[c[0] for c in FOUND])
def test_found_positions(tmp_path: Path, name: str, data: bytes,
                         expected: tuple[int, int, str]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(circuitrun.SpecError) as info:
        circuitrun.load(path)
    assert [(p.line, p.col, p.code) for p in info.value.problems] == [expected]
    assert judge(path, data) == "problems"


def test_found_a_message_quoting_a_newline_stays_one_line(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text('inputs: {x: 1}\ngates:\n  f: {op: "neg\\nx", in: x}\n', encoding="utf-8")
    out = runner.invoke(app, ["validate", str(path)])
    assert out.exit_code == 2
    assert out.stderr == (f"{path}:3:11: error: unknown op 'neg\\nx' (did you mean 'neg'?)"
                          " [unknown-op]\n")
