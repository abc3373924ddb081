"""Stage 1, reading: a spec file's bytes → text → plain data, with positions when asked for.

``read_text`` reads a file; ``parse`` reads its text (the one way in, whichever reader
serves); ``parse_number`` reads a number written as YAML 1.2 writes one.
"""

from circuitrun.read.document import parse
from circuitrun.read.parsed import Parsed, Positions
from circuitrun.read.scalars import parse_number
from circuitrun.read.source import (
    check_characters,
    line_col,
    lone_surrogate,
    read_text,
    shown_text,
    split_lines,
)

__all__ = ["Parsed", "Positions", "check_characters", "line_col", "lone_surrogate", "parse",
           "parse_number", "read_text", "shown_text",
           "split_lines"]
