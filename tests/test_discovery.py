"""Discovery: which files make up the project, their module names, and relative import resolution."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

import pytest

from helpers import make_config, write_tree
from ssot_lint.files import discovery
from ssot_lint.files.discovery import DEFAULT_EXCLUDES, discover, list_files, module_name
from ssot_lint.engine.run import run_check
from ssot_lint.analysis.graph import absolute_module

CANONICAL = {"canonical": [{"symbol": "pkg.mod:Thing"}]}


@pytest.fixture
def plain(tmp_path, monkeypatch):
    """A folder that is not inside any git checkout (git must not look above it)."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    probe = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True)
    assert probe.returncode != 0, "the test folder must not be inside a git checkout"
    return root


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """An empty git checkout with a local identity."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    git(root, "init", "-q")
    git(root, "config", "user.name", "ssot-lint tests")
    git(root, "config", "user.email", "tests@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    return root


def commit_all(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")


def modules(root: Path, section: Optional[dict] = None) -> Dict[str, str]:
    """relpath -> module name of every discovered file."""
    files = discover(make_config(root, {**CANONICAL, **(section or {})}))
    relpaths = [f.relpath for f in files]
    assert relpaths == sorted(relpaths), "files come sorted by path"
    assert len(set(relpaths)) == len(relpaths), "each file once"
    assert len({f.path for f in files}) == len(files)
    return {f.relpath: f.module for f in files}


# -- module names ----------------------------------------------------------------------------


@pytest.mark.parametrize("relpath, expected", [
    ("top.py", ("top", False)),
    ("pkg/__init__.py", ("pkg", True)),
    ("pkg/mod.py", ("pkg.mod", False)),
    ("pkg/sub/__init__.py", ("pkg.sub", True)),
    ("pkg/sub/deep.py", ("pkg.sub.deep", False)),
    # folders without __init__.py are namespace packages (PEP 420)
    ("tests/unit/test_x.py", ("tests.unit.test_x", False)),
    ("nspkg/inner/__init__.py", ("nspkg.inner", True)),
    # a folder whose name is not an identifier cannot be imported through: named from below it
    ("my-scripts/tool.py", ("tool", False)),
    ("my-scripts/pkg/mod.py", ("pkg.mod", False)),
    ("my-scripts/pkg/__init__.py", ("pkg", True)),
    ("1st/x.py", ("x", False)),
    ("a.b/c.py", ("c", False)),
    ("outer/my-scripts/inner/mod.py", ("inner.mod", False)),
])
def test_module_name(tmp_path, relpath, expected):
    assert module_name(tmp_path / relpath, tmp_path) == expected


def test_discover_names_packages_namespaces_and_scripts(plain):
    write_tree(plain, {
        "pkg/__init__.py": "",
        "pkg/mod.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/leaf.py": "",
        "tests/unit/test_mod.py": "",
        "my-scripts/run.py": "",
        "setup.py": "",
        "README.md": "",
        "pkg/data.txt": "",
        "pkg/stub.pyi": "",
    })
    assert modules(plain) == {
        "my-scripts/run.py": "run",
        "pkg/__init__.py": "pkg",
        "pkg/mod.py": "pkg.mod",
        "pkg/sub/__init__.py": "pkg.sub",
        "pkg/sub/leaf.py": "pkg.sub.leaf",
        "setup.py": "setup",
        "tests/unit/test_mod.py": "tests.unit.test_mod",
    }


def test_is_package_flag(plain):
    write_tree(plain, {"pkg/__init__.py": "", "pkg/mod.py": ""})
    files = {f.relpath: f for f in discover(make_config(plain, CANONICAL))}
    assert files["pkg/__init__.py"].is_package is True
    assert files["pkg/mod.py"].is_package is False
    assert files["pkg/mod.py"].path == (plain / "pkg" / "mod.py").resolve()


def test_src_root_names_modules_from_it_and_reports_paths_from_the_project_root(plain):
    write_tree(plain, {
        "src/pkg/__init__.py": "",
        "src/pkg/mod.py": "",
        "tests/test_mod.py": "",  # outside `src`: not part of the project
    })
    assert modules(plain, {"src": ["src"]}) == {"src/pkg/__init__.py": "pkg", "src/pkg/mod.py": "pkg.mod"}


def test_nested_src_roots_list_each_file_once_named_from_the_deepest_root(plain):
    write_tree(plain, {
        "src/pkg/__init__.py": "",
        "src/pkg/mod.py": "",
        "tests/test_mod.py": "",
    })
    for src in ([".", "src"], ["src", "."]):
        assert modules(plain, {"src": src}) == {
            "src/pkg/__init__.py": "pkg",
            "src/pkg/mod.py": "pkg.mod",
            "tests/test_mod.py": "tests.test_mod",
        }, src


def test_missing_src_root_is_ignored(plain):
    write_tree(plain, {"pkg/mod.py": ""})
    assert modules(plain, {"src": ["nowhere", "."]}) == {"pkg/mod.py": "pkg.mod"}


# -- exclude ---------------------------------------------------------------------------------


EXCLUDE_TREE = {
    "pkg/__init__.py": "",
    "pkg/keep.py": "",
    "pkg/legacy_one.py": "",
    "archive/old.py": "",
    "archive/deep/older.py": "",
    "pkg/backup_2020/copy.py": "",
    "pkg/sub/backup/copy.py": "",
    "notarchive/kept.py": "",
}
EXCLUDE = {"exclude": ["archive/**", "**/backup*/**", "legacy_*.py"]}
EXCLUDE_KEPT = {"notarchive/kept.py", "pkg/__init__.py", "pkg/keep.py"}


def test_exclude_globs(plain):
    write_tree(plain, EXCLUDE_TREE)
    assert set(modules(plain, EXCLUDE)) == EXCLUDE_KEPT


def test_exclude_globs_apply_to_tracked_files_in_a_checkout(repo):
    write_tree(repo, EXCLUDE_TREE)
    commit_all(repo)
    assert set(modules(repo, EXCLUDE)) == EXCLUDE_KEPT


def test_exclude_is_relative_to_the_config_root_not_the_src_root(plain):
    write_tree(plain, {"src/pkg/__init__.py": "", "src/pkg/gen/out.py": "", "src/pkg/mod.py": ""})
    kept = modules(plain, {"src": ["src"], "exclude": ["src/pkg/gen/"]})
    assert set(kept) == {"src/pkg/__init__.py", "src/pkg/mod.py"}


def default_exclude_tree() -> Dict[str, str]:
    tree = {"pkg/__init__.py": "", "pkg/mod.py": ""}
    for name in DEFAULT_EXCLUDES:
        tree[f"{name}/lib/tool.py"] = ""
        tree[f"pkg/{name}/inner.py"] = ""
    return tree


def test_default_excludes(plain):
    assert {".venv", "venv", ".git", ".tox", "node_modules", "site-packages", "__pypackages__"} <= set(
        DEFAULT_EXCLUDES)
    write_tree(plain, default_exclude_tree())
    assert set(modules(plain)) == {"pkg/__init__.py", "pkg/mod.py"}


def test_default_excludes_in_a_checkout_without_gitignore(repo):
    tree = default_exclude_tree()
    del tree[".git/lib/tool.py"]  # git owns that folder
    write_tree(repo, tree)
    assert set(modules(repo)) == {"pkg/__init__.py", "pkg/mod.py"}


def test_default_excludes_match_whole_folder_names_only(plain):
    write_tree(plain, {"venvtools/a.py": "", "my.venv.d/b.py": "", "distance/c.py": ""})
    assert set(modules(plain)) == {"venvtools/a.py", "my.venv.d/b.py", "distance/c.py"}


def test_build_folder_is_excluded_by_default(plain):
    """The module docstring promises `build` among the usual tool folders, as in ruff's defaults."""
    write_tree(plain, {"pkg/__init__.py": "", "build/lib/pkg/__init__.py": ""})
    assert set(modules(plain)) == {"pkg/__init__.py"}


