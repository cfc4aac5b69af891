"""Rendering check results: for people (ruff's concise format), for CI (GitHub workflow commands,
SARIF for code scanning, JUnit XML) and for programs (JSON, JSON lines)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

from ssot_lint.rule import Violation

# Only named in annotations: `check` answered by a running server renders with this module, and must not
# pay for importing the engine (0.1 s) nor the config reader.
if TYPE_CHECKING:
    from ssot_lint.config import Config
    from ssot_lint.engine.run import CheckResult
    from ssot_lint.fixes.loop import FixOutcome



def use_colour(stream) -> bool:
    """Colour only on a terminal, never under NO_COLOR (https://no-color.org) or a dumb terminal."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class ProgressBar:
    """`parsing [#####     ] 120/480 files` on one line of a terminal, redrawn in place."""

    WIDTH = 30
    MINIMUM = 200  # fewer files than this parse too fast for a bar to help

    def __init__(self, stream, label: str = "parsing", unit: str = "files", minimum: int = MINIMUM):
        self.stream = stream
        self.label, self.unit, self.minimum = label, unit, minimum
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.minimum:
            return
        filled = self.WIDTH * done // total
        self.stream.write(f"\r{self.label} [{'#' * filled}{' ' * (self.WIDTH - filled)}] {done}/{total} {self.unit}")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def progress_bar(stream, label: str = "parsing", unit: str = "files",
                 minimum: int = ProgressBar.MINIMUM) -> Optional[ProgressBar]:
    """A progress bar on a terminal only: never under NO_COLOR, in CI logs or into a pipe."""
    if os.environ.get("NO_COLOR") or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return None
    return ProgressBar(stream, label, unit, minimum) if hasattr(stream, "isatty") and stream.isatty() else None


def finish(*bars: Optional[ProgressBar]) -> None:
    """Clear the bars that were drawn (`progress_bar` gives none off a terminal)."""
    for bar in bars:
        if bar is not None:
            bar.finish()


def display_path(root: Path, relpath: str) -> str:
    """Paths as the user would type them: relative to the current folder when below it."""
    absolute = root / relpath
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return os.path.relpath(absolute)


def render_concise(result: CheckResult, root: Path, colour: bool, unsafe_fixes: bool = False,
                   footer: bool = True) -> str:
    """ruff's concise format: `path:line:col: CODE [*] message`, `[*]` where `--fix` would fix it."""
    bold, red, cyan, dim, reset = ("\033[1m", "\033[31m", "\033[36m", "\033[2m", "\033[0m") if colour \
        else ("",) * 5
    lines = []
    fixable = hidden = 0
    for v in result.violations:
        location = f"{bold}{display_path(root, v.path)}{reset}{cyan}:{reset}{v.line}{cyan}:{reset}{v.column}{cyan}:{reset}"
        marker = ""
        if v.fix is not None and (v.fix.is_safe or unsafe_fixes):
            fixable += 1
            marker = f" {cyan}[*]{reset}"
        elif v.fix is not None:
            hidden += 1
        lines.append(f"{location} {red}{bold}{v.code}{reset}{marker} {v.message}")
    if not footer:
        return "".join(line + "\n" for line in lines)
    lines.append(summary(result, dim, reset))
    if fixable or hidden:
        more = f" ({hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the `--unsafe-fixes` " \
               f"option)" if hidden else ""
        flags = "--fix --unsafe-fixes" if unsafe_fixes else "--fix"
        lines.append(f"[*] {fixable} fixable with `{flags}`{more}." if fixable else
                     f"No fixes available{more}.")
    return "\n".join(lines) + "\n"


def fix_summary(outcome: "FixOutcome", would: bool) -> str:
    """After `--fix` (or `--diff`): how many were fixed, how many remain and why."""
    files = len(outcome.changed)
    verb = "Would fix" if would else "Fixed"
    left = len(outcome.result.violations)
    lines = [f"{verb} {outcome.fixed} violation{'s' if outcome.fixed != 1 else ''} in {files} "
             f"file{'s' if files != 1 else ''}; {left} remain{'s' if left == 1 else ''}."]
    for reason, count in outcome.not_fixed.items():
        lines.append(f"  {count:>4} not fixed: {reason}")
    for relpath, reason in outcome.not_written.items():
        lines.append(f"  {relpath} not written: {reason}")
    return "\n".join(lines)


def run_summary(result: CheckResult, config: Config) -> str:
    """For `check --verbose`: what was read, parsed and taken from the cache, and the time of each stage."""
    cache_folder = config.root / ".ssot_lint_cache"
    if result.answer_kept:
        read = (f"ssot-lint: {result.files_analysed} files; the last run's answer stands, nothing it read "
                f"having changed ({result.files_read} changed read, {result.files_parsed} parsed; "
                f"cache in {cache_folder}); config {config.path}")
    else:
        read = (f"ssot-lint: {result.files_analysed} files, {result.files_loaded} analysed in depth "
                f"({result.files_read} read from disk, {result.files_parsed} parsed, the rest from the cache "
                f"in {cache_folder}); config {config.path}")
    return read + "\nssot-lint: time: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in result.timings)


def summary(result: CheckResult, dim: str = "", reset: str = "") -> str:
    count = len(result.violations)
    files = len({v.path for v in result.violations})
    noqa = f" ({result.suppressed} suppressed by noqa)" if result.suppressed else ""
    if not count:
        return f"All checks passed! {dim}{result.files_analysed} files analysed{noqa}.{reset}"
    plural = "s" if count != 1 else ""
    return (f"Found {count} violation{plural} in {files} file{'s' if files != 1 else ''}. "
            f"{dim}{result.files_analysed} files analysed{noqa}.{reset}")


def violation_json(v: Violation) -> dict:
    return {
        "code": v.code,
        "rule": v.rule,
        "message": v.message,
        "filename": v.path,
        "location": {"row": v.line, "column": v.column},
        "end_location": {"row": v.end_line, "column": v.end_column},
        "symbol": v.symbol,
        "chain": list(v.chain),
        "severity": v.severity.value,
        "fixable": v.fixable,
        "fix": None if v.fix is None else {"applicability": v.fix.applicability.value, "message": v.fix.message},
        "fingerprint": v.fingerprint,
        "also": list(v.also),  # codes of other findings at the same site, folded into this one
    }


def render_json(violations: Sequence[Violation]) -> str:
    return json.dumps([violation_json(v) for v in violations], indent=2) + "\n"


def render_json_lines(violations: Sequence[Violation]) -> str:
    return "".join(json.dumps(violation_json(v)) + "\n" for v in violations)


def render_github(violations: Sequence[Violation], root: Path) -> str:
    """GitHub Actions workflow commands: each violation annotates its line in the pull request."""
    lines = []
    for v in violations:
        properties = ",".join(f"{key}={_github_escape(str(value), True)}" for key, value in (
            ("file", display_path(root, v.path)), ("line", v.line), ("col", v.column),
            ("endLine", v.end_line), ("endColumn", v.end_column), ("title", f"{v.code} ({v.rule})")))
        lines.append(f"::{_github_level(v)} {properties}::{_github_escape(f'{v.code} {v.message}', False)}")
    return "".join(line + "\n" for line in lines)


def _github_level(violation: Violation) -> str:
    return "error" if violation.severity.value == "error" else "warning"


def _github_escape(text: str, is_property: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


def render_sarif(violations: Sequence[Violation], root: Path, rules: Sequence[type]) -> str:
    """SARIF 2.1.0, with rule metadata from the rules' documentation (GitHub code scanning shows it)."""
    from ssot_lint import __version__

    index = {rule.code: position for position, rule in enumerate(rules)}
    driver = {
        "name": "ssot-lint",
        "version": __version__,
        "informationUri": "https://pypi.org/project/ssot-lint/",
        "rules": [
            {
                "id": rule.code,
                "name": "".join(part.capitalize() for part in rule.name.split("-")),
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.section("What it does")},
                "help": {"text": rule.documentation(), "markdown": rule.documentation()},
                "defaultConfiguration": {"level": rule.severity.value},
                "properties": {"tags": ["ssot", rule.name]},
            }
            for rule in rules
        ],
    }
    results = []
    for v in violations:
        result = {
            "ruleId": v.code,
            "level": v.severity.value,
            "message": {"text": v.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": display_path(root, v.path)},
                    "region": {"startLine": v.line, "startColumn": v.column,
                               "endLine": v.end_line, "endColumn": v.end_column},
                },
            }],
            "partialFingerprints": {"ssotLintFingerprint/v1": v.fingerprint},
        }
        if v.code in index:
            result["ruleIndex"] = index[v.code]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}],
    }
    return json.dumps(sarif, indent=2) + "\n"


