"""Building small projects on disk for tests."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Tuple

from ssot_lint.config import Config, parse_config
from ssot_lint.engine.build import build_project
from ssot_lint.engine.run import CheckResult, run_check
from ssot_lint.fixes.apply import fix_source
from ssot_lint.analysis.project import Project
from ssot_lint.rule import EXAMPLE_CONFIG, EXAMPLE_FILES, Example, Violation
from ssot_lint.engine.verify import verify
from ssot_lint.runtime.verdicts import Verification

REPO = Path(__file__).resolve().parent.parent

# The example project's canonical and its one shim, as a pyproject.toml, and an import through each.
SHIM_PYPROJECT = """
[tool.ssot-lint]

[[tool.ssot-lint.canonical]]
symbol = "app.factory:EngineFactory"
shims = ["app.legacy"]
"""
SHIM_IMPORT = "from app.legacy import EngineFactory\n"
CANONICAL_IMPORT = "from app.factory import EngineFactory\n"
FIXTURES_REPO = REPO / "fixtures_repo"


def ssot(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`ssot-lint ARGS` run in `folder`, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "ssot_lint", *args], cwd=folder, capture_output=True, text=True,
                          timeout=300)


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_config(root: Path, section: Optional[Mapping] = None) -> Config:
    return parse_config(dict(section or EXAMPLE_CONFIG), path=None, root=root)


def generated_config(root: Path, package: str, shims: Optional[Sequence[str]] = None) -> Config:
    """The config of a generated package tree (test_property_resolution.package_trees and the trees
    built on it), whose canonical is always `m0:A`."""
    canonical = {"symbol": f"{package}.m0:A", **({"shims": shims} if shims is not None else {})}
    return make_config(root, {"canonical": [canonical], "respect-gitignore": False})


def example_files(example: Example) -> dict:
    return {**EXAMPLE_FILES, **example.files, example.path: example.code}


def check_tree(root: Path, files: Mapping[str, str], section: Optional[Mapping] = None, **options) -> CheckResult:
    write_tree(root, files)
    return run_check(make_config(root, section), jobs=1, **options)


def verify_tree(root: Path, files: Mapping[str, str], section: Optional[Mapping] = None,
                **options) -> Tuple[Tuple[Violation, ...], Verification]:
    """`ssot-lint verify` on a tree: it imports the tree in a subprocess of this interpreter."""
    write_tree(root, files)
    return verify(make_config(root, section), jobs=1, python=sys.executable, **options)


def project_of(root: Path, files: Mapping[str, str], section: Optional[Mapping] = None) -> Project:
    write_tree(root, files)
    return build_project(make_config(root, section), jobs=1)


def refused_fixes(config: Config, **options) -> List[Tuple[Violation, str]]:
    """Each violation `check` offers a fix for (`[*]`, unsafe ones included) whose fix `--fix` would then
    refuse, with the fixer's reason; all of a file's fixes are applied together, as `--fix` does. A fix
    that only overlaps another one waits for the next pass, which applies it: that is no refusal."""
    by_file = defaultdict(list)
    for violation in run_check(config, jobs=1, **options).violations:
        if violation.fix is not None:
            by_file[violation.path].append(violation)
    refused = []
    for relpath, violations in sorted(by_file.items()):
        reasons = dict(fix_source((config.root / relpath).read_bytes(), [v.fix for v in violations]).refused)
        refused.extend((v, reasons[v.fix]) for v in violations
                       if v.fix in reasons and not reasons[v.fix].startswith("overlaps another fix"))
    return refused
