"""The Python API: ``load`` a spec, ``run`` it, read values and gradients from the result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from json import loads as parse_json
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from circuitrun.api.display import Bundle, circuit_bundle, circuit_text
from circuitrun.api.inputs import Inputs, given_values
from circuitrun.api.loader import Loaded, keyed, load_data, load_file, load_text, no_cyclic_gc
from circuitrun.api.result import Result
from circuitrun.engine.scalar import (
    Program,
    compile_program,
    differentiate,
    evaluate,
    first_nonfinite,
)
from circuitrun.problems import (
    NonFiniteError,
    Problem,
    SpecError,
    UsageError,
)
from circuitrun.read import Positions, check_characters
from circuitrun.spec.models import Spec
from circuitrun.spec.refs import Shape, output_error

if TYPE_CHECKING:
    from circuitrun.engine.batch import BatchResult
    from circuitrun.engine.gradcheck import GradcheckResult


class MissingInputsError(SpecError):
    """Inputs left without a value at run time (``missing-value`` problems, at the inputs);
    ``inputs`` names them, one for each problem, in the problems' order."""

    def __init__(self, problems: Iterable[tuple[Problem, str]]) -> None:
        pairs = list(problems)
        super().__init__(p for p, _ in pairs)
        name_of = {id(p): name for p, name in pairs}
        self.inputs = tuple(name_of[id(p)] for p in self.problems)


