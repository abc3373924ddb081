"""Hostile files: each one a test, in a real process with a time bound and a memory bound.

Every file must end in its one clear answer (the exact stderr line and exit code below),
within ``seconds`` and within ``MEMORY`` of address space: never a traceback, a hang or
running out of memory.  The files are made in a temporary folder and named on the
command line relative to it, so the expected lines are exact.
"""

from __future__ import annotations

import json
import math
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

MEMORY = 1536 * 2**20  # address space of one circuitrun process (a run needs ~60 MB)
MB = 10**6


@dataclass(frozen=True)
class Answer:
    code: int
    stdout: str
    stderr: str
    seconds: float


# PyYAML as built without libyaml: its pure-Python parser reads every file.
WITHOUT_LIBYAML = [sys.executable, "-c", "import sys, yaml; del yaml.CSafeLoader;"
                   " from circuitrun.cli import main; sys.argv[0] = 'circuitrun'; main()"]


def answer(folder: Path, *args: str, seconds: float = 10.0, memory: int = MEMORY,
           libyaml: bool = True) -> Answer:
    """``circuitrun ARGS`` run in ``folder`` as a process of its own, bounded: ``memory``
    bytes, ``seconds`` of CPU (what the process itself spends: the same on a busy machine,
    where other work stretches wall time), and ten times that of wall time (a process
    that waits on something, using no CPU)."""
    cpu = math.ceil(seconds)

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL

    start = time.perf_counter()
    command = [sys.executable, "-m", "circuitrun"] if libyaml else WITHOUT_LIBYAML
    proc = subprocess.run([*command, *args], cwd=folder,
                          capture_output=True, timeout=10 * seconds, preexec_fn=bound)
    took = time.perf_counter() - start
    assert proc.returncode not in (-signal.SIGXCPU, -signal.SIGKILL), (
        f"more than {cpu} s of CPU: {' '.join(args)}")
    out = Answer(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                 proc.stderr.decode("utf-8", "replace"), took)
    assert "Traceback" not in out.stderr, out.stderr
    assert "MemoryError" not in out.stderr, out.stderr
    return out


def write(folder: Path, name: str, data: str | bytes) -> str:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return name


GATE = "gates:\n  f: {op: neg, in: x}\n"


# ---- the files ------------------------------------------------------------------------


def billion_laughs(folder: Path) -> str:
    # 10 levels of 10 aliases each: 10**10 nodes if expanded
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return write(folder, "laughs.yaml", "\n".join(lines) + "\ninputs: {x: 1}\n" + GATE)


def billion_laughs_in_gates(folder: Path) -> str:
    # the same bomb where circuitrun reads it: inputs of a gate
    lines = ["inputs: {x: 1}", "gates:", "  a0: {op: add, in: &l0 [x, x, x, x, x, x, x, x, x, x]}"]
    lines += [f"  a{i}: {{op: add, in: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]}}"
              for i in range(1, 10)]
    return write(folder, "laughs-in-gates.yaml", "\n".join(lines) + "\n")


def quadratic_aliases(folder: Path) -> str:
    # one anchor of 1,000 nodes, aliased 1,000 times: a million nodes from 20 KB
    big = "[" + ", ".join(["x"] * 1000) + "]"
    aliases = ", ".join(["*big"] * 1000)
    return write(folder, "quadratic.yaml",
                 f"inputs: {{x: 1}}\nbig: &big {big}\nmore: [{aliases}]\n" + GATE)


def self_alias(folder: Path) -> str:
    return write(folder, "self-alias.yaml", "inputs: {x: 1}\n" + GATE + "name: &a [*a]\n")


def big_description(folder: Path) -> str:
    # 50 MB in one string: read, validated, run
    return write(folder, "big-string.yaml",
                 'name: big\ndescription: "' + "x" * (50 * MB) + '"\ninputs: {x: 1}\n' + GATE)


def big_random(folder: Path) -> str:
    return write(folder, "big-random.yaml", random.Random(50).randbytes(50 * MB))


