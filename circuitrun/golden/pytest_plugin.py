"""pytest plugin: each circuit spec is one test item; one with nothing to compare fails.

Enabled by its ``pytest11`` entry point, or by ``pytest -p circuitrun.golden.pytest_plugin``;
it does nothing until ``circuitrun_paths`` (ini) or ``--circuitrun PATH`` names specs.
``import circuitrun`` never imports this module, so pytest stays a test-only dependency.

Safe under pytest-xdist (``pytest -n 2``): every worker discovers the same specs and stale
golden files (by the one rule, never by which items it ran), each golden file is written
whole by the one item of its spec, and what was written reaches the terminal summary
through the reports (``user_properties``), from whichever worker wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from circuitrun.api.circuit import Circuit, load
from circuitrun.golden.discover import Discovered, discover, golden_for, uncovered
from circuitrun.golden.report import update_command
from circuitrun.golden.run import check_spec
from circuitrun.problems import SpecError, UsageError


@dataclass(slots=True)
class _Settings:
    paths: list[Path]
    golden_dir: Path | None
    update: bool
    prune: bool
    from_command_line: bool
    here: Path  # where pytest was invoked: paths are shown relative to it
    updates: list[str] = field(default_factory=list)  # lines for the terminal summary
    _found: Discovered | UsageError | None = None
    _specs: set[Path] = field(default_factory=set)

    def discovered(self) -> Discovered:
        """The specs and golden files (``circuitrun.golden.discover``'s rule), found once."""
        if self._found is None:
            try:
                self._found = discover(self.paths, self.golden_dir)
                self._specs = {p.absolute() for p in self._found.specs}
            except UsageError as e:  # two specs for one golden file: said after collection
                self._found = e
        if isinstance(self._found, UsageError):
            raise pytest.UsageError(str(self._found))
        return self._found

    def covers(self, path: Path) -> bool:
        """Whether ``path`` is one of the specs discovered (a link to one is not)."""
        try:
            self.discovered()
        except pytest.UsageError:
            return False
        return path.absolute() in self._specs

    def golden_for(self, spec: Path) -> Path | None:
        return None if self.golden_dir is None else golden_for(spec, self.golden_dir)

    def shown(self, path: Path) -> str:
        return str(path.relative_to(self.here)) if path.is_relative_to(self.here) else str(path)


_SETTINGS = pytest.StashKey[_Settings]()
_WRITTEN = "circuitrun golden file"  # a user property: what an item wrote or removed


class _Written:
    """Collects what items wrote from their reports: under xdist, the controller gets
    the reports its workers send, so the summary lists every worker's files."""

    def __init__(self, settings: _Settings) -> None:
        self.settings = settings

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.settings.updates += [str(v) for k, v in report.user_properties
                                      if k == _WRITTEN]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("circuitrun", "circuitrun golden checks")
    group.addoption("--circuitrun", action="append", default=[], metavar="PATH",
                    help="check the circuit specs at PATH (a file or a folder; repeatable)")
    group.addoption("--circuitrun-golden-dir", metavar="DIR",
                    help="compare each spec X with DIR/X.json as well")
    group.addoption("--circuitrun-update", action="store_true",
                    help="write the golden files instead of comparing them")
    group.addoption("--circuitrun-prune", action="store_true",
                    help="remove golden files whose spec is gone (refused unless the"
                    " configured paths cover every spec of the golden folder)")
    parser.addini("circuitrun_paths", "circuit spec files or folders to check",
                  type="paths", default=[])
    parser.addini("circuitrun_golden_dir", "folder of golden files (relative to the ini file)",
                  default="")


def pytest_configure(config: pytest.Config) -> None:
    here = Path(config.invocation_params.dir).resolve()
    ini_dir = (config.inipath.parent if config.inipath else config.rootpath).resolve()
    given = config.getoption("circuitrun")
    paths = [(here / p).resolve() for p in given] if given else [
        Path(p).resolve() for p in config.getini("circuitrun_paths")]
    gdir_opt, gdir_ini = config.getoption("circuitrun_golden_dir"), config.getini(
        "circuitrun_golden_dir")
    gdir = (here / gdir_opt).resolve() if gdir_opt else (
        (ini_dir / gdir_ini).resolve() if gdir_ini else None)
    update = bool(config.getoption("circuitrun_update"))
    prune = bool(config.getoption("circuitrun_prune"))
    if paths and gdir is not None and not update and not gdir.is_dir():
        raise pytest.UsageError(f"circuitrun golden dir '{gdir}': no such folder"
                                " (--circuitrun-update creates it)")
    if paths:
        settings = _Settings(paths, gdir, update, prune, bool(given), here)
        config.stash[_SETTINGS] = settings
        config.pluginmanager.register(_Written(settings), "circuitrun-written")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    settings = parent.config.stash.get(_SETTINGS, None)
    if settings is not None and settings.covers(file_path):
        return SpecFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)  # before -k and the like select from the items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    settings = config.stash.get(_SETTINGS, None)
    # The configured specs join a run of the whole suite; a run of named tests gets
    # them only when they were named with --circuitrun (or are among the named files).
    if settings is None or (config.getoption("file_or_dir") and not settings.from_command_line):
        return
    done = {item.path.resolve() for item in items if isinstance(item, SpecItem)}
    discovered = settings.discovered()
    files: list[pytest.File] = [SpecFile.from_parent(session, path=spec.resolve())
                                for spec in discovered.specs if spec.resolve() not in done]
    files += [GoldenFile.from_parent(session, path=g) for g in discovered.stale]
    for file in files:
        found = list(file.collect())
        # Reported as pytest reports what it collects itself: counted in "collected N items".
        config.hook.pytest_collectreport(report=pytest.CollectReport(
            file.nodeid, "passed", None, found))
        items.extend(item for item in found if isinstance(item, pytest.Item))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    settings = config.stash.get(_SETTINGS, None)
    if settings is not None and settings.updates:
        terminalreporter.section("circuitrun golden files")
        for line in settings.updates:
            terminalreporter.write_line(line)