class Circuit:
    """A validated circuit, compiled once and run as often as wanted."""

    def __init__(self, loaded: Loaded) -> None:
        self._loaded = loaded
        self.path = loaded.path
        # a file name that is not UTF-8 reaches Python with surrogates: not printable text
        self.name = loaded.name or Path(loaded.path).stem.encode(
            "utf-8", "surrogateescape").decode("utf-8", "replace")
        self._built = loaded.built
        with no_cyclic_gc():  # millions of tuples on large circuits, and no cycles
            self._prog = compile_program(loaded.built)

    def __repr__(self) -> str:
        return circuit_text(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Bundle:
        return circuit_bundle(self)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as its spec's text (compiled functions do not pickle): Dask ships a
        # circuit to its workers so, and each validates and compiles it once.
        loaded = self._loaded
        return (_reload, (loaded.text, self.path, loaded.is_json, loaded.from_data))

    @property
    def spec(self) -> Spec:
        """The validated Pydantic model of the spec (made when first asked for)."""
        return self._loaded.spec

    @property
    def program(self) -> Program:
        """The compiled circuit the engines run (read-only: shared by every run)."""
        return self._prog

    @property
    def output(self) -> str:
        """The node differentiated by default."""
        return self._prog.names[self._prog.output]

    @property
    def inputs(self) -> Inputs:
        """Input names (in file order) and their spec values (None: given at run time);
        read-only: a run takes its own values (``run(inputs=...)``)."""
        p = self._prog
        return Inputs({name: p.leaf_values[p.position[name]] for name in p.inputs})

    @property
    def shapes(self) -> Mapping[str, Shape]:
        """Each input's shape (SPEC section 9.1): ``()`` a number, ``(n,)`` a vector of n
        elements (the inputs ``w[0]`` ...), ``(r, c)`` a matrix; read-only."""
        return MappingProxyType(self._built.shapes)

    def settings(self, given: Mapping[str, Any]) -> dict[str, float]:
        """Values given to inputs by name, by element (``w[0]``) or whole (``w`` a list,
        ``W`` a list of rows), as the values of input nodes, applied in order (a later one
        wins); raises ``UsageError`` for an unknown name or a bad value."""
        return given_values(given, self._prog.inputs, self._built.shapes)

    @property
    def node_names(self) -> list[str]:
        """Every node, in output order."""
        return list(self._prog.names)

    def run(self, inputs: Mapping[str, float] | None = None, output: str | None = None,
            allow_nonfinite: bool = False) -> Result:
        """Evaluate and backpropagate; ``inputs`` override or supply input values.

        Raises ``UsageError`` for an unknown input or output name or a bad value,
        ``MissingInputsError`` (a ``SpecError``) for an input left without a value, and
        ``NonFiniteError`` for a NaN or infinity unless ``allow_nonfinite``.
        """
        prog = self._prog
        leaves = self._leaves(inputs or {})
        out = prog.output
        if output is not None:
            if output not in prog.position:
                raise output_error(output, prog.names, self._built.shapes)
            out = prog.position[output]
        values = evaluate(prog, leaves)
        bad = first_nonfinite(values)
        if bad is not None and not allow_nonfinite:
            raise NonFiniteError(self.nonfinite_problem(bad, values, "gave"))
        grads = differentiate(prog, values, out)
        bad = first_nonfinite(grads)
        if bad is not None and not allow_nonfinite:
            raise NonFiniteError(self.nonfinite_problem(bad, values, "has gradient", grads[bad]))
        return Result(self.name, prog.names[out], prog, values, grads, self._built.shapes)

    def run_batch(self, columns: Mapping[str, Any], output: str | None = None,
                  allow_nonfinite: bool = False, all_nodes: bool = False) -> BatchResult:
        """Evaluate and backpropagate over many rows at once, with numpy.

        ``columns`` maps input names to 1-D arrays of one length (the rows), or to a single
        number for every row; inputs not given take the spec's value.  Returns arrays: row
        i is exactly what ``run`` gives for row i's inputs.  Raises as ``run`` does; a
        ``NonFiniteError`` names the row.
        """
        from circuitrun.api.batch import broadcast, shown  # numpy: only when asked for
        from circuitrun.engine.batch import run_batch

        return shown(run_batch(self, broadcast(columns), output, allow_nonfinite, all_nodes))

    def gradcheck(self, eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8,
                  inputs: Mapping[str, float] | None = None,
                  all_nodes: bool = False) -> GradcheckResult:
        """Compare each input's gradient (each node's, with ``all_nodes``) with central
        differences; see ``circuitrun.gradcheck``. Raises as ``run`` does."""
        view = self.run(inputs).view
        from circuitrun.engine.gradcheck import check  # a run seldom asks for it

        return check(self._prog, self.name, list(view.values), list(view.grads), eps=eps,
                     rtol=rtol, atol=atol, all_nodes=all_nodes)

    def _leaves(self, given: Mapping[str, float]) -> list[float]:
        prog = self._prog
        leaves: list[float | None] = prog.leaf_values[:]
        for node, x in given_values(given, prog.inputs, self._built.shapes).items():
            leaves[prog.position[node]] = x
        missing = [n for n in prog.inputs if leaves[prog.position[n]] is None]
        if missing:
            raise self.missing_inputs(missing)
        return leaves  # type: ignore[return-value]  # no None is left: checked just above

    def positions(self) -> Positions | None:
        """Where each key and value of the spec is written, read again (for placing what is
        found after loading, such as a failing ``expect`` entry)."""
        from circuitrun.read import parse  # positions are worth a second read here

        loaded = self._loaded
        return parse(loaded.text, self.path, is_json=loaded.is_json, track=True).positions

    def missing_inputs(self, names: list[str]) -> MissingInputsError:
        """The error for inputs that have no value, each placed at its name in the spec."""
        from circuitrun.read import parse  # positions are worth a second read here

        loaded = self._loaded
        pos = None if loaded.from_data else parse(
            loaded.text, self.path, is_json=loaded.is_json, track=True).positions
        problems = []
        for name in names:
            at = ("inputs", name.partition("[")[0])  # an element: at its input's name
            line, col = pos.key(at) if pos is not None else (None, None)
            where = keyed(self.path, at) if loaded.from_data else self.path
            message = f"input '{name}' has no value"
            problems.append((Problem(where, line, col, "missing-value", message), name))
        return MissingInputsError(problems)

    def nonfinite_problem(self, p: int, values: list[float], what: str,
                          grad: float | None = None) -> Problem:
        """The ``non-finite`` problem of node ``p``: it ``gave`` a value, or its gradient
        (``has gradient``) is ``grad``, with ``values`` the values of the run."""
        prog = self._prog
        name, op = prog.names[p], prog.ops[p]
        if what == "gave":
            args = ", ".join(f"{prog.names[i]}={values[i]!r}" for i in prog.ins[p])
            message = f"gate '{name}' ({op}) gave {values[p]!r} from inputs {args}"
        else:
            kind = "input" if op == "input" else "gate"
            shown = f"{kind} '{name}'" + ("" if op == "input" else f" ({op})")
            message = f"{shown} has gradient {grad!r}"
        return Problem(self.path, None, None, "non-finite", message)


def load(path: str | Path) -> Circuit:
    """Read and validate a spec file; raises ``SpecError`` holding every problem."""
    return Circuit(load_file(path))


def loads(source: str | Mapping[str, Any], path: str | None = None, *,
          json: bool = False) -> Circuit:
    """Validate a spec given as text (YAML, or JSON with ``json=True``) or as a mapping
    (as parsed from YAML or JSON; ``path`` defaults to ``<string>``, ``<mapping>``)."""
    if isinstance(source, Mapping):
        return Circuit(load_data(source, "<mapping>" if path is None else path))
    if not isinstance(source, str):
        raise UsageError("a spec is text or a mapping, not"
                         f" {type(source).__name__}", argument="source")
    path = "<string>" if path is None else path
    check_characters(source, path)
    return Circuit(load_text(source, path, is_json=json))


def _reload(text: str, path: str, is_json: bool, from_data: bool = False) -> Circuit:
    """A pickled circuit, validated and compiled again from its spec's text."""
    return loads(parse_json(text) if from_data else text, path, json=is_json)
