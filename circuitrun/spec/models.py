"""The Pydantic models of one spec document (SPEC section 1): the format, written once.

These say what a document may hold: its keys, their types, the names, the op names and
the attributes each op takes (read from the op table).  What spans nodes (references,
arity, cycles, the output) is checked by the graph builder.  A gate is a ``TypedDict``
rather than a model: Pydantic validates it just as strictly and gives a plain dict,
twice as fast as a model instance for each of a million gates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import repeat
from operator import contains, itemgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired

from pydantic import (
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # Pydantic reads typing's only from Python 3.12

from circuitrun.ops.table import OPS

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
SCHEMA_ID = "https://circuitrun.dev/schemas/circuit.schema.json"
ATTRIBUTES = ("value", "ties")
"""The keys of a gate besides ``op`` and ``in``; which op takes which is in the op table."""

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
Number = Annotated[float, Strict(), AllowInfNan(False)]
"""A finite number written as one: not ``"2"``, not ``true``, not ``.inf``."""


_REF_SCHEMA = {"anyOf": [
    {"type": "string", "pattern": NAME_PATTERN, "description": "a node name"},
    {"type": "number", "description": "an inline constant (a node GATE.K)"},
]}
Ref = Annotated[Annotated[str, Strict()] | Number, Field(union_mode="left_to_right"),
                WithJsonSchema(_REF_SCHEMA)]
"""A node name or an inline constant.  Validated by Pydantic's own code, not a Python
function, as there is one for each input of each gate; a reference that is neither is
reported once per member of the union (``findings.merge_ref_errors`` makes it one)."""


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

if TYPE_CHECKING:
    OpName = str
else:
    OpName = Literal[tuple(OPS)]  # the table's names: Pydantic checks them
_ABSENT: JsonDict = {"default": None}  # what the schema says of a key left out

Gate = TypedDict("Gate", {
    "op": Annotated[OpName, Field(description="the operation (SPEC section 2)")],
    "in": NotRequired[Annotated[Refs | None, Field(
        title="In", json_schema_extra=_ABSENT,
        description="input references: node names or number literals; one name alone for a"
        " one-input gate. Leave out to take inputs from `wires`.")]],
    "value": NotRequired[Annotated[Number | None, Field(
        json_schema_extra=_ABSENT, description="`const` only: the constant's value")]],
    "ties": NotRequired[Annotated[Literal["first", "split"] | None, Field(
        json_schema_extra=_ABSENT,
        description="`max`/`min` only: which tied inputs get the gradient (default first)")]],
})
Gate.__doc__ = "``{op: OP, in: REFS, ...attributes}``."
# Pydantic reads a TypedDict's config from this attribute, which the functional syntax
# (needed for the key `in`) cannot declare.
Gate.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]  # see above


def _list_or(v: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A list (a vector or matrix input, checked by ``shapes.input_elements``) as it is;
    anything else as the annotated type says."""
    return v if isinstance(v, list) else handler(v)


_INPUT_SCHEMA: JsonDict = {"anyOf": [
    {"type": "number"}, {"type": "null"},
    {"type": "array", "minItems": 1, "items": {"type": ["number", "null"]},
     "description": "a vector: elements NAME[0], NAME[1] ..."},
    {"type": "array", "minItems": 1, "items": {
        "type": "array", "minItems": 1, "items": {"type": ["number", "null"]}},
     "description": "a matrix (rows of equal length): elements NAME[0][0] ..."},
]}
_EXPRESSION_SCHEMA: JsonDict = {"anyOf": [
    {"$ref": "#/$defs/Gate"},
    {"type": "string", "description": "an expression (SPEC section 9.2)"},
    {"type": "number", "description": "a const gate"},
]}

if TYPE_CHECKING:
    InputValue = float | list[Any] | None
    GateValue = Gate | str | float
else:
    InputValue = Annotated[Number | None, WrapValidator(_list_or)]
    # a mapping gate, an expression or a const gate (SPEC section 9.2), tried in this
    # order by Pydantic's own code: a function called for each of a million gates would
    # cost half the validation.  A gate that is none of them is reported once per member
    # of the union (``findings.merge_gate_errors`` makes it the mapping gate's).
    GateValue = Annotated[Gate | Annotated[str, Strict()] | Number,
                          Field(union_mode="left_to_right")]


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
    inputs: dict[Name, InputValue] | None = Field(
        description="leaf variables; null means the value is given at run time (--set)",
    )
    gates: Annotated[dict[Name, GateValue], Field(min_length=1, description="the computation")]
    wires: list[str] | None = Field(
        None, description='netlist connections "SRC -> DST", appended to DST\'s inputs in order'
    )
    output: str | None = Field(
        None, description="the node differentiated; default: the only node that feeds nothing"
    )
    expect: Expect | None = None


def attribute_problems(gates: Mapping[str, Any]
                       ) -> Iterator[tuple[str, str, str, str]]:
    """Attributes a gate's op does not take or lacks, as ``(gate, key, code, message)``.

    ``key`` is "" for a missing attribute (the problem is at the gate).  A gate whose op
    is not a known name (it failed validation) is not checked.
    """
    for name, gate in gates.items():
        if not isinstance(gate, dict):
            continue  # an expression gate (SPEC section 9.2)
        op_name = gate.get("op")
        op = OPS.get(op_name) if isinstance(op_name, str) else None
        if op is None:
            continue
        for attr in ATTRIBUTES:
            if attr in gate and attr not in op.attrs:
                yield name, attr, "unknown-key", f"op '{op.name}' takes no attribute '{attr}'"
        if "value" in op.attrs and gate.get("value") is None:
            yield name, "", "missing-key", f"op '{op.name}' needs 'value'"


def plain(bodies: list[dict[str, Any]], keys: int) -> bool:
    """Whether every mapping gate of ``bodies`` is exactly ``{op, in}`` with an op other
    than const (so that none has an attribute problem); ``keys`` is their number of keys.

    Told in two passes in C: a spec of a million such gates would wait for a loop.
    """
    return (keys == 2 * len(bodies) and all(map(contains, bodies, repeat("in")))
            and "const" not in set(map(itemgetter("op"), bodies)))


def key_count(spec: Spec, gate_keys: int) -> int:
    """How many keys the document of ``spec`` holds (its model keeps every key given);
    ``gate_keys`` is the number of keys of its mapping gates (an expression has none)."""
    count = len(spec.model_fields_set) + len(spec.inputs or ()) + len(spec.gates) + gate_keys
    if spec.expect is not None:
        expect = spec.expect
        count += len(expect.model_fields_set) + len(expect.values) + len(expect.grads)
    return count


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
    for attr in ATTRIBUTES:
        takers = [name for name, op in OPS.items() if attr in op.attrs]
        rules.append({"if": {"properties": {"op": {"not": {"enum": takers}}}},
                      "then": {"not": {"required": [attr]}}})
    rules.append({"if": {"properties": {"op": {"const": "const"}}},
                  "then": {"required": ["value"]}})
    gate["allOf"] = rules
    # SPEC section 9: the forms the wrap validators above let through
    schema["properties"]["inputs"]["anyOf"][0]["patternProperties"][NAME_PATTERN] = (
        _INPUT_SCHEMA)
    schema["properties"]["gates"]["patternProperties"][NAME_PATTERN] = _EXPRESSION_SCHEMA
    return schema