def big_comments(folder: Path) -> str:
    # 50 MB of comments, and a syntax error at the very end
    line = "# " + "c" * 77 + "\n"
    return write(folder, "big-comments.yaml",
                 "inputs: {x: 1}\n" + line * (50 * MB // len(line)) + "gates: [\n")


def big_constants(folder: Path) -> str:
    # 50 MB of inline constants: 25 million nodes from two bytes each
    return write(folder, "big-constants.json",
                 '{"inputs": {}, "gates": {"f": {"op": "add", "in": [' + ",".join(["1"] * (25 * MB))
                 + "]}}}")


def big_sparse(folder: Path) -> str:
    path = folder / "big-sparse.yaml"
    with path.open("wb") as f:
        f.truncate(100 * 2**20)  # 100 MiB of NUL bytes, no disk used
    return path.name


def deep_yaml_flow(folder: Path) -> str:
    n = 100_000
    return write(folder, "deep-flow.yaml", "inputs: {x: 1}\ngates:\n  f: {op: neg, in: "
                 + "[" * n + "x" + "]" * n + "}\n")


def deep_yaml_block(folder: Path) -> str:
    # block sequences nest on one line: "- - - x"
    return write(folder, "deep-block.yaml", "inputs: {x: 1}\n" + GATE + "name:\n  "
                 + "- " * 100_000 + "x\n")


def deep_json_list(folder: Path) -> str:
    n = 100_000
    return write(folder, "deep-list.json", '{"inputs": {"x": 1}, "gates": {"f": {"op": "neg", '
                 '"in": ' + "[" * n + '"x"' + "]" * n + "}}}")


def deep_json_object(folder: Path) -> str:
    n = 100_000
    return write(folder, "deep-object.json", '{"inputs": {"x": 1}, "gates": {"f": {"op": '
                 '"neg", "in": "x"}}, "name": ' + '{"a": ' * n + "1" + "}" * n + "}")


def latin1(folder: Path) -> str:
    return write(folder, "latin1.yaml", b"inputs: {x: 1}\n" + GATE.encode()
                 + "name: café\n".encode("latin-1"))


def utf16(folder: Path) -> str:
    return write(folder, "utf16.yaml", ("inputs: {x: 1}\n" + GATE).encode("utf-16"))


def nul_byte(folder: Path) -> str:
    return write(folder, "nul.yaml", b"inputs: {x: 1}\ngates:\n  f: {op: neg, in: x\x00}\n")


def lone_surrogate(folder: Path) -> str:
    # json reads "\ud800" into a str that no UTF-8 output can hold
    return write(folder, "surrogate.json", '{"name": "a\\ud800", "inputs": {"x": 1}, "gates":'
                 ' {"f": {"op": "neg", "in": "x"}}}')


def a_directory(folder: Path) -> str:
    (folder / "spec.yaml").mkdir()
    return "spec.yaml"


def a_fifo(folder: Path) -> str:
    os.mkfifo(folder / "fifo.yaml")  # nobody ever writes to it
    return "fifo.yaml"


def missing(folder: Path) -> str:
    return "no-such-spec.yaml"


def yaml_scalar(folder: Path) -> str:
    return write(folder, "scalar.yaml", "42\n")


def yaml_string(folder: Path) -> str:
    return write(folder, "string.yaml", "just some text\n")


def yaml_list(folder: Path) -> str:
    return write(folder, "list.yaml", "- inputs: {x: 1}\n- gates: {f: {op: neg, in: x}}\n")


def json_list(folder: Path) -> str:
    return write(folder, "list.json", "[1, 2, 3]")


def empty(folder: Path) -> str:
    return write(folder, "empty.yaml", "")


def only_comments(folder: Path) -> str:
    return write(folder, "comments.yaml", "# nothing\n# here\n")


def python_object_scalar(folder: Path) -> str:
    return write(folder, "tag-scalar.yaml", "inputs: {x: 1}\n" + GATE
                 + "name: !!python/object/apply:os.system 'touch PWNED'\n")


def python_object_seq(folder: Path) -> str:
    return write(folder, "tag-seq.yaml", "inputs: {x: 1}\n" + GATE
                 + 'description: !!python/object/apply:os.system ["touch PWNED"]\n')


def python_object_map(folder: Path) -> str:
    return write(folder, "tag-map.yaml", "inputs: {x: 1}\n" + GATE
                 + "expect: !!python/object/new:builtins.exec\n"
                 "  args: [\"open('PWNED', 'w').close()\"]\n")


def python_tag_directive(folder: Path) -> str:
    # %TAG makes !py! an alias of the python tags: still rejected
    return write(folder, "tag-directive.yaml", "%TAG !py! tag:yaml.org,2002:python/\n---\n"
                 "inputs: {x: 1}\n" + GATE + "name: !py!object/apply:os.system ['touch PWNED']\n")


def huge_float(folder: Path) -> str:
    return write(folder, "1e309.yaml", "inputs: {x: 1e309}\n" + GATE)


def huge_float_json(folder: Path) -> str:
    return write(folder, "1e309.json", '{"inputs": {"x": -1e309}, "gates": {"f": {"op": "neg",'
                 ' "in": "x"}}}')


def tiny_float(folder: Path) -> str:
    # underflows to 0.0: a finite number, accepted
    return write(folder, "1e-400.yaml", "inputs: {x: 1e-400}\n" + GATE)


def huge_integer(folder: Path) -> str:
    return write(folder, "huge-int.yaml", "inputs: {x: " + "9" * 5000 + "}\n" + GATE)


def huge_integer_json(folder: Path) -> str:
    return write(folder, "huge-int.json", '{"inputs": {"x": ' + "9" * 5000 + '}, "gates": '
                 '{"f": {"op": "neg", "in": "x"}}}')


def huge_inline_integer(folder: Path) -> str:
    return write(folder, "huge-inline.yaml", "inputs: {}\ngates:\n  f: {op: neg, in: ["
                 + "9" * 400 + "]}\n")


def huge_hex(folder: Path) -> str:
    return write(folder, "huge-hex.yaml", "inputs: {x: 0x" + "f" * 5000 + "}\n" + GATE)


LONG = "n" * 10_000


def long_name_yaml(folder: Path) -> str:
    # YAML's implicit keys are at most 1024 characters: a syntax error at the key
    return write(folder, "long-name.yaml", f"inputs:\n  {LONG}: 1\ngates:\n"
                 f"  f: {{op: neg, in: {LONG}}}\n")


def long_name_explicit_key(folder: Path) -> str:
    return write(folder, "long-name-key.yaml", f"inputs:\n  ? {LONG}\n  : 1\ngates:\n"
                 f"  f: {{op: neg, in: {LONG}}}\n")


def long_name_json(folder: Path) -> str:
    return write(folder, "long-name.json", json.dumps(
        {"inputs": {LONG: 1}, "gates": {"f": {"op": "neg", "in": LONG}}}))


def long_unknown_reference(folder: Path) -> str:
    return write(folder, "long-ref.json", '{"gates": {"f": {"op": "neg", "in": "' + LONG
                 + 'y"}}, "inputs": {"' + LONG + 'x": 1}}')


def many_unknown_references(folder: Path) -> str:
    # 5,000 unknown names among 10,000: "did you mean" must not compare them all
    lines = ["inputs:", *(f"  in{i}: 1" for i in range(5000)), "gates:"]
    lines += [f"  g{i}: {{op: neg, in: zz{i}}}" for i in range(5000)]
    return write(folder, "many-unknown.yaml", "\n".join(lines) + "\n")


def wide_fan_in(folder: Path) -> str:
    # one 12 MB line: a regex reading it whole took 2 GB (its backtracking stack)
    return write(folder, "fan-in.yaml", "inputs: {x: 1}\ngates:\n  f: {op: mul, in: ["
                 + ", ".join(["x"] * 4_000_000) + "]}\n")


def merge_key(folder: Path) -> str:
    # YAML 1.1's merge key is no key of the format in YAML 1.2: an unknown key
    return write(folder, "merge.yaml", "inputs: {x: 1}\ngates:\n  b: &base {op: neg}\n"
                 "  f: {<<: *base, in: b}\nwires: [x -> b]\n")


def binary_tag(folder: Path) -> str:
    return write(folder, "binary.yaml", "inputs: {x: 1}\n" + GATE + "name: !!binary aGk=\n")


Case = tuple[str, Callable[[Path], str], list[str], int, str, float]
# (id, the file, extra arguments, exit code, stderr ("{}": the file's name), seconds)
CASES: list[Case] = [
    ("billion laughs", billion_laughs, [], 2,
     "{}:5:45: error: aliases repeat more than 100,000 nodes [yaml-syntax]\n", 10),
    ("billion laughs in gates", billion_laughs_in_gates, [], 2,
     "{}:7:61: error: aliases repeat more than 100,000 nodes [yaml-syntax]\n", 10),
    ("quadratic aliases", quadratic_aliases, [], 2,
     "{}:3:602: error: aliases repeat more than 100,000 nodes [yaml-syntax]\n", 10),
    ("alias of itself", self_alias, [], 2,
     "{}:4:11: error: alias '*a' refers to itself [yaml-syntax]\n", 10),
    ("50 MB string", big_description, [], 0, "", 30),
    ("50 MB random bytes", big_random, [], 2,
     "{}:1:2: error: byte 0x8e is not UTF-8 [yaml-syntax]\n", 10),
    ("50 MB of comments, error at the end", big_comments, [], 2,
     "{}:625003:1: error: did not find expected node content [yaml-syntax]\n", 30),
    ("50 MB of inline constants", big_constants, [], 2,
     "{}: error: the circuit has 25,000,001 nodes (inputs, gates and inline constants):"
     " circuitrun takes at most 3,000,000 [too-large]\n", 30),
    ("100 MiB file", big_sparse, [], 2,
     "{}: error: the spec is larger than 64 MiB, the most circuitrun reads [too-large]\n", 10),
    # "  f: {op: neg, in: " is 19 characters: the 62nd '[' (col 81) is the 65th level.
    ("100,000-deep flow list (YAML)", deep_yaml_flow, [], 2,
     "{}:3:81: error: nested deeper than 64 levels [yaml-syntax]\n", 10),
    ("100,000-deep block list (YAML)", deep_yaml_block, [], 2,
     "{}:5:129: error: nested deeper than 64 levels [yaml-syntax]\n", 10),
    ("100,000-deep list (JSON)", deep_json_list, [], 2,
     "{}:1:118: error: nested deeper than 64 levels [yaml-syntax]\n", 10),
    ("100,000-deep object (JSON)", deep_json_object, [], 2,
     "{}:1:450: error: nested deeper than 64 levels [yaml-syntax]\n", 10),
    ("Latin-1 byte", latin1, [], 2, "{}:4:10: error: byte 0xe9 is not UTF-8 [yaml-syntax]\n", 10),
    ("UTF-16 file", utf16, [], 2, "{}:1:1: error: byte 0xff is not UTF-8 [yaml-syntax]\n", 10),
    ("lone surrogate escape (JSON)", lone_surrogate, [], 2,
     "{}:1:12: error: '\\ud800' is half of a surrogate pair, not a character [yaml-syntax]\n",
     10),
    ("NUL byte", nul_byte, [], 2,
     "{}:3:21: error: control character U+0000 is not allowed [yaml-syntax]\n", 10),
    ("a directory", a_directory, [], 2,
     "{}: error: is a directory, not a spec file [unreadable]\n", 10),
    ("a FIFO nobody writes", a_fifo, [], 2,
     "{}: error: cannot read: not a regular file [unreadable]\n", 10),
    ("a missing path", missing, [], 2, "{}: error: no such file [unreadable]\n", 10),
    ("a YAML scalar", yaml_scalar, [], 2,
     "{}:1:1: error: a circuit is a mapping of inputs and gates, not 42 [bad-type]\n", 10),
    ("a YAML string", yaml_string, [], 2, "{}:1:1: error: a circuit is a mapping of inputs and"
     " gates, not the string 'just some text' [bad-type]\n", 10),
    ("a YAML list", yaml_list, [], 2,
     "{}:1:1: error: a circuit is a mapping of inputs and gates, not a list [bad-type]\n", 10),
    ("a JSON list", json_list, [], 2,
     "{}:1:1: error: a circuit is a mapping of inputs and gates, not a list [bad-type]\n", 10),
    ("an empty file", empty, [], 2, "{}:1:1: error: the file is empty: a circuit needs 'inputs'"
     " and 'gates' [missing-key]\n", 10),
    ("only comments", only_comments, [], 2, "{}:1:1: error: the file is empty: a circuit needs"
     " 'inputs' and 'gates' [missing-key]\n", 10),
    ("!!python/object/apply scalar", python_object_scalar, [], 2,
     "{}:4:7: error: tag '!!python/object/apply:os.system' is not supported [yaml-syntax]\n", 10),
    ("!!python/object/apply list", python_object_seq, [], 2,
     "{}:4:14: error: tag '!!python/object/apply:os.system' is not supported [yaml-syntax]\n"
     "{}:4:14: error: expected a string, got a list [bad-type]\n", 10),
    ("!!python/object/new mapping", python_object_map, [], 2,
     "{}:4:9: error: tag '!!python/object/new:builtins.exec' is not supported [yaml-syntax]\n"
     "{}:5:3: error: unknown key 'args' [unknown-key]\n", 10),
    ("%TAG alias of the python tags", python_tag_directive, [], 2,
     "{}:6:7: error: tag '!!python/object/apply:os.system' is not supported [yaml-syntax]\n"
     "{}:6:7: error: expected a string, got a list [bad-type]\n", 10),
    ("!!binary", binary_tag, [], 2,
     "{}:4:7: error: tag '!!binary' is not supported [yaml-syntax]\n", 10),
    ("1e309", huge_float, [], 2,
     "{}:1:13: error: expected a finite number, got .inf [bad-type]\n", 10),
    ("-1e309 (JSON)", huge_float_json, [], 2,
     "{}:1:18: error: expected a finite number, got -.inf [bad-type]\n", 10),
    ("1e-400", tiny_float, ["--format", "csv"], 0, "", 10),
    ("5,000-digit integer", huge_integer, [], 2,
     "{}:1:13: error: expected a finite number, got .inf [bad-type]\n", 10),
    ("5,000-digit integer (JSON)", huge_integer_json, [], 2,
     "{}:1:18: error: expected a finite number, got .inf [bad-type]\n", 10),
    ("400-digit inline constant", huge_inline_integer, [], 2,
     "{}:3:21: error: expected a finite number, got .inf [bad-type]\n", 10),
    ("0x and 5,000 f's", huge_hex, [], 2,
     "{}:1:13: error: expected a finite number, got .inf [bad-type]\n", 10),
    ("10,000-character name (YAML key)", long_name_yaml, [], 2,
     "{}:2:3: error: a key of more than 1024 characters, which YAML does not allow: write it"
     " as '? NAME', or use JSON [yaml-syntax]\n", 10),
    ("10,000-character name (explicit key)", long_name_explicit_key, [], 0, "", 10),
    ("10,000-character name (JSON)", long_name_json, [], 0, "", 10),
    ("10,000-character unknown reference", long_unknown_reference, [], 2,
     "{}:1:37: error: unknown reference '" + LONG + "y' [undefined-ref]\n", 10),
    ("5,000 unknown references", many_unknown_references, [], 2, "", 10),
    ("a gate with 4,000,000 inputs", wide_fan_in, [], 0, "", 30),
    ("YAML 1.1 merge key", merge_key, [], 2,
     "{}:4:3: error: 'f' has no 'op' [missing-key]\n"
     "{}:4:7: error: unknown key '<<' [unknown-key]\n", 10),
]


SLOW = 30  # the cases given this long are the slow system tests (`pytest -m slow`)


@pytest.mark.parametrize(("make", "args", "code", "stderr", "seconds"), [
    pytest.param(*c[1:], id=c[0], marks=[pytest.mark.slow] if c[5] >= SLOW else [])
    for c in CASES])
def test_hostile_file(tmp_path: Path, make: Callable[[Path], str], args: list[str], code: int,
                      stderr: str, seconds: float) -> None:
    name = make(tmp_path)
    out = answer(tmp_path, "run", name, *args, seconds=seconds)
    assert out.code == code, out.stderr
    if stderr or code == 0:
        assert out.stderr == stderr.replace("{}", name)
    if code == 0:
        assert out.stdout.startswith("{") or args == ["--format", "csv"]
    else:
        assert out.stdout == ""
        assert out.stderr.endswith("]\n")
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("make", [deep_yaml_flow, deep_yaml_block, deep_json_list,
                                  deep_json_object, long_name_yaml], ids=lambda f: f.__name__)
def test_same_answer_without_libyaml(tmp_path: Path, make: Callable[[Path], str]) -> None:
    # libyaml 0.2.5 and later stop a deep flow list with an answer of their own ("exceeded
    # maximum nesting depth", at the 1000th level); older builds and the pure-Python
    # parser do not.  These files get circuitrun's own answer whatever PyYAML has.
    import yaml

    assert yaml.__with_libyaml__, "this test compares libyaml with the pure-Python parser"
    name = make(tmp_path)
    with_c = answer(tmp_path, "run", name)
    without = answer(tmp_path, "run", name, libyaml=False)
    assert without.stderr.startswith(f"{name}:"), without.stderr
    assert (without.code, without.stderr) == (with_c.code, with_c.stderr)


def test_without_libyaml_is_really_without_it(tmp_path: Path) -> None:
    # The control: PyYAML's two parsers word a syntax error differently, so the test
    # above did run the pure-Python one.
    name = write(tmp_path, "syntax.yaml", "inputs: {x: 1}\n" + GATE + "name: [\n")
    with_c = answer(tmp_path, "run", name)
    without = answer(tmp_path, "run", name, libyaml=False)
    assert with_c.stderr == f"{name}:5:1: error: did not find expected node content [yaml-syntax]\n"
    assert without.stderr == (f"{name}:5:1: error: expected the node content, but found"
                              " '<stream end>' [yaml-syntax]\n")


def test_many_unknown_references_are_all_reported(tmp_path: Path) -> None:
    name = many_unknown_references(tmp_path)
    out = answer(tmp_path, "validate", name, seconds=10)
    lines = out.stderr.splitlines()
    assert out.code == 2 and len(lines) == 5000
    assert lines[0] == f"{name}:5003:21: error: unknown reference 'zz0' [undefined-ref]"
    assert all("[undefined-ref]" in line for line in lines)
    assert out.seconds < 10


# ---- python tags are rejected, never constructed ----------------------------------------

TAGGED = [python_object_scalar, python_object_seq, python_object_map, python_tag_directive]


@pytest.mark.parametrize(("make", "command"), [
    *((python_object_seq, c) for c in ("run", "validate", "graph", "gradcheck", "check")),
    *((make, "validate") for make in TAGGED if make is not python_object_seq),
], ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_python_tags_never_run(tmp_path: Path, make: Callable[[Path], str], command: str) -> None:
    # Constructing any of these tags would create ./PWNED (os.system, exec): they are
    # reported where they stand and nothing is created, whatever the command.
    name = make(tmp_path)
    out = answer(tmp_path, command, name)
    assert out.code == 2
    assert "is not supported [yaml-syntax]" in out.stderr
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("make", [python_object_seq, python_object_map, python_tag_directive],
                         ids=lambda f: f.__name__)
def test_python_tags_would_run_if_constructed(tmp_path: Path, make: Callable[[Path], str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The control: PyYAML's unsafe loader does run them, so the test above proves something.
    import yaml

    name = make(tmp_path)
    monkeypatch.chdir(tmp_path)
    yaml.unsafe_load((tmp_path / name).read_text())
    assert (tmp_path / "PWNED").exists()


# ---- golden files are inputs too ---------------------------------------------------------

SQUARE = "inputs: {x: 2}\ngates:\n  f: {op: square, in: x}\n"


@pytest.mark.parametrize(("make", "line"), [
    (lambda g: os.mkfifo(g / "a.json"),
     "golden/a.json: cannot read the golden file: not a regular file"),
    (lambda g: (g / "a.json").write_text("[" * 100_000 + "]" * 100_000),
     "golden/a.json: not a golden file: nested too deeply"),
    (lambda g: (g / "a.json").write_bytes(b"\xff\xfe{"),
     "golden/a.json: cannot read the golden file: 'utf-8' codec can't decode byte 0xff in"
     " position 0: invalid start byte"),
    (lambda g: (g / "a.json").write_text('{"nodes": [{"name": "x", "value": 1' + "0" * 400
                                         + ', "grad": 4.0}]}'),
     "golden/a.json: not a golden file: node 'x' needs a number for value"),
    (lambda g: (g / "a.json").mkdir(),
     "golden/a.json: cannot read the golden file: is a directory"),
    (lambda g: (g / "a.json").write_text('{"nodes": [{"name": "x\\ud800", "value": 1.0}]}'),
     "golden/a.json: not a golden file: a string holds half of a surrogate pair"),
], ids=["fifo", "100,000 deep", "not utf-8", "400-digit integer", "directory", "surrogate"])
def test_hostile_golden_file(tmp_path: Path, make: Callable[[Path], object], line: str) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.yaml").write_text(SQUARE)
    (tmp_path / "golden").mkdir()
    make(tmp_path / "golden")
    out = answer(tmp_path, "check", "specs", "--golden-dir", "golden")
    assert (out.code, out.stderr) == (1, "")
    assert out.stdout.splitlines()[0] == line
    assert out.stdout.splitlines()[-1] == "0 passed, 1 failed"


def test_update_does_not_block_on_a_fifo_golden_file(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.yaml").write_text(SQUARE)
    (tmp_path / "golden").mkdir()
    os.mkfifo(tmp_path / "golden" / "a.json")
    out = answer(tmp_path, "check", "specs", "--golden-dir", "golden", "--update")
    assert (out.code, out.stdout) == (2, "0 passed, 1 failed\n")
    assert out.stderr == "golden/a.json: error: cannot write: not a regular file\n"


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    # The circuit is named after the file: U+FFFD stands for the byte that is no text.
    (tmp_path / "specs").mkdir()
    name = os.fsdecode(b"specs/\xff.yaml")
    (tmp_path / name).write_text(SQUARE)
    out = answer(tmp_path, "run", name)
    assert (out.code, out.stderr) == (0, "")
    assert json.loads(out.stdout)["circuit"] == "\ufffd"
    out = answer(tmp_path, "check", "specs", "--golden-dir", "golden", "--update")
    assert (out.code, out.stderr) == (0, "")
    assert json.loads((tmp_path / os.fsdecode(b"golden/\xff.json")).read_text())["value"] == 4.0


# ---- rows for run --inputs are inputs too ----------------------------------------------


@pytest.mark.parametrize(("name", "text", "line"), [
    ("deep.jsonl", '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
     "deep.jsonl:1:1: error: a line must be an object of input values [bad-input]"),
    ("huge.jsonl", '{"x": 1}\n{"x": ' + "9" * 5000 + "}\n",
     "huge.jsonl:2:1: error: input 'x' needs a finite number, not Infinity [bad-input]"),
], ids=["100,000 deep", "5,000-digit integer"])
def test_hostile_inputs_file(tmp_path: Path, name: str, text: str, line: str) -> None:
    write(tmp_path, "square.yaml", SQUARE)
    write(tmp_path, name, text)
    out = answer(tmp_path, "run", "square.yaml", "--inputs", name)
    assert (out.code, out.stderr) == (2, line + "\n")


# ---- the limits, exactly (README: Limits) --------------------------------------------------


def test_node_limit_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    import circuitrun
    from circuitrun import limits

    monkeypatch.setattr(limits, "MAX_NODES", 10)
    # x, f and f's 8 inline constants: 10 nodes
    circuitrun.loads('{"inputs": {"x": 1}, "gates": {"f": {"op": "add", "in": ["x"'
                     + ", 1" * 8 + "]}}}", json=True)
    with pytest.raises(circuitrun.SpecError) as info:
        circuitrun.loads('{"inputs": {"x": 1}, "gates": {"f": {"op": "add", "in": ["x"'
                         + ", 1" * 9 + "]}}}", path="s.json", json=True)
    assert [str(p) for p in info.value.problems] == [
        "s.json: error: the circuit has 11 nodes (inputs, gates and inline constants):"
        " circuitrun takes at most 10 [too-large]"]


def test_byte_limit_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import circuitrun
    from circuitrun import limits

    spec = tmp_path / "spec.yaml"
    spec.write_text("inputs: {x: 1}\n" + GATE)
    monkeypatch.setattr(limits, "MAX_BYTES", spec.stat().st_size)
    circuitrun.load(spec)
    spec.write_text("inputs: {x: 1}\n" + GATE + "\n")
    with pytest.raises(circuitrun.SpecError) as info:
        circuitrun.load(spec)
    assert [p.code for p in info.value.problems] == ["too-large"]


@pytest.mark.parametrize(("text", "is_json", "aliased"), [
    ('{"inputs":{},"gates":{"f":{"op":"add","in":[' + ",".join(["1"] * 500) + "]}}}", True, 0),
    ("inputs: {}\ngates: {f: {op: add, in: [" + ",".join(["1"] * 500) + "]}}\n", False, 0),
    # aliases repeat nodes without text: 10 lists of 100 constants, from 1 list of them
    ("inputs: {}\ngates: {g: {op: add, in: &c [" + ",".join(["1"] * 100) + "]}, "
     + ", ".join(f"g{i}: {{op: add, in: *c}}" for i in range(10)) + "}\noutput: g\n",
     False, 1000),
], ids=["json-constants", "flow-constants", "aliases"])
def test_every_node_takes_two_characters_but_for_aliases(text: str, is_json: bool,
                                                         aliased: int) -> None:
    # What lets limits.check_nodes skip counting a short text: nodes <= length / 2 +
    # the nodes aliases repeat (at most MAX_ALIASED), shown on the densest specs there are
    # (inline constants: "1," is a node).
    import circuitrun
    from circuitrun import limits

    nodes = len(circuitrun.loads(text, json=is_json).node_names)
    assert nodes <= len(text) // 2 + aliased <= len(text) // 2 + limits.MAX_ALIASED
    assert nodes + 100 > (len(text) - aliased) // 2  # dense: the bound is nearly met


def test_limits_leave_room_for_a_million_gate_chain() -> None:
    # SPEC 3.6: a chain of 1,000,000 gates; with an inline constant in each, 2,000,001
    # nodes and about 45 MB of compact JSON.
    from circuitrun import limits

    assert limits.MAX_NODES >= 2_000_001
    gate = '"g999999": {"op": "add", "in": ["g999998", 1]}, '
    assert 1_000_000 * len(gate) <= limits.MAX_BYTES


# ---- the long mode ------------------------------------------------------------------------


@pytest.mark.fuzz
def test_50_mb_of_gates(tmp_path: Path) -> None:
    # 1.27 million gates with an inline constant each (2.5 million nodes): a result, in
    # minutes and a few GB (README: Limits); too slow for the quick suite.
    lines = ["inputs: {x: 0.5}", "gates:"]
    size, i, prev = 0, 0, "x"
    while size < 50 * MB:
        lines.append(f"  g{i}: {{op: add, in: [{prev}, 1]}}")
        size += len(lines[-1]) + 1
        prev, i = f"g{i}", i + 1
    write(tmp_path, "big-gates.yaml", "\n".join(lines) + "\n")
    out = answer(tmp_path, "run", "big-gates.yaml", "-o", "out.json", seconds=600,
                 memory=16 * 2**30)
    assert (out.code, out.stderr) == (0, "")
    assert json.loads((tmp_path / "out.json").read_text())["value"] == 0.5 + i
