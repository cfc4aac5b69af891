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
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ssot_lint.config import Config

if TYPE_CHECKING:
    import pathspec

# Folders no one wants linted; the same list as ruff's default `exclude`.
DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".ssot_lint_cache", ".svn", ".tox", ".venv",
    ".vscode", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
)


@dataclass(frozen=True)
class SourceFile:
    """One Python file of the project."""

    absolute: str  # its absolute path
    relpath: str  # posix path relative to the project root, as reported
    module: str  # dotted module name, as Python would import it from its `src` root
    is_package: bool  # an `__init__.py`: relative imports count from the module itself
    # Its content's git blob id, when git vouches that the file is as committed (a clean tracked file, with no
    # attribute that rewrites content on checkout): its content hash, known without reading it.
    blob: Optional[str] = None

    @cached_property
    def path(self) -> Path:
        # Built when asked: a warm run needs only the string of each of its thousands of files.
        return Path(self.absolute)

    def __reduce__(self):
        return SourceFile, (self.absolute, self.relpath, self.module, self.is_package, self.blob)  # not the path


@dataclass(frozen=True)
class Listing:
    """What discovery found, and what vouches that a new walk would find the same: the (mtime, size) of
    every folder walked and `.gitignore` read. A file added, removed or renamed changes its folder's
    mtime; an edit to a file does not, nor does it change the list."""

    files: Tuple[SourceFile, ...]
    # None when nothing can vouch: files listed by git (its index and ignore rules decide), a `src`
    # root missing, or a folder changed in the last two seconds (a change in the same mtime tick
    # would go unseen, as in git's "racily clean" problem).
    folders: Optional[Dict[str, Tuple[int, int]]]

    def still_holds(self) -> bool:
        if self.folders is None:
            return False
        for path, stamp in self.folders.items():
            try:
                stat = os.stat(path)
            except OSError:
                return False
            if (stat.st_mtime_ns, stat.st_size) != stamp:
                return False
        return True


def discover(config: Config) -> List[SourceFile]:
    """Every Python file under the `src` roots, sorted by path, each once."""
    return list(list_files(config).files)


def list_files(config: Config) -> Listing:
    """`discover`'s files, with the stamps that let a later run skip the walk (`Listing.still_holds`)."""
    exclude = _exclude_spec(config.exclude)
    found: Dict[str, SourceFile] = {}
    folders: Optional[Dict[str, Tuple[int, int]]] = {}
    root_text = str(config.root)
    roots = sorted((str(r) for r in config.src_roots), key=len, reverse=True)
    for root in config.src_roots:
        if not root.is_dir():
            folders = None
            continue
        listed = _git_files(str(root)) if config.respect_gitignore else None
        if listed is not None:
            folders = None
        walked = ((path, None) for path in _walk(str(root), config.respect_gitignore, folders))
        for path, blob in listed if listed is not None else walked:
            real = os.path.abspath(path)
            if real in found:
                continue
            relpath = _relative(real, root_text)
            if _is_excluded(relpath, exclude):
                continue
            owner = next((r for r in roots if _relative(real, r) != real), str(root))
            module, is_package = _module_name(_relative(real, owner).split("/"))
            found[real] = SourceFile(real, relpath, module, is_package, blob)
    recent = time.time_ns() - 2_000_000_000
    if folders is not None and any(mtime >= recent for mtime, _ in folders.values()):
        folders = None
    return Listing(tuple(sorted(found.values(), key=lambda f: f.relpath)), folders)


def sources_at(config: Config, relpaths: Iterable[str]) -> List[SourceFile]:
    """SourceFiles for paths given relative to the project root (as a git tree lists them), with the
    same `src`, `exclude` and module naming as `discover`. The paths need not exist on disk."""
    exclude = _exclude_spec(config.exclude)
    roots = sorted((str(r) for r in config.src_roots), key=len, reverse=True)
    root_text = str(config.root)
    found = []
    for relpath in relpaths:
        if not relpath.endswith(".py") or _is_excluded(relpath, exclude):
            continue
        absolute = os.path.join(root_text, relpath)
        owner = next((r for r in roots if _relative(absolute, r) != absolute), None)
        if owner is None:
            continue  # outside every src root
        module, is_package = _module_name(_relative(absolute, owner).split("/"))
        found.append(SourceFile(absolute, relpath, module, is_package))
    return sorted(found, key=lambda f: f.relpath)


