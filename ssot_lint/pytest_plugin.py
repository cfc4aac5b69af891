"""The pytest plugin (entry point `pytest11`, so installing ssot-lint installs it): `pytest --ssot-lint`
adds ssot-lint's findings to the test run, as pytest-ruff and pytest-mypy add theirs.

Items, marked `ssot_lint` (`-m ssot_lint` selects them, `-m "not ssot_lint"` leaves them out), after the
project's own tests:

- `path/to/file.py::ssot-lint` for each file with a violation that fails, its failure the file's lines as
  `ssot-lint check` prints them (`path:line:col: CODE message`);
- `<config file>::ssot-lint[module:Name]` for each canonical symbol, failing while a violation of it is
  left, its failure the count and the symbol's figures as `ssot-lint report` words them.

`pytest --ssot-lint-verify` (with `--ssot-lint` or alone) adds `<config file>::ssot-lint-verify`, which runs
`ssot-lint verify` in pytest's interpreter (the project's code runs: it is opt-in) and fails with its lines
while the runtime disagrees with a static claim, settles an unknown one, or a module fails to import.

With a baseline (`--ssot-lint-baseline PATH`, or the ini key `ssot_lint_baseline`, relative to the ini
file) only violations not in it fail; none is read unless asked for, as with `check --baseline`. The
configuration, `per-file-ignores` and `# noqa` apply as in `check`, which does the work.

A clean file gets no item, though pytest-ruff and pytest-mypy give every file one. Their files are
checked one by one; ssot-lint's analysis is whole-program (a file's findings depend on every module it
imports through), so an item per file would be no unit of work, only overhead: 14,546 items on the
benchmark monorepo, to run one analysis. The symbols' items always exist, so a run always shows the check
(and `--lf` after a fix reruns the symbol's item, which then passes). Ids depend only on paths and
symbols: stable across runs (`--lf`) and the same on every xdist worker.

The analysis runs once per process, at session start, for the project found from where pytest was started
(as `check` finds it there; else from pytest's rootdir), with ssot-lint's cache. Under xdist the controller runs it first (xdist
starts its workers in a later session-start hook): a configuration error is then one usage error (exit
4), the cache is warm, and each worker, which must collect the same items as the others, gets the kept
answer. Without `--ssot-lint` nothing is imported beyond this module and pytest.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional, Sequence, Tuple

import pytest

if TYPE_CHECKING:
    from ssot_lint.commands.report import Report
    from ssot_lint.config import ConfigError
    from ssot_lint.rule import Violation

MARKER = "ssot_lint"
ITEM = "ssot-lint"  # the name of every item, with the symbol in brackets for a symbol's
VERIFY_ITEM = "ssot-lint-verify"

# What an item checks: None when it passes, else the text of its failure.
Check = Callable[[], Optional[str]]


@dataclass(frozen=True)
class Spec:
    """An item to make: its name, what its failure is headed with (the file or the symbol), its check."""

    name: str
    heading: str
    check: Check


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ssot-lint")
    group.addoption("--ssot-lint", action="store_true", dest="ssot_lint",
                    help="Check the project with ssot-lint too: an item per file with violations and per "
                         "canonical symbol (marker ssot_lint).")
    group.addoption("--ssot-lint-verify", action="store_true", dest="ssot_lint_verify",
                    help="Also verify the static claims at runtime (`ssot-lint verify`, which imports the "
                         "project's modules): one item, marker ssot_lint.")
    group.addoption("--ssot-lint-baseline", metavar="PATH", dest="ssot_lint_baseline",
                    help="With --ssot-lint: fail only on violations not in this baseline (`ssot-lint baseline`).")
    parser.addini("ssot_lint_baseline", "The baseline for --ssot-lint when --ssot-lint-baseline is not given "
                                         "(relative to the ini file).", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: an ssot-lint item (pytest --ssot-lint)")
    if config.getoption("ssot_lint") or config.getoption("ssot_lint_verify"):
        config.pluginmanager.register(SsotLint(config), "ssot-lint-session")


class Failed(Exception):
    """An item's findings: its text is the failure shown, without a traceback."""


