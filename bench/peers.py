"""The peers circuitrun is measured against, each running a ``gen.RandomCircuit``.

Each returns the output's value and the inputs' gradients, so that the benchmark can
check that everyone computed the same thing before comparing times.
"""

from __future__ import annotations

from typing import Any

from gen import RandomCircuit


def micrograd_forward_backward(c: RandomCircuit) -> tuple[float, list[float]]:
    """micrograd: a Value per node (forward builds the graph), then backward()."""
    from micrograd.engine import Value

    nodes = [Value(v) for v in c.input_values]
    for op, refs in zip(c.ops, c.ins, strict=True):
        if op == "add":
            nodes.append(nodes[refs[0]] + nodes[refs[1]])
        elif op == "mul":
            nodes.append(nodes[refs[0]] * nodes[refs[1]])
        else:
            nodes.append(nodes[refs[0]].relu())
    nodes[-1].backward()
    k = len(c.input_values)
    return nodes[-1].data, [v.grad for v in nodes[:k]]


def torch_scalar_forward_backward(c: RandomCircuit) -> tuple[float, list[float]]:
    """PyTorch scalar autograd: one 0-d float64 tensor per node."""
    import torch

    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in c.input_values]
    nodes: list[Any] = list(leaves)
    relu = torch.relu
    for op, refs in zip(c.ops, c.ins, strict=True):
        if op == "add":
            nodes.append(nodes[refs[0]] + nodes[refs[1]])
        elif op == "mul":
            nodes.append(nodes[refs[0]] * nodes[refs[1]])
        else:
            nodes.append(relu(nodes[refs[0]]))
    nodes[-1].backward()
    return nodes[-1].item(), [t.grad.item() for t in leaves]


def torch_vector_forward_backward(c: RandomCircuit, columns: list[Any]) -> tuple[Any, list[Any]]:
    """PyTorch vectorised autograd: one float64 tensor of all rows per node."""
    import torch

    leaves = [torch.from_numpy(col).requires_grad_() for col in columns]
    nodes: list[Any] = list(leaves)
    relu = torch.relu
    for op, refs in zip(c.ops, c.ins, strict=True):
        if op == "add":
            nodes.append(nodes[refs[0]] + nodes[refs[1]])
        elif op == "mul":
            nodes.append(nodes[refs[0]] * nodes[refs[1]])
        else:
            nodes.append(relu(nodes[refs[0]]))
    out = nodes[-1]
    out.backward(torch.ones_like(out))
    return out.detach().numpy(), [t.grad.numpy() for t in leaves]


def numpy_forward_backward(c: RandomCircuit, columns: list[Any]) -> tuple[Any, list[Any]]:
    """Hand-written numpy: one array of all rows per node, forward, then backward."""
    import numpy as np

    vals = list(columns)
    for op, refs in zip(c.ops, c.ins, strict=True):
        if op == "add":
            vals.append(vals[refs[0]] + vals[refs[1]])
        elif op == "mul":
            vals.append(vals[refs[0]] * vals[refs[1]])
        else:
            vals.append(np.maximum(vals[refs[0]], 0.0))
    k = len(columns)
    grads: list[Any] = [None] * len(vals)
    grads[-1] = np.ones_like(vals[-1])

    def add(i: int, g: Any) -> None:
        if grads[i] is None:
            grads[i] = g.copy()
        else:
            grads[i] += g

    for j in range(len(c.ops) - 1, -1, -1):
        g = grads[k + j]
        if g is None:
            continue
        op, refs = c.ops[j], c.ins[j]
        if op == "add":
            add(refs[0], g)
            add(refs[1], g)
        elif op == "mul":
            add(refs[0], g * vals[refs[1]])
            add(refs[1], g * vals[refs[0]])
        else:
            add(refs[0], g * (vals[refs[0]] > 0))
    return vals[-1], [grads[i] if grads[i] is not None else np.zeros_like(vals[0])
                      for i in range(k)]