def _relative(path: str, root: str) -> str:
    """`path` relative to `root` with / separators; `path` itself when it is not below `root`."""
    prefix = root.rstrip(os.sep) + os.sep
    if not path.startswith(prefix):
        return path
    relative = path[len(prefix):]
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


def module_name(path: Path, root: Path) -> Tuple[str, bool]:
    """The module name of `path` imported with `root` on sys.path.

    Folders without `__init__.py` are namespace packages (PEP 420), so
    `tests/unit/test_x.py` is `tests.unit.test_x`. Where a folder name is not an
    identifier the module is named from the deepest importable folder, as if
    that folder were on sys.path (how a script there would see itself).
    """
    return _module_name(list(path.relative_to(root).parts))


def _module_name(parts: List[str]) -> Tuple[str, bool]:
    parts = list(parts)
    parts[-1] = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    start = len(parts)
    while start > 0 and parts[start - 1].isidentifier():
        start -= 1
    named = parts[start:]
    if not named:  # `src/my-pkg/__init__.py` with `src` as root: named after its folder
        named = [parts[-1]] if parts else ["__init__"]
    return ".".join(named), is_package


def gitignore_spec(lines: Iterable[str]) -> "pathspec.PathSpec":
    """Patterns matched as `.gitignore` matches them."""
    import pathspec  # (imported when there are patterns: 14 ms that a warm run without any need not spend)

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _exclude_spec(patterns: Sequence[str]) -> Optional["pathspec.PathSpec"]:
    return gitignore_spec(patterns) if patterns else None


def _is_excluded(relpath: str, exclude: Optional["pathspec.PathSpec"]) -> bool:
    parts = relpath.split("/")
    if any(part in DEFAULT_EXCLUDES for part in parts[:-1]):
        return True
    return exclude is not None and exclude.match_file(relpath)


