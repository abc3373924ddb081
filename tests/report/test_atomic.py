"""Nothing lost: ``run -o FILE`` and ``check --update`` write a file whole or not at all.

- A real process killed by SIGKILL while it writes (held inside the write by a slow
  ``fsync``, or caught at random moments of a 40 MB write) leaves the old file intact or
  the new one complete, never a mix; the temporary file it may leave behind is a hidden
  ``.NAME.*.tmp`` that neither ``check`` nor a glob for the output can mistake for one.
- A write that fails half way (disk full, in the middle of the data) leaves the old file
  and no temporary file, and says so in one line, exit 2.
- A symlink is written through; a FIFO or ``/dev/fd/N`` is written in place (a rename
  would replace it).
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from circuitrun.cli import app

runner = CliRunner()

SQUARE = "inputs: {x: 2}\ngates:\n  f: {op: square, in: x}\n"
OLD = '{"old": "contents"}\n'

# circuitrun's command line with os.fsync held for a minute: the process is then inside
# write_atomic, the data in the temporary file, the rename not done.
SLOW_FSYNC = textwrap.dedent("""\
    import os, sys, time
    def fsync(fd):
        sys.stderr.write("in fsync\\n"); sys.stderr.flush()
        time.sleep(60)
    os.fsync = fsync
    from circuitrun.cli import main
    sys.argv[0] = "circuitrun"
    main()
    """)


def big_spec(folder: Path, names: int = 20, length: int = 1_000_000) -> Path:
    """A JSON spec whose JSON result is about 2 * names * length bytes (40 MB)."""
    inputs = {f"n{i}_" + "x" * length: float(i) for i in range(names)}
    spec = {"inputs": inputs, "gates": {"f": {"op": "add", "in": list(inputs)}}}
    path = folder / "big.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def wait_for(predicate: Any, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.002)


# ---- SIGKILL while writing -------------------------------------------------------------


def test_run_killed_inside_the_write_keeps_the_old_file(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SQUARE)
    out = tmp_path / "out.json"
    out.write_text(OLD)
    with subprocess.Popen([sys.executable, "-c", SLOW_FSYNC, "run", str(spec), "-o", str(out)],
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            assert proc.stderr.readline() == "in fsync\n"  # the data is written, not renamed
            [tmp] = leftovers(tmp_path, "out.json")
            assert (tmp_path / tmp).read_text().startswith('{\n  "circuit": "spec"')
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            proc.kill()
    assert out.read_text() == OLD
    # What SIGKILL leaves: the temporary file, hidden and named .out.json.XXXXXXXX.tmp.
    assert leftovers(tmp_path, "out.json") == [tmp]
    assert tmp.startswith(".out.json.") and tmp.endswith(".tmp")
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["out.json"]
    # the next run writes the file, and cleans nothing it did not make
    assert runner.invoke(app, ["run", str(spec), "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["value"] == 4.0
    assert leftovers(tmp_path, "out.json") == [tmp]


def test_run_killed_at_random_moments_never_leaves_half_a_file(tmp_path: Path) -> None:
    # A 40 MB result: kill the process as soon as its temporary file appears, and after
    # growing delays; the output is always the old file or the whole new one.
    spec = big_spec(tmp_path)
    out = tmp_path / "out.json"
    seen = set()
    for delay in (0.0, 0.001, 0.003, 0.01, 0.03):
        out.write_text(OLD)
        with subprocess.Popen([sys.executable, "-m", "circuitrun", "run", str(spec), "-o",
                               str(out)], stderr=subprocess.DEVNULL) as proc:
            try:
                wait_for(lambda p=proc: leftovers(tmp_path, "out.json") or p.poll() is not None)
                time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
            finally:
                proc.kill()
        text = out.read_text()
        if text == OLD:
            seen.add("old")
        else:
            assert json.loads(text)["value"] == sum(range(20)), "a half-written file"
            seen.add("new")
        for tmp in leftovers(tmp_path, "out.json"):
            (tmp_path / tmp).unlink()
    assert "old" in seen  # at least one kill landed inside the write


def test_check_update_killed_inside_a_write_keeps_every_golden_file(tmp_path: Path) -> None:
    specs, golden = tmp_path / "circuits", tmp_path / "golden"
    specs.mkdir()
    golden.mkdir()
    (specs / "a.yaml").write_text(SQUARE)
    (specs / "b.yaml").write_text(SQUARE.replace("x: 2", "x: 3"))
    (golden / "a.json").write_text(OLD)
    (golden / "b.json").write_text(OLD)
    with subprocess.Popen([sys.executable, "-c", SLOW_FSYNC, "check", str(specs),
                           "--golden-dir", str(golden), "--update"],
                          stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as proc:
        try:
            assert proc.stderr is not None
            assert proc.stderr.readline() == "in fsync\n"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            proc.kill()
    assert (golden / "a.json").read_text() == OLD  # killed while writing a.json
    assert (golden / "b.json").read_text() == OLD  # never reached
    [tmp] = leftovers(golden, "a.json")
    # The leftover is no golden file: check neither compares it nor calls it stale.
    out = runner.invoke(app, ["check", str(specs), "--golden-dir", str(golden)])
    assert tmp not in out.stdout and "stale" not in out.stdout
    out = runner.invoke(app, ["check", str(specs), "--golden-dir", str(golden), "--update"])
    assert out.exit_code == 0, out.stdout
    assert json.loads((golden / "a.json").read_text())["value"] == 4.0
    assert json.loads((golden / "b.json").read_text())["value"] == 9.0
    assert leftovers(golden, "a.json") == [tmp]  # left as SIGKILL left it


# ---- a write that fails half way -------------------------------------------------------


class FullDisk:
    """A file that takes half of what is written, then says the disk is full."""

    def __init__(self, f: io.TextIOWrapper) -> None:
        self.f = f

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.f.close()

    def write(self, text: str) -> int:
        self.f.write(text[: len(text) // 2])
        self.f.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.f, name)


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        f = real(fd, mode, *args, **kwargs)
        return FullDisk(f) if "w" in mode else f

    monkeypatch.setattr(os, "fdopen", fdopen)


def test_run_with_a_full_disk_keeps_the_old_file(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SQUARE)
    out = tmp_path / "out.json"
    out.write_text(OLD)
    full_disk(monkeypatch)
    result = runner.invoke(app, ["run", str(spec), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (f"circuitrun run: error: cannot write '{out}': No space left on"
                             " device [usage]\n")
    assert out.read_text() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "spec.yaml"]


def test_check_update_with_a_full_disk_keeps_the_old_golden(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    specs, golden = tmp_path / "circuits", tmp_path / "golden"
    specs.mkdir()
    golden.mkdir()
    (specs / "a.yaml").write_text(SQUARE)
    (golden / "a.json").write_text(OLD)
    full_disk(monkeypatch)
    result = runner.invoke(app, ["check", str(specs), "--golden-dir", str(golden), "--update"])
    assert result.exit_code == 2
    assert result.stderr == f"{golden / 'a.json'}: error: cannot write: no space left on device\n"
    assert (golden / "a.json").read_text() == OLD
    assert sorted(p.name for p in golden.iterdir()) == ["a.json"]


@pytest.mark.parametrize("fails", ["chmod", "replace"])
def test_run_when_the_rename_or_chmod_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            fails: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SQUARE)
    out = tmp_path / "out.json"
    out.write_text(OLD)

    def broken(*args: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, fails, broken)
    result = runner.invoke(app, ["run", str(spec), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (f"circuitrun run: error: cannot write '{out}': Permission denied"
                             " [usage]\n")
    assert out.read_text() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "spec.yaml"]


# ---- what -o names ---------------------------------------------------------------------


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SQUARE)
    (tmp_path / "real.json").write_text(OLD)
    (tmp_path / "link.json").symlink_to("real.json")
    assert runner.invoke(app, ["run", str(spec), "-o", str(tmp_path / "link.json")]).exit_code == 0
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads((tmp_path / "real.json").read_text())["value"] == 4.0


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SQUARE)
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    proc = subprocess.run([sys.executable, "-m", "circuitrun", "run", str(spec), "-o", str(fifo)],
                          capture_output=True, text=True, timeout=30)
    reader.join(timeout=30)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(got[0])["value"] == 4.0
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "spec.yaml"]


def test_dev_fd_is_written_in_place(tmp_path: Path) -> None:
    # /dev/fd/1 is this process's stdout: written in place, nothing made next to it
    spec = tmp_path / "spec.yaml"
    spec.write_text(SQUARE)
    proc = subprocess.run([sys.executable, "-m", "circuitrun", "run", str(spec), "-o",
                           "/dev/fd/1", "--format", "csv"], capture_output=True, text=True,
                          timeout=30)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "name,op,in,value,grad\nx,input,,2.0,4.0\nf,square,x,4.0,1.0\n"
