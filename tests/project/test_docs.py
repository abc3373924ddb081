"""The README and docs/ say what is true: every console example prints what it shows,
every relative link leads to a file (and heading) that exists, the README stays short.

A ```console block is a sequence of ``$ COMMAND`` lines, each followed by what it prints
(stdout and stderr, as a terminal shows them, less trailing blanks). Each block runs in a
fresh folder holding a copy of ``circuits/``, with ``circuitrun`` on PATH, through bash.
``$ cat FILE`` of a file the folder does not have shows the file's content: the block's
author made it, so the test writes it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent


def _console_blocks(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return re.findall(r"^```console\n(.*?)^```$", text, flags=re.M | re.S)


def _steps(block: str) -> list[tuple[str, str]]:
    """(command, what it prints) pairs of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines(keepends=True):
        if line.startswith("$ "):
            steps.append((line[2:].rstrip("\n"), []))
        else:
            assert steps, f"console block starts with output, not a command: {line!r}"
            steps[-1][1].append(line)
    return [(command, "".join(shown)) for command, shown in steps]


EXAMPLES = [(page, i, block) for page in PAGES for i, block in enumerate(_console_blocks(page))]


@pytest.mark.parametrize(("page", "index", "block"), EXAMPLES,
                         ids=[f"{p.relative_to(ROOT)}-{i}" for p, i, _ in EXAMPLES])
def test_console_example_prints_what_it_shows(page: Path, index: int, block: str,
                                              tmp_path: Path) -> None:
    shutil.copytree(ROOT / "circuits", tmp_path / "circuits")
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", NO_COLOR="1",
               COLUMNS="200")
    for command, shown in _steps(block):
        cat = re.fullmatch(r"cat (\S+)", command)
        if cat and not (tmp_path / cat[1]).exists():
            (tmp_path / cat[1]).write_text(shown, encoding="utf-8")
        run = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, text=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=120)
        printed = "".join(line.rstrip() + "\n" for line in run.stdout.splitlines())
        assert printed == shown, f"{page.name}: `{command}` printed:\n{run.stdout}"


LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings."""
    text = re.sub(r"^```.*?^```$", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    text = re.sub(r"^```.*?^```$", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    links = [link for link in LINK.findall(text) if "://" not in link]
    for link in links:
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{page.name}: link to {link} leads nowhere"
        if anchor:
            assert anchor in _anchors(path), f"{page.name}: no heading for #{anchor}"


def test_readme_links_to_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in PAGES[1:]:
        assert f"](docs/{page.name})" in readme, f"README.md does not link to docs/{page.name}"


def test_readme_is_short() -> None:
    # The README is the pitch, the Quickstart, one spec, the op table and one example per
    # command; everything else lives in docs/.
    assert len((ROOT / "README.md").read_bytes()) <= 15 * 1024
