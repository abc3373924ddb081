"""An explanation of one run, as text or as Markdown (which GitHub renders)."""

from __future__ import annotations

from circuitrun.explain.formula import num
from circuitrun.explain.steps import Evaluated, Step, explain_steps

FORWARD = "forward, in topological order"
BACKWARD = "backward, in reverse order (the chain rule)"


class Explanation:
    """The forward and backward pass of a result, step by step."""

    def __init__(self, result: Evaluated, node: str | None = None) -> None:
        steps = explain_steps(result, node)
        self.circuit = result.circuit
        self.output = result.output
        self.node = node
        self.forward: list[Step] = steps.forward
        self.backward: list[Step] = steps.backward
        self._chains = steps.chains
        self._grads = {n.name: n.grad for n in result.nodes
                       if n.op == "input" and (node is None or n.name == node)}
        if node is not None and node not in self._grads:
            self._grads = {n.name: n.grad for n in result.nodes if n.name == node}

    @property
    def steps(self) -> list[Step]:
        """Every step: the forward pass, then the backward pass."""
        return self.forward + self.backward

    def chain(self, name: str) -> list[str]:
        """The lines about node ``name``: its value, and its gradient term by term."""
        return list(self._chains.get(name, []))

    def _title(self) -> str:
        where = f" from {self.node} to {self.output}" if self.node else f" (output {self.output})"
        return f"{self.circuit}, step by step{where}"

    def _summary(self) -> list[str]:
        d = f"d{self.output}/d"
        return [f"{d}{name} = {'not differentiated' if g is None else num(g)}"
                for name, g in self._grads.items()]

    def to_text(self) -> str:
        """Plain text: a title, the forward lines, the backward lines, the gradients."""
        lines = [self._title(), ""]
        if self.forward:
            lines += [FORWARD + ":", *(f"  {s.text}" for s in self.forward), ""]
        lines += [BACKWARD + ":",
                  *(f"  {s.text}" for s in self.backward), ""]
        lines += ["gradients:", *(f"  {t}" for t in self._summary())]
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """Markdown: headings, numbered steps as code, the gradients as a table."""
        lines = [f"## {self._title()}", ""]
        if self.forward:
            lines += [f"### {FORWARD.capitalize()}", ""]
            lines += [f"{k}. `{s.text}`" for k, s in enumerate(self.forward, 1)] + [""]
        lines += [f"### {BACKWARD.capitalize()}", ""]
        lines += [f"{k}. `{s.text}`" for k, s in enumerate(self.backward, 1)] + [""]
        lines += ["### Gradients", "", f"| node | d{self.output}/d(node) |", "|---|---:|"]
        for name, g in self._grads.items():
            lines.append(f"| `{name}` | {'not differentiated' if g is None else num(g)} |")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def explain(result: Evaluated, node: str | None = None) -> Explanation:
    """Explain ``result`` step by step; with ``node``, only the chain from it to the output."""
    return Explanation(result, node)
