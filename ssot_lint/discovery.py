"""Discovery: which `.py` files make up the project, and their module names.

Files come from git when the tree is a checkout (so `.gitignore` is honoured
exactly as git does), otherwise from a walk of the folders that reads
`.gitignore` files itself. Symlinks to folders are not followed (as git and ruff
do), so a link can neither rename files nor loop. `exclude` and the usual tool
folders (`.venv`, `build`, ...) are dropped on top.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import pathspec

from ssot_lint.config import Config

# Folders no one wants linted; the same list as ruff's default `exclude`.
DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".ssot_lint_cache", ".svn", ".tox", ".venv",
    ".vscode", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
)


@dataclass(frozen=True)
class SourceFile:
    """One Python file of the project."""

    path: Path  # absolute
    relpath: str  # posix path relative to the project root, as reported
    module: str  # dotted module name, as Python would import it from its `src` root
    is_package: bool  # an `__init__.py`: relative imports count from the module itself


def discover(config: Config) -> List[SourceFile]:
    """Every Python file under the `src` roots, sorted by path, each once."""
    exclude = _exclude_spec(config.exclude)
    found: Dict[Path, SourceFile] = {}
    roots = sorted(config.src_roots, key=lambda p: len(p.parts), reverse=True)
    for root in config.src_roots:
        if not root.is_dir():
            continue
        for path in _python_files(root, config.respect_gitignore):
            real = Path(os.path.abspath(path))
            if real in found:
                continue
            relpath = _relpath(real, config.root)
            if _is_excluded(relpath, exclude):
                continue
            owner = next((r for r in roots if _is_within(real, r)), root)
            module, is_package = module_name(real, owner)
            found[real] = SourceFile(real, relpath, module, is_package)
    return sorted(found.values(), key=lambda f: f.relpath)


def module_name(path: Path, root: Path) -> Tuple[str, bool]:
    """The module name of `path` imported with `root` on sys.path.

    Folders without `__init__.py` are namespace packages (PEP 420), so
    `tests/unit/test_x.py` is `tests.unit.test_x`. Where a folder name is not an
    identifier the module is named from the deepest importable folder, as if
    that folder were on sys.path (how a script there would see itself).
    """
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    start = len(parts)
    while start > 0 and parts[start - 1].isidentifier():
        start -= 1
    parts = parts[start:] or [path.parent.name if is_package else path.stem]
    return ".".join(parts), is_package


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _exclude_spec(patterns: Sequence[str]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _is_excluded(relpath: str, exclude: pathspec.PathSpec) -> bool:
    parts = relpath.split("/")
    if any(part in DEFAULT_EXCLUDES for part in parts[:-1]):
        return True
    return exclude.match_file(relpath)


def _python_files(root: Path, respect_gitignore: bool) -> Iterator[Path]:
    if respect_gitignore:
        listed = _git_files(root)
        if listed is not None:
            yield from listed
            return
    yield from _walk(root, respect_gitignore)


def _git_files(root: Path) -> Optional[List[Path]]:
    """Tracked and untracked-but-not-ignored `.py` files, or None outside a checkout."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard",
             "--full-name", "--", "*.py"],
            capture_output=True, timeout=120, check=False,
        )
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                             capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0 or top.returncode != 0:
        return None
    toplevel = Path(top.stdout.decode("utf-8", "surrogateescape").strip())
    files = []
    for raw in result.stdout.split(b"\0"):
        if raw:
            path = toplevel / os.fsdecode(raw)
            if os.path.isfile(path):  # skip deleted-but-tracked files, sockets and folders
                files.append(path)
    return files


def _walk(root: Path, respect_gitignore: bool) -> Iterator[Path]:
    """Walk `root` without following folder symlinks, reading `.gitignore` files on the way."""
    ignore_specs: List[Tuple[Path, pathspec.PathSpec]] = []
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        if respect_gitignore:
            gitignore = here / ".gitignore"
            if gitignore.is_file():
                try:
                    lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
                    ignore_specs.append((here, pathspec.GitIgnoreSpec.from_lines(lines)))
                except OSError:
                    pass
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in DEFAULT_EXCLUDES and not _ignored(here / d, True, ignore_specs)
        )
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = here / name
                if not _ignored(path, False, ignore_specs) and os.path.isfile(path):
                    yield path


def _ignored(path: Path, is_dir: bool, specs: Iterable[Tuple[Path, pathspec.PathSpec]]) -> bool:
    for base, spec in specs:
        if _is_within(path, base):
            rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            if spec.match_file(rel):
                return True
    return False