def render_junit(violations: Sequence[Violation], root: Path, files_analysed: int) -> str:
    """JUnit XML, as ruff writes it: a test suite per file with violations, a failing case per violation."""
    from xml.etree import ElementTree

    suites = ElementTree.Element("testsuites", name="ssot-lint", tests=str(max(len(violations), 1)),
                                 failures=str(len(violations)), errors="0")
    by_file = {}
    for v in violations:
        by_file.setdefault(display_path(root, v.path), []).append(v)
    if not by_file:
        suite = ElementTree.SubElement(suites, "testsuite", name="ssot-lint", tests="1", failures="0", errors="0")
        ElementTree.SubElement(suite, "testcase", name="ssot-lint", classname="ssot-lint").text = \
            f"{files_analysed} files analysed, no violations"
    for path, found in by_file.items():
        suite = ElementTree.SubElement(suites, "testsuite", name=path, tests=str(len(found)),
                                       failures=str(len(found)), errors="0")
        for v in found:
            case = ElementTree.SubElement(suite, "testcase", name=f"org.ssot-lint.{v.code}", classname=path,
                                          line=str(v.line), column=str(v.column))
            failure = ElementTree.SubElement(case, "failure", message=v.message, type=v.code)
            failure.text = f"{path}:{v.line}:{v.column}: {v.code} {v.message}"
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
