"""The JSON Schema of a spec, for editors and validators: generated from the models.

``json_schema()`` starts from what Pydantic makes of ``models.Spec`` and adds what the
models check in Python rather than in their types, each rule read from where it is
written once: the forms of SPEC section 9 (vector and matrix inputs, expression and
number gates), the name pattern of every input and gate (a key that is no name is
reported, and its value still checked), the attributes each op takes and the number of
inputs it takes (from the op table).  What spans nodes (references, cycles, the output)
only the loader can check.

The schema declares draft-07, the newest draft that yaml-language-server (the YAML
extension of most editors) reads in full.  ``errorMessage`` and ``patternErrorMessage``
are its keywords for the message an editor shows; other validators ignore them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from circuitrun.ops.table import OPS
from circuitrun.spec.models import ATTRIBUTES, NAME_PATTERN, REF_PATTERN, Spec
from circuitrun.spec.refs import INDEX_PATTERN

__all__ = ["DRAFT", "NODE_PATTERN", "json_schema"]

DRAFT = "http://json-schema.org/draft-07/schema#"
_WORD = NAME_PATTERN[1:-1]
NODE_PATTERN = rf"^{_WORD}(?:(?:{INDEX_PATTERN}){{1,2}}|\.[1-9][0-9]*)?$"
"""A node ``output`` and ``expect`` may name: a reference, or an expression's ``GATE.K``."""

_NAME = {"pattern": NAME_PATTERN,
         "patternErrorMessage": "a name is letters, digits and _, not starting with a digit"}
# Entry 0 decides the shape (SPEC section 9.3): a list of lists is a matrix.  Rows of
# equal length are beyond a schema; the loader checks them.
_ENTRY = {"type": ["number", "null"]}
_INPUT: dict[str, Any] = {
    "type": ["number", "null", "array"], "minItems": 1,
    "description": "a number; null: given at run time; a list: a vector (its elements are"
    " NAME[0], NAME[1] ...); a list of equal-length lists: a matrix (NAME[0][0] ...)",
    "if": {"items": [{"type": "array"}]},
    "then": {"items": {"type": "array", "minItems": 1, "items": _ENTRY}},
    "else": {"items": _ENTRY}}
# A mapping is a gate of the Gate form, anything else an expression or a number: an
# if/then/else rather than a union, so that a validator reports what is wrong inside
# the mapping, not that the mapping is no string.
_GATE: dict[str, Any] = {
    "if": {"type": "object"}, "then": {"$ref": "#/$defs/Gate"},
    "else": {"type": ["string", "number"], "description": "an expression (SPEC section 9.2),"
             " such as x * y + exp(z), or a number (a const gate)"}}
# Keywords that only values of one type obey: members of a union of types that hold
# nothing else become one schema, whose problems a validator reports as they are.
_TYPED = frozenset({
    "pattern", "minLength", "maxLength", "items", "minItems", "maxItems", "properties",
    "additionalProperties", "propertyNames", "required", "minProperties", "patternProperties",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "patternErrorMessage"})


def _words(names: Sequence[str]) -> str:
    """``max and min``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _merged(union: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One schema for a union of schemas of different types (``{"type": ["string",
    "null"], "pattern": ...}``), or None if they do not merge."""
    merged: dict[str, Any] = {"type": []}
    enum: list[Any] | None = None
    said = [m["description"] for m in union if "description" in m]
    if said:
        merged["description"] = "; ".join(said)
    for member in union:
        kind = member.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        rest = set(member) - {"type", "description", "title"}
        if kind is None or set(kinds) & set(merged["type"]):
            return None
        if "enum" in member and enum is None:  # a string of a few, or null
            enum = [*member["enum"], None] if union[-1] == {"type": "null"} else None
            if enum is None:
                return None
            rest.discard("enum")
        if rest - _TYPED:
            return None
        merged["type"].extend(kinds)
        merged.update((k, member[k]) for k in rest)
    if enum is not None:
        merged["enum"] = enum
    return merged