# -- .gitignore ------------------------------------------------------------------------------


def test_gitignore_honoured_in_a_checkout(repo):
    write_tree(repo, {
        ".gitignore": "generated/\nsecret_*.py\n",
        "pkg/.gitignore": "local.py\n",
        "pkg/__init__.py": "",
        "pkg/mod.py": "",
        "pkg/gone.py": "",
        "forced_secret_x.py": "",
    })
    commit_all(repo)
    git(repo, "add", "-f", "pkg/__init__.py")
    write_tree(repo, {
        "secret_forced.py": "",
        "pkg/new.py": "",  # untracked, not ignored: part of the project
        "generated/out.py": "",
        "pkg/secret_key.py": "",
        "pkg/local.py": "",
        "other/local.py": "",  # pkg/.gitignore does not reach here
    })
    git(repo, "add", "-f", "secret_forced.py")  # tracked despite the pattern: git lists it
    (repo / "pkg" / "gone.py").unlink()  # tracked but deleted from the working tree
    assert set(modules(repo)) == {
        "forced_secret_x.py", "other/local.py", "pkg/__init__.py", "pkg/mod.py", "pkg/new.py",
        "secret_forced.py",
    }


def test_unusual_file_names_in_a_checkout(repo):
    write_tree(repo, {"pkg/__init__.py": "", "pkg/ünïcode.py": "", "pkg/with space.py": "", "pkg/q\"uote.py": ""})
    commit_all(repo)
    write_tree(repo, {"pkg/naïve_untracked.py": ""})
    found = modules(repo)
    assert set(found) == {"pkg/__init__.py", "pkg/ünïcode.py", "pkg/with space.py", 'pkg/q"uote.py',
                          "pkg/naïve_untracked.py"}
    assert found["pkg/ünïcode.py"] == "pkg.ünïcode"
    assert found["pkg/naïve_untracked.py"] == "pkg.naïve_untracked"


