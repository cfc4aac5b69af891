"""The pre-commit hook, run by pre-commit itself (`pre-commit try-repo`) in a repository made here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO, SHIM_PYPROJECT, write_tree
from ssot_lint.rule import EXAMPLE_FILES



def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def test_the_hook_reports_on_the_files_it_is_given(tmp_path):
    project = tmp_path / "project"
    write_tree(project, {**EXAMPLE_FILES, "pyproject.toml": SHIM_PYPROJECT,
                         "app/service.py": "from app.legacy import EngineFactory\n",
                         "app/clean.py": "from app.factory import EngineFactory\n"})
    git(project, "init", "-q")
    git(project, "config", "user.email", "test@example.com")
    git(project, "config", "user.name", "test")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "start")
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "ssot-lint"]
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    # The hook runs from a copy of this repository, installed by pre-commit into its own environment.
    failing = subprocess.run([*pre_commit, "--files", "app/service.py", "app/clean.py"], cwd=project,
                             capture_output=True, text=True, env=environment, timeout=600)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "app/service.py:1:24: SSOT002 [*] EngineFactory imported through shim app.legacy" in failing.stdout
    passing = subprocess.run([*pre_commit, "--files", "app/clean.py"], cwd=project, capture_output=True,
                             text=True, env=environment, timeout=600)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "SSOT" not in passing.stdout
    shutil.rmtree(tmp_path / "pre-commit-home", ignore_errors=True)