def _git_files(root: str) -> Optional[List[Tuple[str, Optional[str]]]]:
    """Tracked and untracked-but-not-ignored `.py` files, each with its blob id where git vouches for its
    content (`_clean_blobs`); None outside a checkout."""
    try:
        result = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name", "--", "*.py")
        top = _git(root, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0 or top.returncode != 0:
        return None
    toplevel = top.stdout.decode("utf-8", "surrogateescape").strip()
    listed = [raw for raw in result.stdout.split(b"\0") if raw]
    blobs = _clean_blobs(root, toplevel, listed)
    files = []
    for raw in listed:
        path = os.path.join(toplevel, os.fsdecode(raw))
        if os.path.isfile(path):  # skip deleted-but-tracked files, sockets and folders
            files.append((path, blobs.get(raw)))
    return files


def _git(root: str, *args: str, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", root, *args], capture_output=True, timeout=120, check=False, input=stdin)


def tracked_files_without(folder: str, patterns: FrozenSet[bytes]) -> Optional[Set[str]]:
    """The absolute paths of the tracked `.py` files under `folder` whose work-tree text matches none of
    `patterns`, POSIX extended regular expressions (`git grep -L`: multi-threaded C, ten times faster on a
    large tree than reading every file into Python); None if git cannot tell. Binary files are searched as
    text, as the prefilter reads them."""
    command = [b"git", b"-C", os.fsencode(folder), b"-c", b"color.grep=never", b"grep", b"-L", b"-z", b"--full-name",
               b"--text", b"--extended-regexp", *(arg for pattern in sorted(patterns) for arg in (b"-e", pattern)),
               b"--", b"*.py"]
    try:
        top = _git(folder, "rev-parse", "--show-toplevel")
        found = subprocess.run(command, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if top.returncode != 0 or found.returncode not in (0, 1):  # (1: no file listed)
        return None
    toplevel = top.stdout.decode("utf-8", "surrogateescape").strip()
    return {os.path.abspath(os.path.join(toplevel, os.fsdecode(raw))) for raw in found.stdout.split(b"\0") if raw}


# Attributes under which the file in the work tree may differ from the blob git holds.
_REWRITING_ATTRIBUTES = ("filter", "eol", "text", "ident", "working-tree-encoding")


def _clean_blobs(root: str, toplevel: str, listed: Sequence[bytes]) -> Dict[bytes, str]:
    """The blob id of each tracked file (by its path from the top of the repository) that is as git
    holds it: unchanged in the work tree since it was checked out or added (`git diff-files`, which
    stats every file and compares content where the stat cannot tell), and not rewritten on checkout
    (end-of-line conversion, filters). Empty if git cannot say, so every file is read and hashed."""
    try:
        staged = _git(root, "ls-files", "-z", "--stage", "--full-name", "--", "*.py")
        modified = _git(root, "diff-files", "-z", "--name-only", "--", "*.py")
        autocrlf = _git(root, "config", "--get", "core.autocrlf")
        attributes = _git(toplevel, "check-attr", "-z", "--stdin", *_REWRITING_ATTRIBUTES,  # (paths from the top)
                          stdin=b"".join(path + b"\0" for path in listed))
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if staged.returncode != 0 or modified.returncode != 0 or attributes.returncode != 0 or \
            autocrlf.stdout.strip().lower() in (b"true", b"input"):
        return {}
    changed = set(modified.stdout.split(b"\0"))
    fields = attributes.stdout.split(b"\0")  # path, attribute, value, path, attribute, value, ...
    changed.update(fields[i] for i in range(0, len(fields) - 2, 3) if fields[i + 2] != b"unspecified")
    blobs = {}
    for entry in staged.stdout.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        parts = meta.split()
        # (stage 0 only: a file with merge conflicts has several entries, none of them its content)
        if len(parts) == 3 and parts[2] == b"0" and parts[0] in (b"100644", b"100755") and path not in changed:
            blobs[path] = parts[1].decode()
    return blobs


def _walk(root: str, respect_gitignore: bool, stamps: Optional[Dict[str, Tuple[int, int]]] = None) -> Iterator[str]:
    """Walk `root` without following folder symlinks, reading `.gitignore` files on the way; record the
    (mtime, size) of each folder and `.gitignore` in `stamps`, taken before it is read."""
    ignore_specs: List[Tuple[str, pathspec.PathSpec]] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            if stamps is not None:
                _stamp(folder, stamps)
            entries = list(os.scandir(folder))  # in no order: `discover` sorts what it found
        except OSError:
            if stamps is not None:
                stamps[folder] = (-1, -1)  # unreadable now: nothing vouches for what it lists later
            continue
        if respect_gitignore and any(e.name == ".gitignore" for e in entries):
            ignore_file = os.path.join(folder, ".gitignore")
            try:
                if stamps is not None:
                    _stamp(ignore_file, stamps)
                with open(ignore_file, encoding="utf-8", errors="replace") as handle:
                    ignore_specs.append((folder, gitignore_spec(handle.read().splitlines())))
            except OSError:
                if stamps is not None:
                    stamps[ignore_file] = (-1, -1)
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in DEFAULT_EXCLUDES and not _ignored(entry.path, True, ignore_specs):
                        subfolders.append(entry.path)
                elif entry.name.endswith(".py"):
                    if stamps is not None and entry.is_symlink():
                        stamps[entry.path] = (-1, -1)  # its target may come or go while its folder stays
                    if entry.is_file() and not _ignored(entry.path, False, ignore_specs):
                        yield entry.path
            except OSError:
                continue
        pending.extend(reversed(subfolders))


def _stamp(path: str, stamps: Dict[str, Tuple[int, int]]) -> None:
    stat = os.stat(path)
    stamps[path] = (stat.st_mtime_ns, stat.st_size)


def _ignored(path: str, is_dir: bool, specs: Iterable[Tuple[str, pathspec.PathSpec]]) -> bool:
    for base, spec in specs:
        relative = _relative(path, base)
        if relative != path and spec.match_file(relative + ("/" if is_dir else "")):
            return True
    return False