def test_gitignore_in_a_checkout_can_be_turned_off(repo):
    write_tree(repo, {".gitignore": "generated/\n", "pkg/mod.py": "", "generated/out.py": ""})
    assert set(modules(repo)) == {"pkg/mod.py"}
    assert set(modules(repo, {"respect-gitignore": False})) == {"pkg/mod.py", "generated/out.py"}


def test_project_in_a_subfolder_of_a_checkout(repo):
    project = repo / "service"
    write_tree(repo, {
        ".gitignore": "*_pb2.py\n",
        "service/pkg/__init__.py": "",
        "service/pkg/mod.py": "",
        "service/pkg/api_pb2.py": "",
        "other/pkg/__init__.py": "",
        "other/pkg/elsewhere.py": "",
    })
    commit_all(repo)
    files = discover(make_config(project, CANONICAL))
    assert {f.relpath: f.module for f in files} == {"pkg/__init__.py": "pkg", "pkg/mod.py": "pkg.mod"}
    assert all(f.path.is_file() and project.resolve() in f.path.parents for f in files)


def test_gitignore_honoured_outside_a_checkout(plain):
    write_tree(plain, {
        ".gitignore": "# generated code\ngenerated/\n*_pb2.py\n!keep_pb2.py\n/anchored.py\n",
        "pkg/.gitignore": "local.py\nbuild_*/\n",
        "pkg/__init__.py": "",
        "pkg/mod.py": "",
        "pkg/api_pb2.py": "",
        "pkg/keep_pb2.py": "",
        "pkg/local.py": "",
        "pkg/build_tmp/x.py": "",
        "pkg/anchored.py": "",  # `/anchored.py` only matches at the root
        "anchored.py": "",
        "generated/out.py": "",
        "pkg/generated/out.py": "",
        "other/local.py": "",  # pkg/.gitignore does not reach here
    })
    assert set(modules(plain)) == {
        "other/local.py", "pkg/__init__.py", "pkg/anchored.py", "pkg/keep_pb2.py", "pkg/mod.py",
    }


def test_gitignore_outside_a_checkout_can_be_turned_off(plain):
    write_tree(plain, {".gitignore": "generated/\n", "pkg/mod.py": "", "generated/out.py": ""})
    assert set(modules(plain)) == {"pkg/mod.py"}
    assert set(modules(plain, {"respect-gitignore": False})) == {"pkg/mod.py", "generated/out.py"}


# -- symlinks --------------------------------------------------------------------------------


