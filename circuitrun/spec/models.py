"""The Pydantic models of one spec document (SPEC section 1), and its JSON Schema.

These check the shape of one document: types, unknown keys, op names, the
attributes each op takes.  What spans nodes (references, arity, cycles, the
output) is checked by ``graph.py``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from circuitrun.ops.table import OPS

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
SCHEMA_ID = "https://circuitrun.dev/schemas/circuit.schema.json"

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
Number = Annotated[float, Strict(), AllowInfNan(False)]
"""A finite number written as one: not ``"2"``, not ``true``, not ``.inf``."""


def _ref(v: Any) -> str | float:
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        try:
            if math.isfinite(v):
                return float(v)
        except OverflowError:  # an integer beyond a double (JSON keeps integers whole)
            pass
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    raise PydanticCustomError("ref_type", "Input should be a node name or a number")


_REF_SCHEMA = {"anyOf": [
    {"type": "string", "pattern": NAME_PATTERN, "description": "a node name"},
    {"type": "number", "description": "an inline constant (a node GATE.K)"},
]}
Ref = Annotated[str | float, PlainValidator(_ref), WithJsonSchema(_REF_SCHEMA)]


def _whole_number(v: Any) -> Any:
    """Keep ``true`` and ``1.0`` from passing as ``1`` (Python says they are equal)."""
    if type(v) is not int:
        raise PydanticCustomError("literal_error", "Input should be 1")
    return v


def _as_list(v: Any) -> Any:
    return v if isinstance(v, list) else [v]


Refs = Annotated[
    list[Ref],
    BeforeValidator(_as_list),
    WithJsonSchema({"anyOf": [*_REF_SCHEMA["anyOf"], {"type": "array", "items": _REF_SCHEMA}]}),
]

OpName = Literal[tuple(OPS)]  # type: ignore[valid-type]


class Gate(BaseModel):
    """``{op: OP, in: REFS, ...attributes}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    op: OpName = Field(description="the operation (SPEC section 2)")
    in_: Refs | None = Field(
        None, alias="in",
        description="input references: node names or number literals; one name alone for a"
        " one-input gate. Leave out to take inputs from `wires`.",
    )
    value: Number | None = Field(None, description="`const` only: the constant's value")
    ties: Literal["first", "split"] | None = Field(
        None, description="`max`/`min` only: which tied inputs get the gradient (default first)"
    )


class Expect(BaseModel):
    """Golden expectations checked by ``circuitrun check`` (SPEC section 5)."""

    model_config = ConfigDict(extra="forbid")

    rtol: Annotated[Number, Field(ge=0)] = 1e-9
    atol: Annotated[Number, Field(ge=0)] = 1e-12
    values: dict[str, Number] = Field(default_factory=dict)
    grads: dict[str, Number] = Field(default_factory=dict)


class Spec(BaseModel):
    """One circuit file."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"$id": SCHEMA_ID},
        title="circuitrun circuit spec",
    )

    version: Annotated[Literal[1], BeforeValidator(_whole_number)] | None = Field(
        None, description="spec format version")
    name: str | None = Field(None, description="reported in every output; default: file stem")
    description: str | None = None
    inputs: dict[Name, Number | None] | None = Field(
        description="leaf variables; null means the value is given at run time (--set)",
    )
    gates: Annotated[dict[Name, Gate], Field(min_length=1, description="the computation")]
    wires: list[str] | None = Field(
        None, description='netlist connections "SRC -> DST", appended to DST\'s inputs in order'
    )
    output: str | None = Field(
        None, description="the node differentiated; default: the only node that feeds nothing"
    )
    expect: Expect | None = None


def attribute_problems(gate: Gate) -> list[tuple[str, str, str]]:
    """Attributes the gate's op does not take or lacks, as ``(key, code, message)``."""
    op = OPS[gate.op]
    given = gate.model_fields_set
    found = []
    for attr in ("value", "ties"):
        if attr in given and attr not in op.attrs:
            found.append((attr, "unknown-key", f"op '{op.name}' takes no attribute '{attr}'"))
    if "value" in op.attrs and gate.value is None:
        found.append(("", "missing-key", f"op '{op.name}' needs 'value'"))
    return found


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a spec, for editors: generated from the models and the op table."""
    schema = Spec.model_json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft-07/schema#",
              "$comment": "autogenerated from circuitrun/spec.py: run"
                          " `circuitrun schema -o schemas/circuit.schema.json`", **schema}
    gate = schema["$defs"]["Gate"]
    # One flat object with an `op` enum rather than a union of per-op objects, so an
    # editor says "value is not accepted, valid values: add, mul, ..." for a typo;
    # the if/then rules below then say which attributes each op takes.
    gate["properties"]["op"]["enum"] = list(OPS)
    gate["properties"]["op"].pop("type", None)
    gate["properties"]["op"]["type"] = "string"
    rules = []
    for attr in ("value", "ties"):
        takers = [name for name, op in OPS.items() if attr in op.attrs]
        rules.append({"if": {"properties": {"op": {"not": {"enum": takers}}}},
                      "then": {"not": {"required": [attr]}}})
    rules.append({"if": {"properties": {"op": {"const": "const"}}},
                  "then": {"required": ["value"]}})
    gate["allOf"] = rules
    return schema
