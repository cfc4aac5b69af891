"""Rendering check results for people (ruff's concise format) and for machines (JSON)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

from ssot_lint.engine import CheckResult
from ssot_lint.rule import Violation

OUTPUT_FORMATS = ("concise", "text", "json")


def use_colour(stream) -> bool:
    """Colour only on a terminal, never under NO_COLOR (https://no-color.org) or a dumb terminal."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def display_path(root: Path, relpath: str) -> str:
    """Paths as the user would type them: relative to the current folder when below it."""
    absolute = root / relpath
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return os.path.relpath(absolute)


def render_concise(result: CheckResult, root: Path, colour: bool) -> str:
    bold, red, cyan, dim, reset = ("\033[1m", "\033[31m", "\033[36m", "\033[2m", "\033[0m") if colour \
        else ("",) * 5
    lines = []
    for v in result.violations:
        location = f"{bold}{display_path(root, v.path)}{reset}{cyan}:{reset}{v.line}{cyan}:{reset}{v.column}{cyan}:{reset}"
        lines.append(f"{location} {red}{bold}{v.code}{reset} {v.message}")
    lines.append(summary(result, dim, reset))
    return "\n".join(lines) + "\n"


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
        "fingerprint": v.fingerprint,
    }


def render_json(violations: Sequence[Violation]) -> str:
    return json.dumps([violation_json(v) for v in violations], indent=2) + "\n"