def test_symlink_loop_terminates_and_lists_each_file_once(plain):
    write_tree(plain, {"pkg/__init__.py": "", "pkg/mod.py": "", "pkg/sub/__init__.py": "", "pkg/sub/leaf.py": ""})
    os.symlink("..", plain / "pkg" / "sub" / "up")  # pkg/sub/up -> pkg
    os.symlink(".", plain / "pkg" / "self")  # pkg/self -> pkg
    os.symlink(str(plain), plain / "pkg" / "sub" / "root")  # absolute link to the project root
    assert modules(plain) == {
        "pkg/__init__.py": "pkg",
        "pkg/mod.py": "pkg.mod",
        "pkg/sub/__init__.py": "pkg.sub",
        "pkg/sub/leaf.py": "pkg.sub.leaf",
    }


def test_mutual_symlink_loop_terminates(plain):
    write_tree(plain, {"a/one.py": "", "b/two.py": ""})
    os.symlink("../b", plain / "a" / "to_b")
    os.symlink("../a", plain / "b" / "to_a")
    found = modules(plain)
    # each real file is listed exactly once, whatever path reached it first
    assert sorted(Path(p).name for p in found) == ["one.py", "two.py"]


def test_symlink_to_a_folder_of_the_project_does_not_rename_its_files(plain):
    """A link sorting before the folder it points to must not make the folder's files appear
    under the link's name (wrong paths in reports, wrong module names for resolution)."""
    write_tree(plain, {"pkg/__init__.py": "", "pkg/mod.py": ""})
    os.symlink("pkg", plain / "alias")  # "alias" sorts before "pkg"
    assert modules(plain) == {"pkg/__init__.py": "pkg", "pkg/mod.py": "pkg.mod"}


# -- relative imports ------------------------------------------------------------------------


RELATIVE_CASES = [
    # (importer, is_package, level, module)
    ("pkg.mod", False, 0, "os.path"),
    ("pkg.mod", False, 1, None),
    ("pkg.mod", False, 1, "sibling"),
    ("pkg.mod", False, 1, "sub.leaf"),
    ("pkg.mod", False, 2, None),
    ("pkg.mod", False, 2, "x"),
    ("pkg.mod", False, 3, "x"),
    ("pkg", True, 1, None),
    ("pkg", True, 1, "mod"),
    ("pkg", True, 2, "mod"),
    ("pkg.sub", True, 1, "leaf"),
    ("pkg.sub", True, 2, "mod"),
    ("pkg.sub", True, 2, None),
    ("pkg.sub", True, 3, "mod"),
    ("pkg.sub.leaf", False, 1, None),
    ("pkg.sub.leaf", False, 2, "mod"),
    ("pkg.sub.leaf", False, 2, None),
    ("pkg.sub.leaf", False, 3, "mod"),
    ("a.b.c.d", False, 3, "x.y"),
    ("a.b.c.d", False, 4, "x"),
    ("a.b.c.d", True, 4, "x"),
    ("a.b.c.d", True, 5, "x"),
    ("top", False, 1, "x"),  # a top-level module has no package
    ("top", False, 1, None),
    ("top", True, 1, "x"),
    ("top", True, 2, "x"),
]


def expected_resolution(importer: str, is_package: bool, level: int, module: Optional[str]) -> Optional[str]:
    """What Python itself computes (importlib), None where it raises."""
    package = importer if is_package else importer.rpartition(".")[0]
    name = "." * level + (module or "")
    try:
        return importlib.util.resolve_name(name, package)
    except (ImportError, ValueError):
        return None


@pytest.mark.parametrize("importer, is_package, level, module", RELATIVE_CASES)
def test_absolute_module_agrees_with_importlib(importer, is_package, level, module):
    assert absolute_module(importer, is_package, level, module) == expected_resolution(
        importer, is_package, level, module)


def test_relative_imports_beyond_the_top_level_are_none():
    assert absolute_module("pkg.mod", False, 3, "x") is None
    assert absolute_module("top", False, 1, "x") is None
    assert absolute_module("pkg", True, 2, None) is None
    # and those within reach are the expected absolute names
    assert absolute_module("pkg.sub.leaf", False, 2, "mod") == "pkg.mod"
    assert absolute_module("pkg.sub", True, 1, None) == "pkg.sub"


