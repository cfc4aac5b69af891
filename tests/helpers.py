"""Building small projects on disk for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence

from ssot_lint.config import Config, parse_config
from ssot_lint.engine import CheckResult, build_project, run_check
from ssot_lint.project import Project
from ssot_lint.rule import EXAMPLE_CONFIG, EXAMPLE_FILES, Example

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


def project_of(root: Path, files: Mapping[str, str], section: Optional[Mapping] = None) -> Project:
    write_tree(root, files)
    return build_project(make_config(root, section), jobs=1)
