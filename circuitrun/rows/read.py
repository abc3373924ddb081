"""Rows of input values from a file: CSV or JSON Lines, in chunks.

A problem in the file is one line, ``FILE:LINE:FIELD: error: ... [bad-input]``: the
line in the file, and the 1-based field of a CSV row or key of a JSON object.  CSV
cells are numbers as YAML 1.2 writes them; JSON Lines values are JSON numbers.  With
``allow_nonfinite``, ``nan``, ``inf`` and ``-inf`` are accepted too (the words that
circuitrun writes).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from circuitrun.api.circuit import Circuit
from circuitrun.problems import did_you_mean
from circuitrun.read import parse_number
from circuitrun.report.numbers import NONFINITE
from circuitrun.rows.errors import InputError

IO_CHARS = 1 << 20
"""About how much of the file is read at a time."""

_NUMBER = r" *[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)? *"
_NUMBERS = re.compile(rf"(?:{_NUMBER}\n)*{_NUMBER}")  # a column's cells joined by \n
# circuitrun's own words for them, and YAML's spellings
_NONFINITE = NONFINITE | {".nan": math.nan, "+inf": math.inf, ".inf": math.inf,
                          "+.inf": math.inf, "-.inf": -math.inf}


class Rows:
    """A chunk of input rows: a column for every input, and each row's line in the file."""

    def __init__(self, columns: dict[str, Any], lines: list[int], chars: int) -> None:
        self.columns = columns
        self.lines = lines
        self.chars = chars  # of the file, read for this chunk


def read_rows(path: Path, circuit: Circuit, defaults: dict[str, float | None],
              allow_nonfinite: bool) -> Iterator[Rows]:
    """The file's rows a chunk at a time; CSV or JSON Lines by suffix, else by content.

    ``defaults`` gives the value of inputs that the file leaves out (None: none).
    """
    with open(path, encoding="utf-8-sig", newline="") as f:
        first = f.readline()
        suffix = path.suffix.lower()
        jsonl = suffix in (".jsonl", ".ndjson", ".json") or (
            suffix != ".csv" and first.lstrip().startswith("{"))
        reader = (_JsonLines if jsonl else _Csv)(path, circuit, defaults, allow_nonfinite)
        yield from reader.chunks(f, first)


class _Reader:
    text_numbers = True  # cells are text: numbers are written as YAML 1.2 writes them

    def __init__(self, path: Path, circuit: Circuit, defaults: dict[str, float | None],
                 allow_nonfinite: bool) -> None:
        self.path = path
        self.inputs = list(circuit.inputs)
        self.defaults = defaults
        self.allow_nonfinite = allow_nonfinite

    def number(self, cell: Any, line: int, field: int | None, name: str) -> float:
        """A cell's number (YAML 1.2's syntax in CSV; a JSON number, or with
        with allow_nonfinite "nan", "inf", "-inf"), or an error naming the cell."""
        value: float | None = None
        if isinstance(cell, str):
            value = parse_number(cell.strip()) if self.text_numbers else None
            if value is None and self.allow_nonfinite:
                value = _NONFINITE.get(cell.strip().lower())
        elif isinstance(cell, int | float) and not isinstance(cell, bool):
            try:
                value = float(cell)
            except OverflowError:
                value = None
            if value is not None and not (self.allow_nonfinite or math.isfinite(value)):
                value = None
        if value is None:
            need = "a number" if self.allow_nonfinite else "a finite number"
            raise InputError(self.path, line, field,
                             f"input '{name}' needs {need}, not {json.dumps(cell)}")
        return value

    def unknown(self, name: str, line: int, field: int) -> InputError:
        return InputError(self.path, line, field, f"'{name}' is not an input of the circuit"
                                                  f"{did_you_mean(name, self.inputs)}")

    def missing(self, name: str, line: int) -> InputError:
        return InputError(self.path, line, None, f"no value for input '{name}': the spec has"
                                                 " none; give one in the file", missing=name)

    def fast(self, col: Any) -> Any | None:
        """The column as floats when every cell is fine, else None (check cell by cell)."""
        try:
            arr = np.array(col, dtype=np.float64)
        except (OverflowError, ValueError, TypeError):
            return None
        return arr if self.allow_nonfinite or np.isfinite(arr).all() else None


