"""What a check answered by the server was computed from, on disk, and a cheap exact test that none of it
has changed: then the last answer stands, without asking the Workspace (which would list the files
again through git, 0.3 s on a 14,500-file monorepo).

A `Snapshot`, taken just before an analysis, is the `stat` of everything that analysis can depend on:

- every folder under the `src` roots (a file added, removed or renamed changes its folder), not going
  into the folders discovery always skips (`.venv`, `build`, ...) nor through symlinks to folders
  (discovery does not follow them);
- every `.py` file there, through symlinks (a file's content: size, mtime, ctime, inode), and every
  `.gitignore` and `.gitattributes`;
- the `.gitignore`, `.gitattributes` and `.git` of every folder above the roots;
- in a git checkout, what git reads to list the files: the index, the repository's config and
  `info/exclude`, `info/attributes`, `info/sparse-checkout`, every configuration file git reads (as
  `git config --list --show-origin` names them), and the global ignore and attributes files. The index
  is written by every `git add` and every commit; a new one matters only if the `.py` files it tracks
  are others (a tracked file is listed even where an ignore rule matches it), which `git ls-files`
  tells in 10 ms on the monorepo: the contents it records are the work tree's, stamped above.

`changes()` stats them all again (35 ms for the monorepo's 18,000) and says what differs: the `.py`
files whose content may have changed (the server reads them and gives them to its Workspace), and
whether anything else did (a file came or went, an ignore file, git's configuration, the files its index
tracks), in which case the files are listed again. A stamp taken within two seconds of a change to its file is not trusted
(a second change in the same clock tick could leave it as it was, git's "racily clean" problem): it
counts as changed at the next check. The environment git reads is applied by the caller
(server_check.py) and is part of what the answer is kept for.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ssot_lint.config import Config
from ssot_lint.files.discovery import DEFAULT_EXCLUDES

RACY_NS = 2_000_000_000  # a stamp this close to its file's last change is not trusted (as files/cache.py)
LISTED = (".gitignore", ".gitattributes")
GIT_FILES = ("index", "config", "config.worktree", "info/exclude", "info/attributes", "info/sparse-checkout")

Stamp = Optional[Tuple[int, ...]]  # None: missing


def stamp(path: str) -> Stamp:
    try:
        stat = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:  # unreadable: as it is now, and any change in it is one
        return (-1, error.errno or 0)
    return (stat.st_mode, stat.st_ino, stat.st_dev, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _kind(path: str) -> Stamp:
    """Whether the path is there, and as what (a file, a folder): a stamp of one number."""
    value = stamp(path)
    return None if value is None else (value[0] & 0o170000,)


def _recent(value: Stamp, since: int) -> bool:
    return value is not None and len(value) > 2 and max(value[4], value[5]) >= since


@dataclass(frozen=True)
class Changes:
    """What differs on disk from a snapshot: the files whose content may have changed (`.py` files of the
    folders walked), and whether anything else did (a file came or went, an ignore file, git's
    configuration, or the files its index tracks), so that the files must be listed again. `restamped`:
    git's index files that changed without changing what they track, stamped at `taken`."""

    files: FrozenSet[str]
    relist: bool
    restamped: Dict[str, Stamp]
    taken: int

    @property
    def none(self) -> bool:
        return not self.files and not self.relist


@dataclass(frozen=True)
class Snapshot:
    stamps: Dict[str, Stamp]  # every path looked at
    contents: FrozenSet[str]  # those that are `.py` files in the folders walked
    indexes: FrozenSet[str]  # those that are git's index files
    tracked: Tuple[Tuple[str, FrozenSet[bytes]], ...]  # each checkout's top, and the `.py` files its index tracks
    taken: int  # when (time.time_ns(), before the first stat)

    @classmethod
    def take(cls, config: Config, environment: Mapping[str, str]) -> "Snapshot":
        """The disk now, git seeing `environment` (server_protocol.git_environment)."""
        taken = time.time_ns()
        stamps: Dict[str, Stamp] = {}
        contents: Set[str] = set()
        roots = [str(root) for root in config.src_roots]
        for root in roots:
            _walk(root, stamps, contents)
        for folder in _above(roots):
            for name in LISTED:
                path = os.path.join(folder, name)
                stamps[path] = stamp(path)
            path = os.path.join(folder, ".git")  # (whether there is one: what is in it is below)
            stamps[path] = _kind(path)
        run_with = _with_git(environment)
        inputs, indexes, tops = _git_inputs(roots, run_with)
        for path in inputs:
            stamps.setdefault(path, stamp(path))
        return cls(stamps, frozenset(contents), frozenset(indexes), _tracked(tops, run_with), taken)

    def updated(self, paths: Iterable[str], changes: Optional[Changes] = None) -> "Snapshot":
        """This snapshot, with these files stamped again now (before they are read again), and the index
        files `changes` restamped."""
        taken = changes.taken if changes is not None else time.time_ns()  # (the earlier: the stricter)
        stamps = dict(self.stamps)
        stamps.update(changes.restamped if changes is not None else {})
        for path in paths:
            stamps[path] = stamp(path)
        return Snapshot(stamps, self.contents, self.indexes, self.tracked, taken)

    def changes(self, environment: Mapping[str, str]) -> Changes:
        """What changed on disk since this snapshot, git seeing `environment`. A stamp it took too close to
        its file's last change counts as changed (the content read then may not be the content now). A git
        index that changed (`git add` writes it, and every commit) only matters if the files it tracks
        did: a tracked file is listed even where an ignore rule matches it."""
        taken = time.time_ns()
        changed: Set[str] = set()
        restamped: Dict[str, Stamp] = {}
        relist = False
        doubtful = self.taken - RACY_NS
        for path, then in self.stamps.items():
            now = stamp(path) if then is None or len(then) != 1 else _kind(path)
            if now != then or _recent(then, doubtful):
                if path in self.contents and now is not None and then is not None and now[0] == then[0]:
                    changed.add(path)  # (a .py file still there and still a file: its content may differ)
                elif path in self.indexes:
                    restamped[path] = now
                else:
                    relist = True
        if restamped and not relist:  # (after the stamps: an index written since is seen next time)
            relist = _tracked([top for top, _ in self.tracked], _with_git(environment)) != self.tracked
        return Changes(frozenset(changed), relist, restamped, taken)