class CheckFailed(Exception):
    """A spec that failed its check; ``lines`` say why, as ``circuitrun check`` does."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class _CheckItem(pytest.Item):
    """An item whose failure is the report lines themselves, without a traceback."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return "\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo, style))


class SpecFile(pytest.File):
    """A circuit spec: one item (failing when it cannot be read or has nothing to compare)."""

    def collect(self) -> list[pytest.Item]:
        try:
            circuit: Circuit | None = load(self.path)
        except SpecError:
            circuit = None  # the item fails and says why
        return [SpecItem.from_parent(self, name="check", circuit=circuit)]


class SpecItem(_CheckItem):
    """The check of one spec: its expect block and its golden file."""

    def __init__(self, *, circuit: Circuit | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._circuit = circuit

    def runtest(self) -> None:
        settings = self.config.stash[_SETTINGS]
        golden = settings.golden_for(self.path)
        result = check_spec(settings.shown(self.path),
                            None if golden is None else settings.shown(golden),
                            update=settings.update, circuit=self._circuit)
        self._circuit = None  # a large circuit need not stay in memory
        if result.action:
            self.user_properties.append((_WRITTEN, f"{result.golden}: {result.action}"))
        if not result.failed:
            return
        lines = [str(text) for text, _ in result.lines(self.config.get_verbosity() > 0)]
        if result.golden_failures and not settings.update:
            accept = update_command([result.path], settings.shown(settings.golden_dir or Path()))
            lines.append(f"to accept the new numbers: {accept}"
                         " (or run pytest with --circuitrun-update)")
        raise CheckFailed(lines)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.config.stash[_SETTINGS].shown(self.path)


class GoldenFile(pytest.File):
    """A golden file whose spec was not found; its one item is the stale check."""

    def collect(self) -> list[pytest.Item]:
        return [StaleItem.from_parent(self, name="stale")]


class StaleItem(_CheckItem):
    """Fails for a stale golden file, or removes it with --circuitrun-update."""

    def runtest(self) -> None:
        settings = self.config.stash[_SETTINGS]
        shown = settings.shown(self.path)
        stale = f"{shown}: stale golden: no spec '{self.path.stem}' was checked"
        if settings.prune and settings.golden_dir is not None:
            why = uncovered(settings.discovered(), settings.paths, settings.golden_dir)
            if why is not None:
                raise CheckFailed([stale, f"--circuitrun-prune refused: {why}"])
            self.path.unlink(missing_ok=True)
            self.user_properties.append((_WRITTEN, f"{shown}: removed (stale golden)"))
            return
        raise CheckFailed([stale, "to remove it: run pytest with --circuitrun-prune"])

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.config.stash[_SETTINGS].shown(self.path)} (stale)"