def _merge_unions(schema: dict[str, Any]) -> None:
    """Every union in ``schema`` that ``_merged`` can merge, merged (in place)."""
    todo = [schema]
    while todo:
        node = todo.pop()
        union = node.get("anyOf")
        one = _merged(union) if isinstance(union, list) else None
        if one is not None:
            del node["anyOf"]
            said = one.pop("description", None)
            node.update(one)
            if said is not None:  # the members' words, where the union has none
                node.setdefault("description", said)
        todo.extend(v for v in node.values() if isinstance(v, dict))
        todo.extend(m for v in node.values() if isinstance(v, list)
                    for m in v if isinstance(m, dict))


def _arity(min_in: int, max_in: int | None) -> dict[str, Any]:
    """What ``in`` may be for an op of ``min_in`` to ``max_in`` inputs (None: any number).

    Left out or null, the inputs come from wires (counted by the loader).  A single
    reference is one input, so ``minItems``/``maxItems`` (which only lists obey) say
    the rest, with ``type`` where one reference is too few.
    """
    if max_in == 0:
        return {"type": "null", "errorMessage": "this op takes no inputs"}
    rule: dict[str, Any] = {"minItems": min_in}
    if max_in is not None:
        rule["maxItems"] = max_in
    if min_in > 1:
        rule["type"] = ["array", "null"]
    return rule


def _gate_rules() -> list[dict[str, Any]]:
    """The op table's rules on a mapping gate: which ops take each attribute, which
    need ``value``, how many inputs each takes."""
    rules: list[dict[str, Any]] = []
    for attr in ATTRIBUTES:
        takers = [name for name, op in OPS.items() if attr in op.attrs]
        # Said at `op`, where the validators' message names the ops that take it.
        rules.append({"if": {"required": [attr]}, "then": {"properties": {"op": {
            "enum": takers, "errorMessage": f"'{attr}' is only for {_words(takers)}"}}}})
    needs = [name for name, op in OPS.items() if "value" in op.attrs]
    rules.append({"if": {"properties": {"op": {"enum": needs}}, "required": ["op"]},
                  "then": {"required": ["value"]}})
    arities: dict[tuple[int, int | None], list[str]] = {}
    for name, op in OPS.items():
        arities.setdefault((op.min_in, op.max_in), []).append(name)
    for (min_in, max_in), names in arities.items():
        rules.append({"if": {"properties": {"op": {"enum": names}}, "required": ["op"]},
                      "then": {"properties": {"in": _arity(min_in, max_in)}}})
    return rules


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a spec, for editors: generated from the models and the op table."""
    schema = Spec.model_json_schema(by_alias=True)
    schema = {"$schema": DRAFT,
              "$comment": "autogenerated from circuitrun/spec/models.py and the op table"
                          " (circuitrun/ops) by circuitrun/spec/schema.py: run"
                          " `circuitrun schema -o schemas/circuit.schema.json`", **schema}
    props = schema["properties"]
    gate = schema["$defs"]["Gate"]
    # One flat object with an `op` enum rather than a union of per-op objects, so an
    # editor says "value is not accepted, valid values: add, mul, ..." for a typo;
    # the if/then rules then say what each op takes.
    gate["properties"]["op"]["enum"] = list(OPS)
    gate["allOf"] = _gate_rules()
    # Every key is checked: a name that is no name is reported (not skipped, as by
    # patternProperties), and its value checked all the same.
    inputs = props["inputs"]["anyOf"][0]
    inputs.pop("patternProperties")
    inputs.update(propertyNames=_NAME, additionalProperties=_INPUT)
    gates = props["gates"]
    gates.pop("patternProperties")
    gates.update(propertyNames=_NAME, additionalProperties=_GATE)
    props["wires"]["anyOf"][0]["items"]["pattern"] = (
        rf"^\s*{REF_PATTERN[1:-1]}\s*->\s*{REF_PATTERN[1:-1]}\s*$")
    props["output"]["anyOf"][0]["pattern"] = NODE_PATTERN
    expect = schema["$defs"]["Expect"]["properties"]
    for key in ("values", "grads"):
        expect[key]["propertyNames"] = {"pattern": NODE_PATTERN}
    assert props["expect"].pop("anyOf") == [{"$ref": "#/$defs/Expect"}, {"type": "null"}]
    props["expect"].update({"if": {"type": "object"}, "then": {"$ref": "#/$defs/Expect"},
                            "else": {"type": "null"}})
    _merge_unions(schema)
    return schema
