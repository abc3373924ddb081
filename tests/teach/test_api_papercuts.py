"""The Python API as a new user meets it: `circuitrun.diagram` after `import circuitrun`,
read-only inputs that say how to change one, single numbers in `run_batch`, and an unknown
node name that names the close one."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import circuitrun

from support.paths import CIRCUITS, ROOT

SIGMOID = ROOT / "circuits" / "sigmoid.yaml"


def test_subpackages_without_their_own_import() -> None:
    # A fresh interpreter: this one has imported everything already.
    code = ("import sys, circuitrun\n"
            "early = sorted(m for m in ('circuitrun.diagram', 'circuitrun.explain', 'numpy')"
            " if m in sys.modules)\n"
            "r = circuitrun.load(sys.argv[1]).run()\n"
            "print(early, circuitrun.diagram.render(r, 'svg')[:5],"
            " circuitrun.explain.explain(r).forward[0].text)\n")
    out = subprocess.run([sys.executable, "-c", code, str(SIGMOID)], capture_output=True,
                         text=True, check=True)
    # nothing loaded up front (the command line stays fast); both there when asked for
    assert out.stdout == "[] <?xml w0 = 2\n"
    with pytest.raises(AttributeError, match="module 'circuitrun' has no attribute 'diagrm'"):
        circuitrun.diagrm  # noqa: B018 - the attribute access is the test


def test_inputs_are_read_only_and_say_how_to_change_one() -> None:
    circuit = circuitrun.load(SIGMOID)
    with pytest.raises(TypeError, match=r"^circuit\.inputs is read-only: give 'x0' its value"
                       r" when running, circuit\.run\(inputs=\{'x0': 5\}\)$"):
        circuit.inputs["x0"] = 5  # type: ignore[index]  # what a user tries
    with pytest.raises(TypeError, match="read-only"):
        del circuit.inputs["x0"]  # type: ignore[attr-defined]  # what a user tries
    assert circuit.inputs == {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    assert circuit.inputs["x0"] == -1.0 and list(circuit.inputs)[:2] == ["w0", "x0"]
    assert circuit.inputs | {"x0": 5.0} == {"w0": 2.0, "x0": 5.0, "w1": -3.0, "x1": -2.0,
                                            "w2": -3.0}
    with pytest.raises(KeyError, match=r"no input 'x00' \(did you mean 'x0'\?\)"):
        circuit.inputs["x00"]
    assert circuit.run({"x0": 5}).value("x0") == 5.0  # the way that works


def test_run_batch_broadcasts_single_numbers() -> None:
    circuit = circuitrun.load(SIGMOID)
    one = circuit.run_batch({"x0": 3.0})
    assert len(one.value) == 1 and one.value[0] == circuit.run({"x0": 3.0}).value()
    assert repr(one) == "<BatchResult 'sigmoid-neuron': 1 row, output f>"
    rows = circuit.run_batch({"x0": np.float64(3.0), "w0": [1.0, 2.0, 3.0], "w2": np.array(0)})
    for i, w0 in enumerate([1.0, 2.0, 3.0]):  # each row what run gives
        single = circuit.run({"x0": 3.0, "w0": w0, "w2": 0.0})
        assert rows.value[i] == single.value()
        assert rows.grads["x0"][i] == single.grad("x0")
    assert list(rows.inputs["x0"]) == [3.0, 3.0, 3.0]
    with pytest.raises(circuitrun.UsageError, match="input 'x0' needs a 1-D array of real"):
        circuit.run_batch({"x0": True})  # a bool is no number here, as in run


def test_an_unknown_node_names_the_close_one() -> None:
    result = circuitrun.load(SIGMOID).run()
    for ask in (result.value, result.grad, result.local_grads):
        with pytest.raises(circuitrun.UnknownNodeError) as caught:
            ask("wx9")
        # difflib's closest of wx0 and wx1
        assert str(caught.value) == "no node 'wx9' in the circuit (did you mean 'wx1'?)"
        assert isinstance(caught.value, KeyError)  # a lookup by name, as before
        assert isinstance(caught.value, circuitrun.UsageError)


@pytest.mark.parametrize(("ask", "words"), [
    ("W1", "'W1' is a 3x2 matrix, not one number: name an element (W1[0][0] .. W1[2][1])"),
    ("W1[0]", "'W1[0]' is a vector of 2, not one number: name an element"
              " (W1[0][0] .. W1[0][1])"),
    ("x[5]", "index 5 in 'x[5]' is out of range: 'x' is a vector of 2 (the last is x[1])"),
])
def test_a_vector_asked_for_as_a_node_says_what_it_is(ask: str, words: str) -> None:
    # as --output says it (SPEC section 9.3); "W1[0]" was "no node (did you mean 'b1[0]'?)"
    result = circuitrun.load(CIRCUITS / "mlp.yaml").run()
    for call in (result.value, result.grad, result.local_grads, result.explain):
        with pytest.raises(circuitrun.UnknownNodeError) as caught:
            call(ask)
        assert str(caught.value) == words
