"""The committed JSON Schema in an editor: the real yaml-language-server (the YAML
extension of VS Code, Neovim, Helix ...) driven over the Language Server Protocol by
``yaml_ls_client.js``.  Every example and valid file gets no diagnostic; every broken
file exactly the diagnostics written in its ``# editor: LINE:COL message`` lines
(``{OPS_QUOTED}`` stands for the op table's names as the server lists them).

yaml-language-server is not a Python package: ``npm install -g
yaml-language-server@1.25.0`` (CI installs it, see .ci/run; elsewhere the test skips).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from circuitrun.ops import OPS

from support.needs import need

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CLEAN = sorted([*(ROOT / "circuits").glob("*.yaml"), *(HERE / "valid").glob("*.yaml")])
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
EXPECTED = "# editor: "


def diagnostics(files: list[Path]) -> dict[str, list[str]]:
    """Each file's diagnostics from the server, as ``LINE:COL message``."""
    node, server = need("node"), need("yaml-language-server")
    done = subprocess.run([node, str(HERE / "yaml_ls_client.js"), server, *map(str, files)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


def expected(path: Path) -> list[str]:
    ops = ", ".join(f'"{name}"' for name in OPS)
    return [line[len(EXPECTED):].replace("{OPS_QUOTED}", ops)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith(EXPECTED)]


def test_the_editor_shows_each_broken_files_message_and_nothing_else() -> None:
    assert CLEAN and BROKEN
    found = diagnostics([*CLEAN, *BROKEN])
    assert {Path(f).name: d for f, d in found.items() if Path(f) in CLEAN} == {
        p.name: [] for p in CLEAN}
    for path in BROKEN:
        want = expected(path)
        assert want, f"{path.name} says no message the editor must show"
        assert sorted(found[str(path)]) == sorted(want), path.name
    # The holes of issue 10, as a user sees them.
    assert found[str(HERE / "broken" / "ties_on_add.yaml")] == [
        "7:11 'ties' is only for max and min"]
    assert "9:3 a name is letters, digits and _, not starting with a digit" in found[
        str(HERE / "broken" / "name_not_a_name.yaml")]
