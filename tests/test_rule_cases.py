"""Cases of the rules that one rule example cannot show: several files, configuration keys, and what
was found wrong on real code (issue 13). Each test names the mistake it guards against."""

from __future__ import annotations

from helpers import check_tree
from ssot_lint.rule import EXAMPLE_FILES

SHIM_CONFIG = {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"]}]}


def codes_at(result, path=None):
    return sorted((v.path, v.line, v.code) for v in result.violations if path in (None, v.path))


def test_the_same_unresolved_import_in_two_files_is_reported_in_both(tmp_path):
    """SSOT009 remembered what it reported by position only: the second file's import was dropped."""
    broken = "from app.legacy import Engine\n"
    files = {**EXAMPLE_FILES, "app/one.py": broken, "app/two.py": broken}
    result = check_tree(tmp_path, files, SHIM_CONFIG, select=["SSOT009"])
    assert codes_at(result) == [("app/one.py", 1, "SSOT009"), ("app/two.py", 1, "SSOT009")]
