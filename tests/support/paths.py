"""The repository's folders, for tests that read the examples, the docs or the README."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CIRCUITS = ROOT / "circuits"
