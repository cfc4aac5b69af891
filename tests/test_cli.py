"""The command line, run as users run it: `python -m ssot_lint ...` in a subprocess, on small projects.

Starting Python with LibCST and typer costs most of a second, so every invocation of this module is
declared up front in `INVOCATIONS` and run concurrently once (the `runs` fixture); each test then
asserts on the result of its own invocation(s).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple

import pytest

from helpers import write_tree
from ssot_lint import __version__
from ssot_lint.rule import EXAMPLE_CONFIG, EXAMPLE_FILES
from ssot_lint.rules import all_rules

ANSI = re.compile(r"\x1b\[")
VIOLATION_LINE = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>SSOT\d{3}) (?P<fixable>\[\*\] )?(?P<message>\S.*)$")


def toml_section(section: Mapping, prefix: str = "tool.ssot-lint") -> str:
    """`EXAMPLE_CONFIG`-like dicts as TOML (JSON strings and arrays of strings are valid TOML)."""
    lines = [f"[{prefix}]"] if prefix else []
    lines += [f"{key} = {json.dumps(value)}" for key, value in section.items() if key != "canonical"]
    for entry in section.get("canonical", []):
        lines.append(f"\n[[{prefix + '.' if prefix else ''}canonical]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


PYPROJECT = toml_section(EXAMPLE_CONFIG)

# Three violations, each in its own file, of three rules:
#   app/aliases.py:1:25   SSOT005  the canonical imported under another name
#   app/reexport.py:1:25  SSOT003  an undeclared module re-exporting the canonical
#   app/service.py:1:26   SSOT002  the canonical imported through app.reexport (found only by
#                                  resolving through the other file)
DIRTY_FILES = {
    **EXAMPLE_FILES,
    "app/reexport.py": 'from app.factory import EngineFactory\n\n__all__ = ["EngineFactory"]\n',
    "app/service.py": "from app.reexport import EngineFactory\n\n\ndef build():\n    return EngineFactory().create()\n",
    "app/aliases.py": "from app.factory import EngineFactory as Maker\n",
}
DIRTY = {
    ("app/aliases.py", 1, 25, "SSOT005"),
    ("app/reexport.py", 1, 25, "SSOT003"),
    ("app/service.py", 1, 26, "SSOT002"),
}


def project(files: Mapping[str, str], pyproject: Optional[str] = PYPROJECT,
            extra: Optional[Mapping[str, str]] = None) -> Callable[[Path], None]:
    """A function writing the project into a folder (with no pyproject.toml when `pyproject` is None)."""
    def build(root: Path) -> None:
        write_tree(root, {**files, **(extra or {})})
        if pyproject is not None:
            (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return build


CLEAN = project(EXAMPLE_FILES)
DIRTY_PROJECT = project(DIRTY_FILES)


@dataclass(frozen=True)
class Invocation:
    build: Callable[[Path], None]
    args: Tuple[str, ...]
    env: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Run:
    args: Sequence[str]
    root: Path
    returncode: int
    stdout: str
    stderr: str

    def violations(self) -> set:
        found = set()
        for line in self.stdout.splitlines():
            match = VIOLATION_LINE.match(line)
            if match:
                found.add((match["path"], int(match["line"]), int(match["col"]), match["code"]))
        return found


def invocation(build, *args: str, **env: str) -> Invocation:
    return Invocation(build, args, tuple(env.items()))


BAD_TOML = PYPROJECT.replace('shims = ["app.legacy"]', 'shims = ["app.legacy"')
UNKNOWN_KEY = PYPROJECT.replace("[tool.ssot-lint]\n", '[tool.ssot-lint]\nexclude-dirs = ["x"]\n')
UNKNOWN_SYMBOL = PYPROJECT.replace("app.factory:EngineFactory", "app.factory:NoSuchFactory")
SEVERAL_PROBLEMS = PYPROJECT.replace("[tool.ssot-lint]\n", '[tool.ssot-lint]\nexclude-dirs = ["x"]\nsrcs = ["."]\n') \
    .replace('shims = ["app.legacy"]', 'shims = ["app/legacy"]')
PROBLEMS_IN_PROJECT = toml_section({"canonical": [{**EXAMPLE_CONFIG["canonical"][0], "symbol": "app.factory:Nope",
                                                   "shims": ["app.legacy", "app.legacyy"]}]}, prefix="")
# A valid config at a place nobody would look, with keys at the top level.
ALT_CONFIG = toml_section(EXAMPLE_CONFIG, prefix="")

INVOCATIONS: Dict[str, Invocation] = {
    "clean": invocation(CLEAN, "check"),
    "dirty": invocation(DIRTY_PROJECT, "check"),
    "exit-zero": invocation(DIRTY_PROJECT, "check", "--exit-zero"),
    "select": invocation(DIRTY_PROJECT, "check", "--select", "SSOT002,SSOT005"),
    "select-ignore": invocation(DIRTY_PROJECT, "check", "--select", "ssot00", "--ignore", "SSOT003",
                                "--ignore", "SSOT005"),
    "json": invocation(DIRTY_PROJECT, "check", "--output-format", "json"),
    "one-file": invocation(DIRTY_PROJECT, "check", "app/service.py"),
    # the pyproject.toml found by walking up names a symbol that does not exist: only --config works
    "config": invocation(project(DIRTY_FILES, UNKNOWN_SYMBOL, {"lint.toml": ALT_CONFIG}),
                         "check", "--config", "lint.toml"),
    # the same with the [tool.ssot-lint] table in a file not named pyproject.toml, as import-linter allows
    "config-table": invocation(project(DIRTY_FILES, UNKNOWN_SYMBOL, {"ci.toml": PYPROJECT}),
                               "check", "--config", "ci.toml"),
    "no-color": invocation(DIRTY_PROJECT, "check", NO_COLOR="1", FORCE_COLOR="1"),
    "force-color": invocation(DIRTY_PROJECT, "check", FORCE_COLOR="1"),
    "rules": invocation(CLEAN, "rules"),
    "explain": invocation(CLEAN, "explain", "SSOT002"),
    "version": invocation(CLEAN, "--version"),
    # errors: exit 2, one line on stderr
    "invalid-toml": invocation(project(DIRTY_FILES, BAD_TOML), "check"),
    "unknown-key": invocation(project(DIRTY_FILES, UNKNOWN_KEY), "check"),
    "missing-config": invocation(project(DIRTY_FILES, None), "check"),
    "missing-config-file": invocation(DIRTY_PROJECT, "check", "--config", "nowhere.toml"),
    "nonexistent-path": invocation(DIRTY_PROJECT, "check", "app/nowhere.py"),
    "unknown-select": invocation(DIRTY_PROJECT, "check", "--select", "SSOT999"),
    "unknown-symbol": invocation(project(DIRTY_FILES, UNKNOWN_SYMBOL), "check"),
    "bad-output-format": invocation(DIRTY_PROJECT, "check", "--output-format", "xml"),
    "fix-and-diff": invocation(DIRTY_PROJECT, "check", "--fix", "--diff"),
    "quiet-and-verbose": invocation(DIRTY_PROJECT, "check", "--quiet", "--verbose"),
    "every-without-history": invocation(DIRTY_PROJECT, "report", "--every", "5"),
    # report, graph and baseline take paths as check does
    "report-all": invocation(DIRTY_PROJECT, "report", "--format", "json"),
    "report-path": invocation(DIRTY_PROJECT, "report", "--format", "json", "app/service.py"),
    "report-dot": invocation(DIRTY_PROJECT, "report", "--format", "markdown", "."),
    "report-nowhere": invocation(DIRTY_PROJECT, "report", "nowhere/"),
    "graph-all": invocation(DIRTY_PROJECT, "graph", "--format", "json"),
    "graph-path": invocation(DIRTY_PROJECT, "graph", "--format", "json", "app/service.py"),
    "graph-dot": invocation(DIRTY_PROJECT, "graph", "."),
    "baseline-path": invocation(DIRTY_PROJECT, "baseline", "app/service.py", "app/aliases.py"),
    "several-problems": invocation(project(DIRTY_FILES, SEVERAL_PROBLEMS), "check"),
    "problems-against-the-project": invocation(project(DIRTY_FILES, None, {"ssot-lint.toml": PROBLEMS_IN_PROJECT}),
                                               "check"),
}


def base_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS", "TERM")}
    env["COLUMNS"] = "120"
    return env


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Dict[str, Run]:
    started = {}
    for name, spec in INVOCATIONS.items():
        root = tmp_path_factory.mktemp(name)
        spec.build(root)
        args = [sys.executable, "-m", "ssot_lint", *spec.args]
        process = subprocess.Popen(args, cwd=root, env={**base_env(), **dict(spec.env)},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started[name] = (spec.args, root, process)
    results = {}
    for name, (args, root, process) in started.items():
        stdout, stderr = process.communicate(timeout=120)
        results[name] = Run(args, root, process.returncode, stdout, stderr)
    return results


# -- exit codes and the concise format -------------------------------------------------------


def test_clean_project_exits_0(runs):
    run = runs["clean"]
    assert run.returncode == 0, run
    assert run.stdout.startswith("All checks passed!")
    assert run.stderr == ""


def test_violations_exit_1_with_one_line_each_and_a_summary(runs):
    run = runs["dirty"]
    assert run.returncode == 1, run
    lines = run.stdout.splitlines()
    assert run.violations() == DIRTY
    assert all(VIOLATION_LINE.match(line) for line in lines[:-2]), lines
    assert lines[-2].startswith("Found 3 violations in 3 files.")
    assert lines[-1] == "[*] 1 fixable with `--fix` (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    assert [VIOLATION_LINE.match(line)["path"] for line in lines[:-2]] == sorted(p for p, *_ in DIRTY)
    assert [bool(VIOLATION_LINE.match(line)["fixable"]) for line in lines[:-2]].count(True) == 1
    service = next(line for line in lines if line.startswith("app/service.py"))
    assert "app.reexport" in service and "app.factory" in service, "the message names the chain and the fix"
    assert run.stderr == ""


def test_output_has_no_colour_when_not_a_terminal(runs):
    assert not ANSI.search(runs["dirty"].stdout)


def test_no_color_wins_over_force_color(runs):
    assert ANSI.search(runs["force-color"].stdout), "FORCE_COLOR colours the output (so the next check means something)"
    run = runs["no-color"]
    assert run.returncode == 1
    assert not ANSI.search(run.stdout + run.stderr)
    assert run.violations() == DIRTY


def test_exit_zero(runs):
    run = runs["exit-zero"]
    assert run.returncode == 0
    assert run.violations() == DIRTY
    assert "Found 3 violations" in run.stdout


def test_select_takes_comma_separated_codes(runs):
    run = runs["select"]
    assert run.returncode == 1
    assert {v[3] for v in run.violations()} == {"SSOT002", "SSOT005"}


def test_select_prefix_in_any_case_and_repeated_ignore(runs):
    run = runs["select-ignore"]
    assert run.returncode == 1
    assert run.violations() == {("app/service.py", 1, 26, "SSOT002")}
    assert "Found 1 violation in 1 file." in run.stdout


def test_json_output(runs):
    run = runs["json"]
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert isinstance(data, list) and len(data) == 3
    assert {(d["filename"], d["location"]["row"], d["location"]["column"], d["code"]) for d in data} == DIRTY
    for item in data:
        assert {"code", "filename", "location", "message", "fingerprint", "chain"} <= set(item)
        assert isinstance(item["message"], str) and item["message"]
        assert re.fullmatch(r"[0-9a-f]{8,}", item["fingerprint"]), item["fingerprint"]
        assert isinstance(item["chain"], list)
    assert len({d["fingerprint"] for d in data}) == 3
    service = next(d for d in data if d["filename"] == "app/service.py")
    assert service["chain"] == ["app.service", "app.reexport", "app.factory"]
    assert not ANSI.search(run.stdout)


def test_one_file_reports_only_on_it_but_resolves_through_the_others(runs):
    run = runs["one-file"]
    assert run.returncode == 1
    # the import goes through app/reexport.py: only resolving that other file finds it
    assert run.violations() == {("app/service.py", 1, 26, "SSOT002")}
    assert "app.reexport" in run.stdout, "the message names the module it went through"
    assert "Found 1 violation in 1 file." in run.stdout


@pytest.mark.parametrize("name", ["config", "config-table"])
def test_config_option_overrides_the_config_found_upward(runs, name):
    run = runs[name]
    assert run.returncode == 1, run.stderr
    assert run.violations() == DIRTY


# -- errors: exit 2, one line on stderr, never a traceback -----------------------------------


ERRORS = {
    "invalid-toml": ["pyproject.toml", "invalid TOML"],
    "unknown-key": ["pyproject.toml", "exclude-dirs", "unknown key"],
    "missing-config": ["no [tool.ssot-lint] configuration found"],
    "missing-config-file": ["nowhere.toml"],
    "nonexistent-path": ["app/nowhere.py"],
    "unknown-select": ["SSOT999"],
    "unknown-symbol": ["pyproject.toml", "tool.ssot-lint.canonical", "app.factory:NoSuchFactory"],
    "bad-output-format": ["--output-format", "xml"],
    "fix-and-diff": ["--fix and --diff cannot be used together"],
    "quiet-and-verbose": ["--quiet and --verbose cannot be used together"],
    "every-without-history": ["--every goes with --history"],
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_exit_2_with_one_line_on_stderr(runs, name):
    run = runs[name]
    assert run.returncode == 2, run
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip("\n").splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{run.stderr}"
    assert lines[0].startswith("ssot-lint: error: "), lines[0]
    for words in ERRORS[name]:
        assert words in lines[0], lines[0]
    assert run.stdout == ""


def test_every_problem_of_a_config_is_a_line_on_stderr(runs):
    run = runs["several-problems"]
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert [line.split(": ", 4)[3] for line in lines] == [
        "tool.ssot-lint.exclude-dirs", "tool.ssot-lint.srcs", "tool.ssot-lint.canonical[0].shims"], lines
    assert all(line.startswith(f"ssot-lint: error: {run.root / 'pyproject.toml'}: ") for line in lines), lines
    run = runs["problems-against-the-project"]
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines() == [
        f"ssot-lint: error: {run.root / 'ssot-lint.toml'}: canonical[0].symbol: app.factory:Nope: app.factory does "
        "not define a class or function Nope",
        f"ssot-lint: error: {run.root / 'ssot-lint.toml'}: canonical[0].shims: module app.legacyy is not in the "
        "project (did you mean app.legacy? if the shim was deleted, remove it from `shims`)",
    ]


# -- report, graph and baseline on paths ----------------------------------------------------------------


def test_report_counts_what_is_in_the_paths(runs):
    whole, one = (json.loads(runs[name].stdout) for name in ("report-all", "report-path"))
    assert runs["report-path"].returncode == 0, runs["report-path"].stderr
    assert (whole["violations"], whole["symbols"][0]["direct"], whole["symbols"][0]["through"]) == \
        (3, 2, {"app.reexport": 1})
    assert (one["violations"], one["symbols"][0]["direct"], one["symbols"][0]["through"]) == (1, 0, {"app.reexport": 1})
    assert one["symbols"][0]["most_to_do"] == [{"path": "app/service.py", "violations": 1, "lines": [1]}]
    assert runs["report-dot"].returncode == 0 and "3 violations in all." in runs["report-dot"].stdout
    nowhere = runs["report-nowhere"]
    assert nowhere.returncode == 2 and nowhere.stderr == "ssot-lint: error: nowhere: no such file or folder\n"


def test_graph_counts_the_importers_and_import_sites_in_the_paths(runs):
    def counts(name, key):
        assert runs[name].returncode == 0, runs[name].stderr
        return {m["module"]: m[key] for m in json.loads(runs[name].stdout)["symbols"][0]["modules"]}

    assert counts("graph-all", "importers") == {"app.factory": 3, "app.reexport": 1, "app.legacy": 0}  # legacy too
    assert counts("graph-path", "importers") == {"app.factory": 0, "app.reexport": 1, "app.legacy": 0}
    # import sites as `report` counts them (a shim's own import goes with the shim): direct 2, through app.reexport 1
    assert counts("graph-all", "import_sites") == {"app.factory": 2, "app.reexport": 1, "app.legacy": 0}
    assert counts("graph-path", "import_sites") == {"app.factory": 0, "app.reexport": 1, "app.legacy": 0}
    assert runs["graph-dot"].returncode == 0 and runs["graph-dot"].stdout.startswith("flowchart LR")


def test_baseline_records_what_is_in_the_paths(runs):
    run = runs["baseline-path"]
    assert run.returncode == 0, run.stderr
    recorded = json.loads((run.root / ".ssot-lint-baseline.json").read_text())["violations"]
    assert sorted(e["path"] for e in recorded) == ["app/aliases.py", "app/service.py"]


# -- other commands --------------------------------------------------------------------------


def test_rules_lists_every_code(runs):
    run = runs["rules"]
    assert run.returncode == 0
    header, *rows = [line.split() for line in run.stdout.splitlines() if line.strip()]
    assert header == ["code", "name", "severity", "fix", "summary"]
    assert [row[:2] for row in rows] == [[rule.code, rule.name] for rule in all_rules()]
    for rule in all_rules():
        assert rule.summary in run.stdout


def test_explain_prints_the_documentation(runs):
    run = runs["explain"]
    assert run.returncode == 0
    rule = next(r for r in all_rules() if r.code == "SSOT002")
    assert "indirect-import" in run.stdout and "SSOT002" in run.stdout
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
        assert heading in run.stdout
    assert rule.documentation() in run.stdout


def test_version(runs):
    run = runs["version"]
    assert run.returncode == 0
    assert run.stdout.strip() == f"ssot-lint {__version__}"


# -- help texts ------------------------------------------------------------------------------


def help_of(*command: str) -> str:
    from typer.testing import CliRunner

    from ssot_lint.cli import app

    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def every_help_text():
    """(command, help text) for the program, each command, and each of their arguments and options."""
    import typer.main

    from ssot_lint.cli import app

    group = typer.main.get_command(app)
    yield (), group.help
    for name, command in group.commands.items():
        yield (name,), command.help
        yield from (((name,), param.help) for param in command.params if getattr(param, "help", None))


HELP_TEXTS = list(every_help_text())


@pytest.mark.parametrize("command, text", HELP_TEXTS,
                         ids=[f"{' '.join(command) or 'ssot-lint'}-{i}" for i, (command, _) in enumerate(HELP_TEXTS)])
def test_help_texts_are_printed_as_written(command, text):
    """Square brackets and backticks are text, not markup: `[tool.ssot-lint]` once vanished from `init --help`."""
    shown = help_of(*command)
    for word in re.findall(r"\[[^\]]*\]|`[^`]*`", text):
        assert word in shown, f"{word!r} of {' '.join(command) or 'ssot-lint'}'s help is not in:\n{shown}"


def test_init_help_names_the_section_it_writes():
    assert "Write a starter [tool.ssot-lint] into ./pyproject.toml" in help_of("init")


def test_verbose_says_where_the_time_went(tmp_path):
    from helpers import SHIM_IMPORT, SHIM_PYPROJECT, write_tree
    from ssot_lint.rule import EXAMPLE_FILES

    write_tree(tmp_path, {**EXAMPLE_FILES, "app/service.py": SHIM_IMPORT, "pyproject.toml": SHIM_PYPROJECT})
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "check", "--no-cache", "-v", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    line = next(line for line in run.stderr.splitlines() if line.startswith("ssot-lint: time: "))
    stages = [part.rsplit(" ", 2)[0] for part in line[len("ssot-lint: time: "):].split(", ")]
    assert stages == ["discovery", "reading", "prefilter", "parsing", "resolution and rules", "total"]
