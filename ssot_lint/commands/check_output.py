"""What `check` prints once it has its violations, and its exit code: one piece of code, whether this
process analysed the project (cli.py) or a running server did (check_client.py), so that the two print
the very same bytes. Light to import: no engine, no typer."""

from __future__ import annotations

import dataclasses
import enum
import sys
from pathlib import Path
from typing import List, Optional, Tuple

from ssot_lint.commands.output import (
    render_concise, render_github, render_json, render_json_lines, render_junit, render_sarif, use_colour,
)
from ssot_lint.rule import Violation

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class OutputFormat(str, enum.Enum):
    """What `check --output-format` accepts."""

    concise = "concise"
    text = "text"  # the same as concise
    json = "json"
    json_lines = "json-lines"
    github = "github"
    sarif = "sarif"
    junit = "junit"


@dataclasses.dataclass(frozen=True)
class ServedResult:
    """What the output needs of a check answered by a server (engine/run.py's CheckResult has more)."""

    violations: Tuple[Violation, ...]
    files_analysed: int
    suppressed: int


def apply_baseline(result, baseline: Optional[Path]) -> Tuple[object, List[Violation]]:
    """The result without the violations the baseline knows, and those (none without a baseline)."""
    if baseline is None:
        return result, []
    from ssot_lint.commands.baseline import load_baseline

    new, known = load_baseline(baseline).split(result.violations)
    return dataclasses.replace(result, violations=tuple(new)), known


def render(output_format: OutputFormat, result, root: Path, quiet: bool, unsafe_fixes: bool = False) -> str:
    violations = result.violations
    if output_format is OutputFormat.json:
        return render_json(violations)
    if output_format is OutputFormat.json_lines:
        return render_json_lines(violations)
    if output_format is OutputFormat.github:
        return render_github(violations, root)
    if output_format is OutputFormat.sarif:
        from ssot_lint.rules import all_rules

        return render_sarif(violations, root, all_rules())
    if output_format is OutputFormat.junit:
        return render_junit(violations, root, result.files_analysed)
    return render_concise(result, root, use_colour(sys.stdout), unsafe_fixes, footer=not quiet)


def known_line(known: List[Violation], baseline: Optional[Path], output_format: OutputFormat,
               quiet: bool) -> Optional[str]:
    """The line after the violations saying how many the baseline still holds (concise output only)."""
    if known and not quiet and output_format in (OutputFormat.concise, OutputFormat.text):
        return f"{len(known)} known violation{'s' if len(known) != 1 else ''} remain in the baseline {baseline}."
    return None


def exit_code(result, exit_zero: bool) -> int:
    return EXIT_VIOLATIONS if result.violations and not exit_zero else EXIT_CLEAN
