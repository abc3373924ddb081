"""Which files are specs, and which golden files go with them: the one rule, used by
``circuitrun check``, ``circuitrun validate`` and the pytest plugin.

- A path given that is not a folder is a spec, whatever its name: it was asked for
  (a missing or unreadable one is then reported as such, never passed over).
- A folder is searched recursively for files named ``*.yaml``, ``*.yml`` or ``*.json``
  (the suffix in any case) that are not folders, in sorted order (a file found that
  cannot be read, such as a symlink loop or a FIFO, is reported), passing over
  - hidden names: a file or folder whose name starts with ``.`` (``.git``, ``.venv``,
    ``.github/workflows/*.yml`` and ``.pre-commit-config.yaml`` are YAML, not specs);
  - everything under the golden folder (golden files are JSON, and not specs).
- Each file is a spec once, however many paths lead to it (by its real path).
- The golden file of spec ``X.yaml`` (``.yml``, ``.json``) is ``GOLDEN_DIR/X.json``;
  two specs with one name ``X`` cannot share it (a ``UsageError``).
- A ``*.json`` file at the top of the golden folder (not hidden) that is no spec's is
  stale; stale files are looked for only when a folder was searched, since a spec
  named alone says nothing of the others.
- A stale file may be removed only when its spec is gone, not merely elsewhere: see
  ``uncovered``, the one rule for ``check --prune`` and the pytest plugin.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from circuitrun.problems import UsageError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
GOLDEN_SUFFIX = ".json"


@dataclass(slots=True)
class Discovered:
    """The specs found, each one's golden file, and golden files whose spec is gone."""

    specs: list[Path]
    goldens: dict[Path, Path] = field(default_factory=dict)  # spec -> its golden file
    stale: list[Path] = field(default_factory=list)


def discover(paths: Iterable[str | Path], golden_dir: str | Path | None = None) -> Discovered:
    """The specs at ``paths`` and their golden files in ``golden_dir``, by the rule above."""
    roots = [Path(p) for p in paths]
    gdir = Path(golden_dir) if golden_dir is not None else None
    skip = gdir.resolve() if gdir is not None else None
    seen: set[Path] = set()
    specs = []
    for root in roots:
        for p in _candidates(root):
            real = Path(os.path.realpath(p))  # a symlink loop resolves as far as it goes
            if real in seen or (skip is not None and real.is_relative_to(skip)):
                continue
            seen.add(real)
            specs.append(p)
    found = Discovered(specs)
    if gdir is not None:
        found.goldens = _goldens(specs, gdir)
        if any(p.is_dir() for p in roots) and gdir.is_dir():
            stems = {p.stem for p in specs}
            found.stale = [g for g in sorted(gdir.iterdir()) if g.suffix == GOLDEN_SUFFIX
                           and not g.name.startswith(".") and g.stem not in stems
                           and g.is_file()]
    return found


def _candidates(root: Path) -> list[Path]:
    if not root.is_dir():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in SPEC_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(root).parts)
                  and not _is_dir(p))


def _is_dir(p: Path) -> bool:
    # Anything else named like a spec is one: a symlink loop, a FIFO or a link to a device
    # is then reported as unreadable, never passed over in silence.
    try:
        return p.is_dir()
    except OSError:
        return False


def _goldens(specs: list[Path], golden_dir: Path) -> dict[Path, Path]:
    owner: dict[str, Path] = {}
    for spec in specs:
        if spec.stem in owner:
            raise UsageError(f"'{owner[spec.stem]}' and '{spec}' would share the golden file"
                             f" '{golden_for(spec, golden_dir)}': rename one")
        owner[spec.stem] = spec
    return {spec: golden_for(spec, golden_dir) for spec in specs}


def golden_for(spec: Path, golden_dir: Path) -> Path:
    """The golden file of ``spec``: ``golden_dir/STEM.json``."""
    return golden_dir / f"{spec.stem}{GOLDEN_SUFFIX}"


def uncovered(found: Discovered, paths: Iterable[str | Path],
              golden_dir: str | Path) -> str | None:
    """Why the stale golden files of ``found`` cannot be removed safely, or None.

    A golden file is stale when no spec of its stem was found at ``paths``; it may only be
    removed when its spec is gone, not merely elsewhere.  So the paths must be folders
    (a spec named alone says nothing of the others), and no spec of a stale golden file's
    stem may exist elsewhere under the folder that holds both the golden folder and the
    paths (searched by the rule above), or else a partial run would delete its golden file.
    """
    roots = [Path(p) for p in paths]
    gdir = Path(golden_dir)
    if not any(_is_dir(p) for p in roots):
        return ("the paths given are files: a spec named alone says nothing of the others,"
                " so no golden file can be told stale")
    if not found.stale:
        return None
    stems = {g.stem: g for g in found.stale}
    top = Path(os.path.commonpath([gdir.resolve().parent, *(p.resolve() for p in roots)]))
    checked = {Path(os.path.realpath(p)) for p in found.specs}
    skip = gdir.resolve()
    for p in _candidates(top):
        real = Path(os.path.realpath(p))
        if p.stem in stems and real not in checked and not real.is_relative_to(skip):
            return (f"'{_shown(stems[p.stem])}' is the golden file of '{_shown(p)}', which"
                    " the paths given do not cover: give every folder of specs that the"
                    " golden folder serves")
    return None


def _shown(p: Path) -> str:
    here = Path.cwd()
    return str(p.relative_to(here)) if p.is_absolute() and p.is_relative_to(here) else str(p)
