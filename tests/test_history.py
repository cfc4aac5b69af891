"""`report --history`: the figures commit by commit, read from git objects, the work tree untouched."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import SHIM_PYPROJECT, make_config, write_tree
import ssot_lint.history as history
from ssot_lint.history import compute_history
from ssot_lint.rule import EXAMPLE_FILES

CONSUMERS = ["app/c1.py", "app/c2.py", "app/c3.py"]


def git(folder, *args):
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def new_repository(folder):
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "t@example.com")
    git(folder, "config", "user.name", "t")


def count_analyses(monkeypatch) -> list:
    """A list that gets an item for each analysis history runs (a commit whose figures are not kept)."""
    analysed: list = []
    real_build = history.build_project
    monkeypatch.setattr(history, "build_project", lambda *a, **k: analysed.append(1) or real_build(*a, **k))
    return analysed


@pytest.fixture
def migrated_repo(tmp_path):
    """A repository migrated one consumer per commit: 0 of 3, then 1, 2, 3 import the canonical module."""
    new_repository(tmp_path)
    write_tree(tmp_path, {"README.md": "before the factory existed\n"})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "empty")
    write_tree(tmp_path, {**EXAMPLE_FILES, "pyproject.toml": SHIM_PYPROJECT,
                          **{path: "from app.legacy import EngineFactory\n" for path in CONSUMERS}})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "three consumers on the shim")
    for path in CONSUMERS:
        write_tree(tmp_path, {path: "from app.factory import EngineFactory\n"})
        git(tmp_path, "commit", "-q", "-am", f"migrate {path}")
    return tmp_path


def test_the_trend_commit_by_commit(migrated_repo):
    config = make_config(migrated_repo, {"canonical": [{"symbol": "app.factory:EngineFactory",
                                                        "shims": ["app.legacy"]}]})
    head_before = git(migrated_repo, "rev-parse", "HEAD")
    points = compute_history(config, "HEAD~4..HEAD", use_cache=False)  # the 4 commits after "empty"
    trend = [p.symbols["app.factory:EngineFactory"]["migrated_percent"] for p in points]
    assert trend == [0.0, 33.3, 66.7, 100.0]
    assert [p.violations for p in points] == [3, 2, 1, 0]
    assert [p.subject for p in points] == ["three consumers on the shim", *(f"migrate {p}" for p in CONSUMERS)]
    assert git(migrated_repo, "status", "--porcelain") == "" and git(migrated_repo, "rev-parse", "HEAD") == head_before


def test_every_nth_commit_and_a_commit_before_the_canonical(migrated_repo):
    config = make_config(migrated_repo, {"canonical": [{"symbol": "app.factory:EngineFactory"}]})
    points = compute_history(config, "HEAD", every=2, use_cache=False)  # all 5 commits: 1st, 3rd, 5th
    assert [p.subject for p in points] == ["empty", "migrate app/c1.py", "migrate app/c3.py"]
    assert "not in the project" in points[0].error and points[0].symbols == {}


def test_the_command_line_markdown_has_the_trend_chart(migrated_repo):
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "report", "--no-cache", "--history", "HEAD~4..HEAD",
                          "--format", "markdown"], cwd=migrated_repo, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "xychart-beta" in run.stdout and "line [0.0, 33.3, 66.7, 100.0]" in run.stdout
    as_json = subprocess.run([sys.executable, "-m", "ssot_lint", "report", "--no-cache", "--history",
                              "HEAD~4..HEAD", "--format", "json"], cwd=migrated_repo, capture_output=True,
                             text=True, timeout=300)
    history = json.loads(as_json.stdout)["history"]
    assert [p["violations"] for p in history] == [3, 2, 1, 0]


def test_a_bad_range_is_a_usage_error(migrated_repo):
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "report", "--history", "nope..HEAD"],
                         cwd=migrated_repo, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and run.stderr.startswith("ssot-lint: error: --history: git log")


def test_a_commit_that_changes_nothing_the_analysis_reads_reuses_the_figures(migrated_repo, monkeypatch):
    """A comment edited in an analysed file, or an unrelated file changed, cannot change the figures: they
    are reused without a new analysis. A change that can (a new import through the shim in a file the
    prefilter had left out) is analysed again, and the figures are those of a full analysis."""
    repo = migrated_repo
    write_tree(repo, {"app/unrelated.py": "VALUE = 1\n"})
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "an unrelated file")
    write_tree(repo, {"app/c1.py": "from app.factory import EngineFactory  # migrated\n"})  # a comment only
    git(repo, "commit", "-q", "-am", "a comment")
    write_tree(repo, {"app/unrelated.py": "VALUE = 2\n"})
    git(repo, "commit", "-q", "-am", "unrelated change")
    write_tree(repo, {"app/unrelated.py": "from app.legacy import EngineFactory\nVALUE = 2\n"})
    git(repo, "commit", "-q", "-am", "a new consumer on the shim")
    config = make_config(repo, {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"]}]})

    analysed = count_analyses(monkeypatch)
    points = compute_history(config, "HEAD~5..HEAD", use_cache=False)
    assert [p.subject for p in points] == ["migrate app/c3.py", "an unrelated file", "a comment",
                                           "unrelated change", "a new consumer on the shim"]
    assert [p.violations for p in points] == [0, 0, 0, 0, 1]
    # The first commit, the one adding a file (the file list changed), and the new consumer: analysed.
    assert len(analysed) == 3
    monkeypatch.setattr(history, "_same_analysis", lambda *args: False)
    assert [(p.violations, p.symbols) for p in compute_history(config, "HEAD~5..HEAD", use_cache=False)] == \
        [(p.violations, p.symbols) for p in points]


def test_a_file_resolution_only_passes_through_is_compared_where_it_was_read(tmp_path, monkeypatch):
    """`app/util.py` names nothing tracked, but the canonical module imports `helper` from it (so the
    resolver looks that name up there) and the import-cycle rule follows its imports. A function added to
    it changes neither: the figures are reused. Rebinding `helper`, or a new import (here one that closes
    an import cycle through the canonical module), is analysed again, and every figure is that of a full
    analysis."""
    new_repository(tmp_path)
    util = "def helper():\n    return 1\n"
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/factory.py": "from app.util import helper\n\n\nclass EngineFactory:\n    pass\n",
        "app/util.py": util,
        "app/other.py": "import app.factory\n",
        "app/legacy.py": "from app.factory import EngineFactory\n",
        "app/c1.py": "from app.legacy import EngineFactory\n",
    })
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    for subject, text in [("util gains a function", util + "\n\ndef other():\n    return 2\n"),
                          ("helper is rebound", util + "\n\nhelper = print\n"),
                          ("util imports app.other", "import app.other\n\n\n" + util)]:
        write_tree(tmp_path, {"app/util.py": text})
        git(tmp_path, "commit", "-q", "-am", subject)
    config = make_config(tmp_path, {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"]}]})

    analysed = count_analyses(monkeypatch)
    points = compute_history(config, "HEAD", use_cache=False)
    assert [p.subject for p in points] == ["start", "util gains a function", "helper is rebound",
                                           "util imports app.other"]
    assert len(analysed) == 3  # the first commit, the rebinding and the new import
    assert [p.violations for p in points] == [1, 1, 1, 2]  # c1 through the shim; then the cycle too
    monkeypatch.setattr(history, "_same_analysis", lambda *args: False)
    assert [(p.violations, p.symbols) for p in compute_history(config, "HEAD", use_cache=False)] == \
        [(p.violations, p.symbols) for p in points]


def test_a_name_looked_up_where_nothing_is_tracked_can_decide_the_figures(tmp_path, monkeypatch):
    """`app/c1.py` binds the canonical only when `app/util.py` (which names nothing tracked) lacks `Q`: the
    `try` fails and its handler runs. `c2` imports the canonical from `c1`. Defining `Q` in `util` breaks
    that import: it must be analysed again, although the file still names nothing tracked."""
    new_repository(tmp_path)
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/factory.py": "class EngineFactory:\n    pass\n",
        "app/util.py": "def helper():\n    return 1\n",
        "app/c1.py": "try:\n    from app.util import Q\nexcept ImportError:\n    from app.factory import EngineFactory\n",
        "app/c2.py": "from app.c1 import EngineFactory\n",
    })
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    write_tree(tmp_path, {"app/util.py": "def helper():\n    return 1\n\n\nclass Q:\n    pass\n"})
    git(tmp_path, "commit", "-q", "-am", "util defines Q")
    config = make_config(tmp_path, {"canonical": [{"symbol": "app.factory:EngineFactory"}]})
    points = compute_history(config, "HEAD", use_cache=False)
    monkeypatch.setattr(history, "_same_analysis", lambda *args: False)
    full = compute_history(config, "HEAD", use_cache=False)
    # c1 re-exports the canonical (SSOT003) and c2 imports it through c1 (SSOT002); then that import breaks
    assert [p.violations for p in full] == [2, 1]
    assert [(p.violations, p.symbols) for p in points] == [(p.violations, p.symbols) for p in full]