def _walk(root: str, stamps: Dict[str, Stamp], contents: Set[str]) -> None:
    """Stamp the folders under `root`, not going into those discovery skips nor through symlinks, and the
    `.py`, `.gitignore` and `.gitattributes` files in them (through symlinks: their targets' contents)."""
    pending = [root]
    while pending:
        folder = pending.pop()
        stamps[folder] = stamp(folder)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name, path = entry.name, entry.path
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in DEFAULT_EXCLUDES:
                        pending.append(path)
                    continue
            except OSError:
                pass
            if name.endswith(".py"):
                stamps[path] = stamp(path)
                contents.add(path)
            elif name in LISTED:
                stamps[path] = stamp(path)


def _above(roots: Iterable[str]) -> List[str]:
    """Every folder above the roots (their `.gitignore` files apply to them, a `.git` there makes them a
    checkout)."""
    folders = set()
    for root in roots:
        path = Path(root)
        folders.update(str(parent) for parent in path.parents)
    return sorted(folders)


def _git_inputs(roots: Iterable[str], environment: Mapping[str, str]) -> Tuple[List[str], List[str], List[str]]:
    """The files git reads to list the files of these roots (none outside a checkout), those of them that
    are indexes, and the top of each checkout."""
    found: List[str] = []
    indexes: List[str] = []
    tops: List[str] = []
    git_dirs = set()
    for root in roots:
        if not os.path.isdir(root):
            continue
        where = _git(root, environment, "rev-parse", "--absolute-git-dir", "--git-common-dir", "--show-toplevel")
        lines = where.splitlines() if where is not None else []
        if len(lines) < 3 or lines[0] in git_dirs:
            continue
        git_dirs.add(lines[0])
        git_dir, common_dir, toplevel = lines[0], os.path.join(root, lines[1]), lines[2]
        tops.append(toplevel)
        for folder in {git_dir, os.path.abspath(common_dir)}:
            found += [os.path.join(folder, name) for name in GIT_FILES]
        indexes.append(os.path.join(git_dir, "index"))
        index = environment.get("GIT_INDEX_FILE")
        if index:  # (relative to wherever git takes it from: each place it could be)
            indexes += [os.path.join(base, index) for base in (toplevel, root, os.getcwd())]
        fields = (_git(root, environment, "config", "--list", "--show-origin", "-z") or "").split("\0")
        for origin, setting in zip(fields[0::2], fields[1::2]):  # origin, "key\nvalue", origin, ...
            if origin.startswith("file:"):  # (a relative one is relative to the top of the checkout)
                found.append(os.path.join(toplevel, origin[len("file:"):]))
            key, _, value = setting.partition("\n")
            if key.lower() in ("core.excludesfile", "core.attributesfile") and value:
                found.append(os.path.join(toplevel, os.path.expanduser(value)))
        home = environment.get("XDG_CONFIG_HOME") or os.path.join(environment.get("HOME") or os.path.expanduser("~"),
                                                                  ".config")
        found += [os.path.join(home, "git", name) for name in ("config", "ignore", "attributes")]
        found += [os.path.join(environment.get("HOME") or os.path.expanduser("~"), ".gitconfig"), "/etc/gitconfig",
                  "/etc/gitattributes"]
    return found + indexes, indexes, tops


def _tracked(tops: Iterable[str], environment: Mapping[str, str]) -> Tuple[Tuple[str, FrozenSet[bytes]], ...]:
    """The `.py` files each checkout's index tracks (10 ms for the monorepo's 14,500)."""
    found = []
    for top in tops:
        listed = _git(top, environment, "ls-files", "-z", "--cached", "--", "*.py", text=False)
        found.append((top, frozenset(listed.split(b"\0")) if listed is not None else frozenset({b"?"})))
    return tuple(found)


def _with_git(environment: Mapping[str, str]) -> Dict[str, str]:
    """This process's environment, with the variables git reads as in `environment`."""
    from ssot_lint.commands.server_protocol import git_environment

    ours = git_environment(os.environ)
    return {**{name: value for name, value in os.environ.items() if name not in ours}, **environment}


def _git(root: str, environment: Mapping[str, str], *args: str, text: bool = True):
    try:
        result = subprocess.run(["git", "-C", root, *args], capture_output=True, timeout=60, check=False,
                                env=dict(environment))
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "surrogateescape").strip("\n") if text else result.stdout