def test_discovered_names_drive_relative_resolution(plain):
    """A module's own name and package flag, as discovered, resolve `from ..x import y` as Python does."""
    write_tree(plain, {"src/pkg/__init__.py": "", "src/pkg/sub/__init__.py": "", "src/pkg/sub/leaf.py": ""})
    files = {f.relpath: f for f in discover(make_config(plain, {**CANONICAL, "src": ["src"]}))}
    leaf, sub = files["src/pkg/sub/leaf.py"], files["src/pkg/sub/__init__.py"]
    assert absolute_module(leaf.module, leaf.is_package, 2, "other") == "pkg.other"
    assert absolute_module(sub.module, sub.is_package, 1, "leaf") == "pkg.sub.leaf"


# -- reusing the last discovery --------------------------------------------------------------


def backdate(root: Path, seconds: int = 60) -> None:
    """Older than the two seconds in which an mtime cannot vouch for a folder."""
    when = time.time_ns() - seconds * 1_000_000_000
    for folder, _, names in os.walk(root):
        for path in [folder, *(os.path.join(folder, n) for n in names)]:
            os.utime(path, ns=(when, when), follow_symlinks=False)


LISTED_TREE = {".gitignore": "generated/\n", "pkg/__init__.py": "", "pkg/mod.py": "", "pkg/sub/leaf.py": "",
               "generated/out.py": "", "pkg/notes.txt": ""}


def test_a_listing_holds_while_no_folder_it_walked_changes(plain):
    write_tree(plain, LISTED_TREE)
    backdate(plain)
    config = make_config(plain, CANONICAL)
    listing = list_files(config)
    assert list(listing.files) == discover(config) and listing.folders is not None
    assert listing.still_holds()
    (plain / "pkg" / "mod.py").write_text("x = 1\n")  # an edit changes no folder, nor the list
    (plain / "generated" / "more.py").write_text("")  # an ignored folder is not walked
    assert listing.still_holds()


LISTING_CHANGES = {
    "a file added deep down": lambda root: (root / "pkg" / "sub" / "new.py").write_text(""),
    "a file removed": lambda root: (root / "pkg" / "sub" / "leaf.py").unlink(),
    "a folder renamed": lambda root: (root / "pkg" / "sub").rename(root / "pkg" / "moved"),
    "a file renamed over another": lambda root: (root / "pkg" / "notes.txt").rename(root / "pkg" / "mod.py"),
    "what .gitignore ignores": lambda root: (root / ".gitignore").write_text("pkg/sub/\n"),
}


@pytest.mark.parametrize("change", sorted(LISTING_CHANGES))
def test_a_listing_no_longer_holds_when_a_folder_it_walked_changes(plain, change):
    write_tree(plain, LISTED_TREE)
    backdate(plain)
    listing = list_files(make_config(plain, CANONICAL))
    LISTING_CHANGES[change](plain)
    assert not listing.still_holds()


def test_a_listing_of_recently_changed_folders_or_of_git_does_not_vouch(plain, repo):
    write_tree(plain, LISTED_TREE)
    assert list_files(make_config(plain, CANONICAL)).folders is None  # written just now: racy
    write_tree(repo, LISTED_TREE)
    backdate(repo)
    assert list_files(make_config(repo, CANONICAL)).folders is None  # git lists the files


def test_check_reuses_the_last_discovery_and_sees_a_new_file(plain, monkeypatch):
    write_tree(plain, {"pkg/__init__.py": "", "pkg/mod.py": "class Thing:\n    pass\n",
                       "pkg/use.py": "from pkg.mod import Thing\n"})
    backdate(plain)
    config = make_config(plain, {**CANONICAL, "respect-gitignore": False})
    walks = []
    real_walk = discovery._walk
    monkeypatch.setattr(discovery, "_walk", lambda *args: walks.append(1) or real_walk(*args))
    assert run_check(config, jobs=1, use_cache=True).violations == ()
    backdate(plain)  # (the first run made .ssot_lint_cache/ in the root folder)
    assert run_check(config, jobs=1, use_cache=True).violations == ()
    assert len(walks) == 2
    assert run_check(config, jobs=1, use_cache=True).files_analysed == 3 and len(walks) == 2  # not walked again
    (plain / "pkg" / "new.py").write_text("from pkg.mod import Thing as Other\n")
    found = run_check(config, jobs=1, use_cache=True)
    assert len(walks) == 3 and found.files_analysed == 4
    assert [(v.code, v.path) for v in found.violations] == [("SSOT005", "pkg/new.py")]
