"""`ssot-lint init`: the starter configuration, and `--discover` on fixtures_repo."""

from __future__ import annotations

import shutil
import subprocess
import sys

from helpers import FIXTURES_REPO
from ssot_lint.config import load_config, parse_config, tomllib

FACTORY = "netra_backend.app.agents.supervisor.execution_engine_factory:ExecutionEngineFactory"
SHIM_1 = "netra_backend.app.core.managers.execution_engine_factory"
SHIM_2 = "netra_backend.app.agents.execution_engine_unified_factory"


def run(folder, *args):
    return subprocess.run([sys.executable, "-m", "ssot_lint", *args], cwd=folder, capture_output=True, text=True,
                          timeout=300)


def unconfigured_copy(tmp_path):
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES_REPO, target, ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    (target / "pyproject.toml").write_text('[project]\nname = "netra"\nversion = "0"\n', encoding="utf-8")
    return target


def test_discover_finds_the_canonical_factory_and_both_shims(tmp_path):
    repo = unconfigured_copy(tmp_path)
    printed = run(repo, "init", "--discover", "--print")
    assert printed.returncode == 0, printed.stderr
    section = tomllib.loads(printed.stdout)["tool"]["ssot-lint"]
    first = section["canonical"][0]
    assert first["symbol"] == FACTORY
    assert first["shims"][:2] == [SHIM_1, SHIM_2]  # ranked by the modules that import through them
    assert first["lookalikes"] == ["*ExecutionEngineFactory"]
    # canonical, legacy, the shim's fallback, engine_bridge's fallback, and archive/ (nothing excluded yet)
    assert "# ExecutionEngineFactory is defined in 5 modules" in printed.stdout
    assert "also defined in netra_backend.app.agents.legacy.execution_engine_factory" in printed.stdout
    parse_config(section, path=None, root=repo)  # valid as it stands


def test_init_writes_into_pyproject_keeping_what_is_there_and_then_checks(tmp_path):
    repo = unconfigured_copy(tmp_path)
    written = run(repo, "init", "--discover")
    assert written.returncode == 0, written.stderr
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith('[project]\nname = "netra"\n') and "[tool.ssot-lint]" in text
    assert load_config(repo / "pyproject.toml").canonicals[0].symbol.module == FACTORY.split(":")[0]
    checked = run(repo, "check", "--no-cache")
    assert checked.returncode == 1 and "SSOT002" in checked.stdout
    again = run(repo, "init")
    assert again.returncode == 2 and "already configures ssot-lint" in again.stderr
    assert (repo / "pyproject.toml").read_text(encoding="utf-8") == text


def test_init_without_a_pyproject_writes_ssot_lint_toml(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    written = run(tmp_path, "init")
    assert written.returncode == 0, written.stderr
    config = tomllib.loads((tmp_path / "ssot-lint.toml").read_text(encoding="utf-8"))
    assert config == {"src": ["."], "exclude": []}  # the canonical tables are commented examples
    checked = run(tmp_path, "check")
    assert checked.returncode == 2 and "declare at least one" in checked.stderr