class _Csv(_Reader):
    def chunks(self, f: IO[str], first: str) -> Iterator[Rows]:
        import csv

        names = [h.strip() for h in next(csv.reader([first]), [])]
        for i, name in enumerate(names):
            if name not in self.inputs:
                raise self.unknown(name, 1, i + 1)
            if name in names[:i]:
                raise InputError(self.path, 1, i + 1, f"column '{name}' is given twice")
        for name in self.inputs:
            if name not in names and self.defaults[name] is None:
                raise self.missing(name, 1)
        line = 1
        header = len(first)  # counted with the first chunk, as JSON Lines counts its first line
        while lines := f.readlines(IO_CHARS):
            quoted = any('"' in x for x in lines)
            rows = csv.reader(lines) if quoted else (x.rstrip("\r\n").split(",") for x in lines)
            cells: list[list[str]] = []
            at: list[int] = []
            for row in rows:
                line += 1
                if row and row != [""]:  # blank lines are skipped
                    if len(row) != len(names):
                        raise InputError(self.path, line, None, f"{len(row)} fields, but the"
                                                                f" header has {len(names)}")
                    cells.append(row)
                    at.append(line)
            columns = {}
            for j, col in enumerate(zip(*cells, strict=True)):
                name = names[j]
                arr = self.fast(col) if _NUMBERS.fullmatch("\n".join(col)) else None
                columns[name] = arr if arr is not None else np.array(
                    [self.number(c, at[i], j + 1, name) for i, c in enumerate(col)])
            for name in self.inputs:
                if name not in columns:
                    columns[name] = np.full(len(at), self.defaults[name], dtype=np.float64)
            yield Rows(columns, at, sum(map(len, lines)) + header)
            header = 0


class _JsonLines(_Reader):
    text_numbers = False  # numbers are JSON numbers, not strings

    def chunks(self, f: IO[str], first: str) -> Iterator[Rows]:
        lines = [first]
        line = 0
        known = set(self.inputs)
        while lines := lines + f.readlines(IO_CHARS):
            objs: list[dict[str, Any]] = []
            at: list[int] = []
            for text in lines:
                line += 1
                if text.strip():
                    obj = self._object(text, line)
                    if not obj.keys() <= known:
                        keys = list(obj)
                        bad = next(k for k in keys if k not in known)
                        raise self.unknown(bad, line, keys.index(bad) + 1)
                    objs.append(obj)
                    at.append(line)
            yield Rows({name: self._column(name, objs, at) for name in self.inputs}, at,
                       sum(map(len, lines)))
            lines = []

    def _object(self, text: str, line: int) -> dict[str, Any]:
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(self.path, line, e.colno, e.msg) from None
        except ValueError:  # an integer of more than 4300 digits: as a float, it is inf
            obj = json.loads(text, parse_int=float)
        except RecursionError:  # a line nested thousands deep: no input is nested at all
            raise InputError(self.path, line, 1, "a line must be an object of input values"
                             ) from None
        if not isinstance(obj, dict):
            raise InputError(self.path, line, 1, "a line must be an object of input values")
        return obj

    def _column(self, name: str, objs: list[dict[str, Any]], at: list[int]) -> Any:
        default = self.defaults[name]
        col = [obj.get(name, default) for obj in objs]
        if all(type(v) is float or type(v) is int for v in col):
            arr = self.fast(col)
            if arr is not None:
                return arr
        values = []
        for i, v in enumerate(col):
            if name not in objs[i]:
                if default is None:
                    raise self.missing(name, at[i])
                values.append(default)
            else:
                values.append(self.number(v, at[i], list(objs[i]).index(name) + 1, name))
        return np.array(values, dtype=np.float64)