class LintItem(pytest.Item):
    """An ssot-lint item, reading the session's analysis (see `SsotLint._project_specs` for one more)."""

    def __init__(self, *, spec: Spec, **kwargs) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.add_marker(MARKER)

    def runtest(self) -> None:
        failure = self.spec.check()
        if failure is not None:
            raise Failed(failure)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, Failed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> Tuple[Path, None, str]:
        # The failure's heading. (Not the id: pytest -v would show its dots as "::", as in a class's name.)
        return self.path, None, self.spec.heading


class LintFile(pytest.File):
    """A file the items hang from: one with violations, or the config file (the symbols' items). Made by
    the plugin, not found by pytest's collection: the project's files are not pytest's test paths."""

    def __init__(self, *, specs: Sequence[Spec], **kwargs) -> None:
        super().__init__(**kwargs)
        self.specs = specs

    def collect(self) -> List[LintItem]:
        # The id as a string: pytest parses `ssot-lint[symbol]` as a name and its parameters, as it parses the
        # ids `--lf` reads back from its cache; built from the name, it would be one name and never match.
        return [LintItem.from_parent(self, name=spec.name, nodeid=f"{self.nodeid}::{spec.name}", spec=spec)
                for spec in self.specs]


def usage_error(error: ConfigError) -> pytest.UsageError:
    """One `ERROR: ssot-lint: ...` line per problem, naming the file and the key; exit code 4."""
    return pytest.UsageError(*(f"ssot-lint: {problem}" for problem in error.problems))


