"""`report --history`: the figures commit by commit, read from git objects, the work tree untouched."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import SHIM_PYPROJECT, make_config, ssot, write_tree
import ssot_lint.commands.history as history
from ssot_lint.commands.history import compute_history
from ssot_lint.commands.report_text import point_labels
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
    real_analyse = history.analyse_files
    monkeypatch.setattr(history, "analyse_files", lambda *a, **k: analysed.append(1) or real_analyse(*a, **k))
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
    assert points[0].missing == {"app.factory:EngineFactory": "module app.factory is not in the project"}
    assert points[0].symbols == {} and points[0].violations is None


def test_the_command_line_markdown_has_the_trend_chart(migrated_repo):
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "report", "--no-cache", "--history", "HEAD~4..HEAD",
                          "--format", "markdown"], cwd=migrated_repo, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    # titled axes, the commits' dates along the bottom, each value written on its bar
    dates = ", ".join(f'"{label}"' for label in point_labels(compute_history(
        make_config(migrated_repo, {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"]}]}),
        "HEAD~4..HEAD", use_cache=False)))
    assert ('xychart-beta\n  title "EngineFactory: % of import sites migrated"\n'
            f'  x-axis "commit date" [{dates}]\n  y-axis "% migrated" 0 --> 100\n'
            "  bar [0.0, 33.3, 66.7, 100.0]\n") in run.stdout
    assert '  y-axis "violations" 0 --> 3\n  bar [3, 2, 1, 0]\n' in run.stdout
    assert run.stdout.count('"showDataLabel": true') == 2
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


# -- validated per commit and per symbol --------------------------------------------------------------------

TWO_SYMBOLS = SHIM_PYPROJECT + '\n[[tool.ssot-lint.canonical]]\nsymbol = "app.registry:get_registry"\n'
REGISTRY = "def get_registry():\n    return {}\n"
B_MISSING = "module app.registry is not in the project"


@pytest.fixture
def two_symbols_repo(migrated_repo):
    """The migrated repository with a second canonical, `app.registry:get_registry`, added by the last commit;
    the configuration (committed with it) declares both."""
    write_tree(migrated_repo, {"app/registry.py": REGISTRY, "pyproject.toml": TWO_SYMBOLS})
    git(migrated_repo, "add", ".")
    git(migrated_repo, "commit", "-q", "-m", "a registry")
    return migrated_repo


def test_a_symbol_not_there_yet_has_no_figures_and_the_others_keep_theirs(two_symbols_repo):
    config = make_config(two_symbols_repo, {"canonical": [{"symbol": "app.factory:EngineFactory",
                                                           "shims": ["app.legacy"]},
                                                          {"symbol": "app.registry:get_registry"}]})
    points = compute_history(config, "HEAD", use_cache=False)
    assert [p.subject for p in points] == ["empty", "three consumers on the shim", *(f"migrate {p}" for p in CONSUMERS),
                                           "a registry"]
    # nothing at all before the factory: no figures, and not a clean 0
    assert (points[0].violations, points[0].symbols) == (None, {})
    assert points[0].missing == {"app.factory:EngineFactory": "module app.factory is not in the project",
                                 "app.registry:get_registry": B_MISSING}
    # the factory's figures while the registry is not there yet
    assert [p.symbols["app.factory:EngineFactory"]["migrated_percent"] for p in points[1:]] == \
        [0.0, 33.3, 66.7, 100.0, 100.0]
    assert [p.violations for p in points[1:]] == [3, 2, 1, 0, 0]
    assert [p.missing for p in points[1:-1]] == [{"app.registry:get_registry": B_MISSING}] * 4
    assert points[-1].missing == {} and points[-1].symbols["app.registry:get_registry"]["migrated_percent"] == 100.0


def test_json_and_markdown_say_why_a_commit_has_no_figures(two_symbols_repo):
    as_json = ssot(two_symbols_repo, "report", "--no-cache", "--history", "HEAD", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    first, second, last = data["history"][0], data["history"][1], data["history"][-1]
    assert first["violations"] is None and first["symbols"] == {} and set(first["missing"]) == {
        "app.factory:EngineFactory", "app.registry:get_registry"}
    assert second["violations"] == 3 and second["missing"] == {"app.registry:get_registry": B_MISSING}
    assert second["symbols"]["app.factory:EngineFactory"]["migrated_percent"] == 0.0
    assert last["missing"] == {} and "error" not in last
    markdown = ssot(two_symbols_repo, "report", "--no-cache", "--history", "HEAD", "--format", "markdown").stdout
    history = markdown[markdown.index("## History"):]
    rows = [line for line in history.splitlines() if line.startswith("| `")]
    assert [row.split(" | ")[2:] for row in rows] == [
        ["-", "n/a", "n/a |"], ["3", "0.0%", "n/a |"], ["2", "33.3%", "n/a |"], ["1", "66.7%", "n/a |"],
        ["0", "100.0%", "n/a |"], ["0", "100.0%", "100.0% |"]]
    commits = [row.split(" | ")[0].strip("| `") for row in rows]
    assert f"- n/a: `EngineFactory` has no figures at `{commits[0]}`: module app.factory is not in the project" \
        in markdown
    assert f"- n/a: `get_registry` has no figures at the 5 commits from `{commits[0]}` to `{commits[4]}`: " \
           f"{B_MISSING}" in markdown
    page = ssot(two_symbols_repo, "report", "--no-cache", "--history", "HEAD", "--format", "html").stdout
    assert f"n/a: get_registry has no figures at the 5 commits from {commits[0]} to {commits[4]}" in page
    # both symbols have their charts: the registry's of the one commit it is in
    assert all(f'<canvas id="{kind}-{index}"' in page for kind in ("trend", "split", "rules") for index in (0, 1))


def test_a_checkout_without_the_canonical_takes_the_current_figures_from_the_last_commit(two_symbols_repo):
    """The work tree is an old commit (no app/factory.py): check fails, report --history reads the range."""
    tip = git(two_symbols_repo, "rev-parse", "HEAD").strip()
    git(two_symbols_repo, "checkout", "-q", "HEAD~5")  # "empty": a README only
    write_tree(two_symbols_repo, {"pyproject.toml": TWO_SYMBOLS})  # the current configuration
    checked = ssot(two_symbols_repo, "check", "--no-cache")
    assert checked.returncode == 2 and "canonical[0].symbol" in checked.stderr
    run = ssot(two_symbols_repo, "report", "--no-cache", "--history", f"{tip}~3..{tip}", "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["at_commit"]["commit"] == tip[:10] and data["at_commit"]["subject"] == "a registry"
    config = two_symbols_repo / "pyproject.toml"
    assert data["at_commit"]["reason"].startswith(f"the work tree does not match {config} (tool.ssot-lint.canonical")
    assert "module app.factory is not in the project" in data["at_commit"]["reason"]
    assert [s["symbol"] for s in data["symbols"]] == ["app.factory:EngineFactory", "app.registry:get_registry"]
    assert data["violations"] == 0 and data["missing"] == {}
    assert [p["violations"] for p in data["history"]] == [1, 0, 0]
    assert f"the current figures are those of commit {tip[:10]}" in run.stderr
    markdown = ssot(two_symbols_repo, "report", "--no-cache", "--history", f"{tip}~3..{tip}").stdout
    assert f"> These figures are those of commit `{tip[:10]}`" in markdown
    page = ssot(two_symbols_repo, "report", "--no-cache", "--history", f"{tip}~3..{tip}", "--format", "html").stdout
    assert f'<p class="note">These figures are those of commit {tip[:10]}' in page


def test_a_bare_clone(two_symbols_repo, tmp_path_factory):
    """No work tree at all: the configuration is given with --config, or kept in the bare repository."""
    elsewhere = tmp_path_factory.mktemp("clone")  # not in the repository's work tree
    bare = elsewhere / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(two_symbols_repo), str(bare)], check=True)
    outside = elsewhere / "config"
    write_tree(outside, {"pyproject.toml": TWO_SYMBOLS})
    run = ssot(bare, "report", "--no-cache", "--history", "HEAD~2..HEAD", "--format", "json",
               "--config", str(outside / "pyproject.toml"))
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["at_commit"]["subject"] == "a registry" and "not in a git work tree" in data["at_commit"]["reason"]
    assert [p["symbols"]["app.factory:EngineFactory"]["migrated_percent"] for p in data["history"]] == [100.0, 100.0]
    assert data["history"][0]["missing"] == {"app.registry:get_registry": B_MISSING}
    write_tree(bare, {"pyproject.toml": TWO_SYMBOLS})
    inside = ssot(bare, "report", "--no-cache", "--history", "HEAD~2..HEAD", "--format", "json")
    assert inside.returncode == 0, inside.stderr
    assert json.loads(inside.stdout)["history"] == data["history"]


def test_the_last_commit_lacking_every_canonical_is_no_figures_not_a_clean_report(migrated_repo):
    git(migrated_repo, "rm", "-q", "-r", "app")
    git(migrated_repo, "commit", "-q", "-m", "the app is gone")
    run = ssot(migrated_repo, "report", "--no-cache", "--history", "HEAD~1..HEAD", "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["violations"] is None and data["symbols"] == []
    assert data["missing"] == {"app.factory:EngineFactory": "module app.factory is not in the project"}
    assert data["history"][0]["violations"] is None
    terminal = ssot(migrated_repo, "report", "--no-cache", "--history", "HEAD~1..HEAD", "--format", "terminal")
    assert "No canonical symbol was found, so nothing was counted." in terminal.stdout
    assert "  no figures: module app.factory is not in the project" in terminal.stdout
    page = ssot(migrated_repo, "report", "--no-cache", "--history", "HEAD~1..HEAD", "--format", "html").stdout
    assert "No canonical symbol was found, so nothing was counted." in page and "<canvas" not in page
    assert "<p>No figures: module app.factory is not in the project.</p>" in page
    strict = ssot(migrated_repo, "report", "--no-cache")
    assert strict.returncode == 2 and "app.factory" in strict.stderr, "without --history the work tree must match"
