"""Rows of input values from a file: CSV or JSON Lines, in chunks.

A problem in the file is one line, ``FILE:LINE:FIELD: error: ... [bad-input]``: the
line in the file, and the 1-based field of a CSV row or key of a JSON object.  CSV
cells are numbers as YAML 1.2 writes them; JSON Lines values are JSON numbers.  With
``allow_nonfinite``, ``nan``, ``inf`` and ``-inf`` are accepted too (the words that
circuitrun writes).  Lines and cells are bounded (``MAX_LINE``, ``MAX_CELL``), and a bad
cell is quoted cut short.  The rows before the first bad one are handed on before its
problem is raised.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from circuitrun.api.circuit import Circuit
from circuitrun.problems import did_you_mean
from circuitrun.read import parse_number
from circuitrun.report.numbers import NONFINITE
from circuitrun.rows.chunk import Rows
from circuitrun.rows.errors import InputError
from circuitrun.rows.lines import quoted, read_lines
from circuitrun.rows.parquet import is_parquet, read_parquet_rows
from circuitrun.spec.refs import element_issue

IO_CHARS = 1 << 20
"""About how much of the file is read at a time."""
MAX_CELL = 1000
"""Characters of one CSV cell at most (a float's repr takes 24)."""

_NUMBER = r" *[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)? *"
_NUMBERS = re.compile(rf"(?:{_NUMBER}\n)*{_NUMBER}")  # a column's cells joined by \n
# circuitrun's own words for them, and YAML's spellings
_NONFINITE = NONFINITE | {".nan": math.nan, "+inf": math.inf, ".inf": math.inf,
                          "+.inf": math.inf, "-.inf": -math.inf}


def read_rows(path: Path, circuit: Circuit, defaults: dict[str, float | None],
              allow_nonfinite: bool) -> Iterator[Rows]:
    """The file's rows a chunk at a time; Parquet, CSV or JSON Lines by suffix, else by
    content (JSON Lines if the first line starts with ``{``, else CSV).

    ``defaults`` gives the value of inputs that the file leaves out (None: none).
    """
    if is_parquet(path):
        yield from read_parquet_rows(path, defaults, allow_nonfinite, shapes=circuit.shapes)
        return
    with open(path, encoding="utf-8-sig", newline="") as f:
        blocks = read_lines(f, path, IO_CHARS)
        block = next(blocks, [""])
        first = block[0]
        suffix = path.suffix.lower()
        jsonl = suffix in (".jsonl", ".ndjson", ".json") or (
            suffix != ".csv" and first.lstrip().startswith("{"))
        reader = (_JsonLines if jsonl else _Csv)(path, circuit, defaults, allow_nonfinite)
        yield from reader.chunks(first, chain([block[1:]], blocks))


class _Reader:
    text_numbers = True  # cells are text: numbers are written as YAML 1.2 writes them

    def __init__(self, path: Path, circuit: Circuit, defaults: dict[str, float | None],
                 allow_nonfinite: bool) -> None:
        self.path = path
        self.inputs = list(circuit.inputs)
        self.shapes = circuit.shapes
        self.defaults = defaults
        self.allow_nonfinite = allow_nonfinite

    def number(self, cell: Any, line: int, field: int | None, name: str) -> float:
        """A cell's number (YAML 1.2's syntax in CSV; a JSON number, or with
        with allow_nonfinite "nan", "inf", "-inf"), or an error naming the cell."""
        value: float | None = None
        if isinstance(cell, str):
            if self.text_numbers and len(cell) > MAX_CELL:
                raise InputError(self.path, line, field, f"input '{name}' needs a number of at"
                                 f" most {MAX_CELL:,} characters, not {quoted(cell)}")
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
                             f"input '{name}' needs {need}, not {quoted(cell)}")
        return value

    def unknown(self, name: str, line: int, field: int) -> InputError:
        # a vector's name, an element past its end: say so (SPEC section 9.3)
        return InputError(self.path, line, field, element_issue(name, self.shapes)
                          or f"'{name}' is not an input of the circuit"
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

    def slow(self, name: str, cells: Iterable[tuple[Any, int, int | None]], upto: int
             ) -> tuple[Any, tuple[int, int, InputError] | None]:
        """A column checked cell by cell (``(cell, line, field)``), up to row ``upto``: its
        floats, and its first bad cell as ``(row, field, problem)``."""
        values: list[float] = []
        for i, (cell, line, field) in enumerate(cells):
            if i >= upto:
                break
            try:
                values.append(self.number(cell, line, field, name))
            except InputError as e:
                return np.array(values, dtype=np.float64), (i, field or 0, e)
        return np.array(values, dtype=np.float64), None

    def chunk(self, columns: dict[str, Any], bad: list[tuple[int, int, InputError]],
              lines: list[int], chars: int, late: InputError | None) -> Iterator[Rows]:
        """The chunk's rows up to its first problem (of a cell, or ``late``: of a line
        after the rows), then that problem."""
        first = min(bad, key=lambda b: b[:2], default=None)
        n = len(lines) if first is None else first[0]
        if n:
            yield Rows({k: v[:n] for k, v in columns.items()}, lines[:n], chars)
        if first is not None:
            raise first[2]
        if late is not None:
            raise late


class _Csv(_Reader):
    def chunks(self, first: str, blocks: Iterable[list[str]]) -> Iterator[Rows]:
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
        for lines in blocks:
            if not lines:
                continue
            quoted_cells = any('"' in x for x in lines)
            rows = csv.reader(lines) if quoted_cells else (x.rstrip("\r\n").split(",")
                                                           for x in lines)
            cells: list[list[str]] = []
            at: list[int] = []
            late = None
            for row in rows:
                line += 1
                if row and row != [""]:  # blank lines are skipped
                    if len(row) != len(names):
                        late = InputError(self.path, line, None, f"{len(row)} fields, but the"
                                                                 f" header has {len(names)}")
                        break
                    cells.append(row)
                    at.append(line)
            columns = {}
            bad: list[tuple[int, int, InputError]] = []
            for j, col in enumerate(zip(*cells, strict=True)):
                name = names[j]
                arr = self.fast(col) if (_NUMBERS.fullmatch("\n".join(col))
                                         and max(map(len, col)) <= MAX_CELL) else None
                if arr is None:
                    arr, found = self.slow(name, ((c, at[i], j + 1) for i, c in enumerate(col)),
                                           min((b[0] for b in bad), default=len(at)))
                    bad += [found] if found else []
                columns[name] = arr
            for name in self.inputs:
                if name not in columns:
                    columns[name] = np.full(len(at), self.defaults[name], dtype=np.float64)
            yield from self.chunk(columns, bad, at, sum(map(len, lines)) + header, late)
            header = 0
            if late is not None:
                return


class _JsonLines(_Reader):
    text_numbers = False  # numbers are JSON numbers, not strings

    def chunks(self, first: str, blocks: Iterable[list[str]]) -> Iterator[Rows]:
        line = 0
        known = set(self.inputs)
        blocks = iter(blocks)
        for lines in chain([[first, *next(blocks, [])]], blocks):
            objs: list[dict[str, Any]] = []
            at: list[int] = []
            late = None
            for text in lines:
                line += 1
                if text.strip():
                    try:
                        obj = self._object(text, line)
                        if not obj.keys() <= known:
                            keys = list(obj)
                            bad_key = next(k for k in keys if k not in known)
                            raise self.unknown(bad_key, line, keys.index(bad_key) + 1)
                    except InputError as e:
                        late = e
                        break
                    objs.append(obj)
                    at.append(line)
            columns = {}
            bad: list[tuple[int, int, InputError]] = []
            for name in self.inputs:
                columns[name], found = self._column(name, objs, at, bad)
                bad += [found] if found else []
            yield from self.chunk(columns, bad, at, sum(map(len, lines)), late)
            if late is not None:
                return

    def _object(self, text: str, line: int) -> dict[str, Any]:
        text = text.rstrip("\r\n")  # an error at the end is placed on this line
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
        if text.count(":") != len(obj):  # a key given twice (or a colon in a string)
            pairs = json.loads(text, object_pairs_hook=list, parse_int=float)
            keys = [k for k, _ in pairs]
            for i, key in enumerate(keys):
                if key in keys[:i]:
                    raise InputError(self.path, line, i + 1, f"input '{key}' is given twice")
        return obj

    def _column(self, name: str, objs: list[dict[str, Any]], at: list[int],
                bad: list[tuple[int, int, InputError]]
                ) -> tuple[Any, tuple[int, int, InputError] | None]:
        default = self.defaults[name]
        col = [obj.get(name, default) for obj in objs]
        if all(type(v) is float or type(v) is int for v in col):
            arr = self.fast(col)
            if arr is not None:
                return arr, None
        cells: list[tuple[Any, int, int | None]] = []
        for i, obj in enumerate(objs):
            if name in obj:
                cells.append((obj[name], at[i], list(obj).index(name) + 1))
            elif default is None:
                cells.append((_MISSING, at[i], None))
            else:  # the default stands
                cells.append((default, at[i], None))
        return self.slow(name, cells, min((b[0] for b in bad), default=len(at)))

    def number(self, cell: Any, line: int, field: int | None, name: str) -> float:
        if cell is _MISSING:
            raise self.missing(name, line)
        return super().number(cell, line, field, name)


_MISSING = object()  # a JSON row without a value for an input that has no default