class SsotLint:
    """The session's analysis and its items (registered with --ssot-lint or --ssot-lint-verify only)."""

    def __init__(self, config: pytest.Config) -> None:
        from ssot_lint.commands.baseline import load_baseline
        from ssot_lint.config import ConfigError, load_project_config

        self.config = config
        self.lint = config.getoption("ssot_lint")
        self.verify = config.getoption("ssot_lint_verify")
        try:
            self.settings = load_project_config(None, [self._start()])
            self.baseline_path = self._baseline_path()
            self.baseline = None if self.baseline_path is None else load_baseline(self.baseline_path)
        except ConfigError as error:
            raise usage_error(error) from None
        self.result = None  # engine.run.CheckResult, once the session has started
        self.failing: List[Violation] = []
        self.known: List[Violation] = []  # in the baseline
        self._report: Optional[Report] = None

    def _start(self) -> Path:
        """Where the project's configuration is looked for, upward: where pytest was started, as `ssot-lint
        check` there would (pytest's rootdir may be a folder above, with an ini file of its own); else the
        rootdir."""
        from ssot_lint.config import find_config_file

        started = self.config.invocation_params.dir
        return started if find_config_file(started) is not None else self.config.rootpath

    def _baseline_path(self) -> Optional[Path]:
        given = self.config.getoption("ssot_lint_baseline")
        if given:
            return self.config.invocation_params.dir / given
        written = self.config.getini("ssot_lint_baseline")
        folder = self.config.inipath.parent if self.config.inipath else self.config.rootpath
        return folder / written if written else None

    def _analysed(self, function: Callable):
        """`function()` on a deep stack (resolution recurses along chains), a config error a usage error."""
        from ssot_lint.config import ConfigError
        from ssot_lint.parallel import on_deep_stack

        try:
            return on_deep_stack(function)
        except ConfigError as error:  # the configuration does not match the project (a symbol not in it)
            raise usage_error(error) from None

    @pytest.hookimpl(tryfirst=True)  # before xdist starts the workers
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from ssot_lint.engine.run import run_check

        if not self.lint:
            return  # --ssot-lint-verify alone: its item analyses when it runs
        self.result = self._analysed(lambda: run_check(self.settings, use_cache=True))
        if self.baseline is None:
            self.failing = list(self.result.violations)
        else:
            self.failing, self.known = self.baseline.split(self.result.violations)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector):
        """The session collects the project's files beside its test paths, so that pytest counts, selects
        (`-k`, `-m`, `--lf`) and shows the items as any others."""
        outcome = yield
        report = outcome.get_result()
        if isinstance(collector, pytest.Session) and report.passed:
            report.result.extend(self._files(collector))

    def _files(self, session: pytest.Session) -> List[LintFile]:
        by_file: dict = {}
        for violation in self.failing:
            by_file.setdefault(violation.path, []).append(violation)
        files = [self._file(session, relpath, [Spec(ITEM, relpath, functools.partial(self._lines, found))])
                 for relpath, found in sorted(by_file.items())]
        config_file = self.settings.path.relative_to(self.settings.root).as_posix()
        return [*files, self._file(session, config_file, self._project_specs())]

    def _project_specs(self) -> List[Spec]:
        """The items about the project as a whole, under the config file: one per canonical symbol, and the
        runtime verification."""
        symbols = [str(canonical.symbol) for canonical in self.settings.canonicals] if self.lint else []
        specs = [Spec(f"{ITEM}[{symbol}]", symbol, functools.partial(self._symbol_failure, symbol))
                 for symbol in symbols]
        if self.verify:
            specs.append(Spec(VERIFY_ITEM, "ssot-lint verify", self._verify_failure))
        return specs

    def _verify_failure(self) -> Optional[str]:
        """`ssot-lint verify`'s output while it finds anything, in pytest's interpreter (the project's)."""
        import sys

        from ssot_lint.commands.check_output import OutputFormat
        from ssot_lint.commands.verify import render_verification
        from ssot_lint.engine.verify import verify

        violations, verification = self._analysed(
            lambda: verify(self.settings, python=sys.executable, use_cache=True))
        if not violations:
            return None
        return render_verification(OutputFormat.concise, violations, verification, self.settings.root,
                                   quiet=False).rstrip("\n")

    def _file(self, session: pytest.Session, relpath: str, specs: Sequence[Spec]) -> LintFile:
        path = self.settings.root / relpath
        # The id is the path from the rootdir, even for a project whose root is above it.
        nodeid = Path(os.path.relpath(path, session.config.rootpath)).as_posix()
        return LintFile.from_parent(session, path=path, nodeid=nodeid, specs=specs)

    def _lines(self, found: Sequence[Violation]) -> str:
        from ssot_lint.commands.output import render_concise

        result = replace(self.result, violations=tuple(found))
        return render_concise(result, self.settings.root, colour=False, footer=False).rstrip("\n")

    def _symbol_failure(self, symbol: str) -> Optional[str]:
        from ssot_lint.commands.report_text import migration_line, symbol_terminal

        count = sum(1 for v in self.failing if v.symbol == symbol)
        if not count:
            return None
        figures = next(item for item in self.report().symbols if item.symbol == symbol)
        left = f"{count} new violation{'s' if count != 1 else ''} (not in the baseline)" if self.baseline \
            else f"{count} violation{'s' if count != 1 else ''} left"
        return "\n".join([f"{symbol}: {left}; {migration_line(figures)}", *symbol_terminal(figures)])

    def report(self) -> Report:
        """`ssot-lint report`'s figures of the failing violations, computed once, when a symbol's item
        first fails (it takes the project itself, which a kept answer does without)."""
        from ssot_lint.commands.report import build_report
        from ssot_lint.engine.run import analyse

        if self._report is None:
            project, _ = self._analysed(lambda: analyse(self.settings, use_cache=True))
            self._report = build_report(project, self.failing)
        return self._report

    def pytest_terminal_summary(self, terminalreporter) -> None:
        from ssot_lint.commands.check_output import OutputFormat, known_line
        from ssot_lint.commands.output import run_summary

        if self.result is None:
            return
        baseline = self.baseline_path and os.path.relpath(self.baseline_path, self.config.invocation_params.dir)
        known = known_line(self.known, baseline, OutputFormat.concise, quiet=False)
        if known is not None:
            terminalreporter.write_line(f"ssot-lint: {known}")
        if terminalreporter.verbosity > 0:  # as `check --verbose`: what was read, parsed, taken from the cache
            terminalreporter.write_line(run_summary(self.result, self.settings))
