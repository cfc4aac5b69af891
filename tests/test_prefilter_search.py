"""The search through git that rules files out before the prefilter reads them (`SourceReader.matching`):
it may only skip a file whose text could not match, so results never change."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssot_lint.files.reader as sources
from helpers import make_config, write_tree
from ssot_lint.config import load_config
from ssot_lint.files.discovery import tracked_files_without
from ssot_lint.engine.run import run_check
from ssot_lint.files.tokens import Tokens
from test_cache_relocation import committed_fixtures, git
from test_prefilter_and_cache import as_rows
from test_property_resolution import package_trees


def test_git_lists_the_tracked_files_that_match_none_of_the_patterns(tmp_path):
    write_tree(tmp_path, {"named.py": "x = DatetimeIndex\n", "plain.py": "x = 1\n",
                          "pkg/star.py": "from a.b import  *\n", "pkg/other.py": "import os\n"})
    (tmp_path / "binary.py").write_bytes(b"\0\0DatetimeIndex\0")  # searched as text, as the prefilter reads it
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "tree")
    (tmp_path / "untracked.py").write_text("x = 2\n")  # git does not vouch for it: never ruled out
    patterns = frozenset({b"DatetimeIndex", b"import[ \t]+\\*"})
    assert tracked_files_without(str(tmp_path), patterns) == {str(tmp_path / "plain.py"),
                                                              str(tmp_path / "pkg/other.py")}
    assert tracked_files_without(str(tmp_path / "pkg"), patterns) == {str(tmp_path / "pkg/other.py")}


def test_outside_a_checkout_git_cannot_tell(tmp_path):
    write_tree(tmp_path, {"plain.py": "x = 1\n"})
    assert tracked_files_without(str(tmp_path), frozenset({b"Name"})) is None


SNIPPETS = ["EngineFactory", "Factory2", "RequestFactory", "legacy_list", "core", "app.core", "app", " ", ".",
            "\n", "from ", "import ", "*", "\\\n", "\t", "# noqa: SSOT001", "x = ", "(", "'", "from . import ",
            "from app.core import ", "exports"]
MODULES = ["pkg.m", "app", "app.m", "app.core", "app.core.m", "app.core.legacy_list", "app.core.legacy_list.m",
           "app.factory.m"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), max_size=14), st.sampled_from(MODULES),
       st.sampled_from([frozenset(), frozenset({"exports"})]), st.sampled_from([(), ("*Factory",)]))
def test_a_text_the_tokens_match_matches_one_of_the_search_patterns(parts, module, star_modules, patterns):
    """What lets a search skip files: every text `Tokens.matches` keeps matches one of the patterns (POSIX
    extended regular expressions, read here line by line as git reads them)."""
    tokens = Tokens(frozenset({"EngineFactory", "Factory2"}), patterns,
                    frozenset({"app.core.legacy_list", "app.factory"}), star_modules)
    data = "".join(parts).encode()
    needed = tokens.search_patterns(module)
    if needed is None:
        assert module.startswith(("app.core.legacy_list.", "app.factory."))
    elif tokens.matches(data, module):
        assert any(re.search(pattern, line) for pattern in needed for line in data.split(b"\n"))


def test_a_long_list_of_names_is_not_searched_for():
    many = Tokens(frozenset(f"Name{i}" for i in range(100)))
    assert many.search_patterns("pkg.m") is None
    assert Tokens(frozenset({"Name"}), ("*",)).search_patterns("pkg.m") is None  # a pattern of wildcards only


def checked_with_and_without_the_search(config, monkeypatch):
    monkeypatch.setattr(sources, "SEARCH_THRESHOLD", 0)
    searched = run_check(config, jobs=1)
    monkeypatch.setattr(sources, "SEARCH_THRESHOLD", 10 ** 9)
    scanned = run_check(config, jobs=1)
    return searched, scanned


def test_fixtures_repo_gives_the_same_violations_with_the_search_reading_fewer_files(tmp_path, monkeypatch):
    repo = committed_fixtures(tmp_path)
    shim_user = repo / "netra_backend/app/services/agent_service.py"  # changed since the commit: read, not searched
    shim_user.write_text(shim_user.read_text() + "\nfrom netra_backend.app.core.config import get_config\n")
    config = load_config(repo / "pyproject.toml")
    searched, scanned = checked_with_and_without_the_search(config, monkeypatch)
    assert as_rows(searched) == as_rows(scanned) == as_rows(run_check(config, jobs=1, prefilter=False))
    assert any(v.path == "netra_backend/app/services/agent_service.py" and v.line > 23 for v in searched.violations)
    assert searched.files_read < scanned.files_read


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                   HealthCheck.function_scoped_fixture])
@given(package_trees(), st.data())
def test_generated_checkouts_give_the_same_violations_with_the_search(monkeypatch, tree, data):
    package, files = tree
    modules = sorted(p[:-3].replace("/", ".").replace(".__init__", "") for p in files)
    others = [m for m in modules if m != f"{package}.m0"]
    section = {"canonical": [{"symbol": f"{package}.m0:A",
                              "shims": data.draw(st.lists(st.sampled_from(others), unique=True)) if others else [],
                              "lookalikes": data.draw(st.sampled_from([[], ["*A"]]))}]}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, files)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "tree", "--allow-empty")
        config = make_config(root, section)
        searched, scanned = checked_with_and_without_the_search(config, monkeypatch)
        assert as_rows(searched) == as_rows(scanned) == as_rows(run_check(config, jobs=1, prefilter=False))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(pytest.main([__file__, "-q"]))
