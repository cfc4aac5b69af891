"""A generated repository whose history tells the story `report --history` is for: over two weeks, the share
of direct imports of the canonical falls while violations rise (new code imports it through the shim, a
re-exporting package and a module deciding at runtime; a second implementation and string patches of the
old path appear), with one commit that migrates two services."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

from helpers import write_tree

SYMBOL = "acme.core.engine.factory:EngineFactory"
SHIM = "acme.legacy.engine_factory"

PYPROJECT = f"""
[tool.ssot-lint]

[[tool.ssot-lint.canonical]]
symbol = "{SYMBOL}"
shims = ["{SHIM}"]
"""

DIRECT = "from acme.core.engine.factory import EngineFactory\n\n\ndef build():\n    return EngineFactory()\n"
THROUGH_SHIM = "from acme.legacy.engine_factory import EngineFactory\n\n\ndef build():\n    return EngineFactory()\n"
THROUGH_API = "from acme.api import EngineFactory\n\n\ndef build():\n    return EngineFactory()\n"
THROUGH_COMPAT = "from acme.agents.compat import EngineFactory\n\n\ndef build():\n    return EngineFactory()\n"
PATCHED = ("from unittest import mock\n\n\n"
           "def test_build():\n    with mock.patch('acme.legacy.engine_factory.EngineFactory'):\n        pass\n")
COMPAT = ("import importlib\n\n\ndef __getattr__(name):\n    if name == 'EngineFactory':\n"
          "        return importlib.import_module('acme.core.engine.factory').EngineFactory\n"
          "    raise AttributeError(name)\n")


def _services(prefix: str, count: int, text: str, start: int = 0) -> Dict[str, str]:
    return {f"acme/services/{prefix}/{prefix}_service_{i:02d}.py": text for i in range(start, start + count)}


# (days after the first commit, subject, files written)
STORY: List[Tuple[int, str, Dict[str, str]]] = [
    (0, "The engine factory moves to acme.core.engine", {
        "pyproject.toml": PYPROJECT,
        "acme/__init__.py": "", "acme/core/__init__.py": "", "acme/core/engine/__init__.py": "",
        "acme/core/engine/factory.py": "class EngineFactory:\n    def create(self):\n        return object()\n",
        "acme/legacy/__init__.py": "",
        "acme/legacy/engine_factory.py": "from acme.core.engine.factory import EngineFactory  # noqa: F401\n",
        "acme/services/__init__.py": "", "acme/services/orders/__init__.py": "",
        "acme/services/billing/__init__.py": "", "acme/services/reports/__init__.py": "",
        **_services("orders", 16, DIRECT), **_services("billing", 2, THROUGH_SHIM),
    }),
    (1, "Billing services", _services("billing", 4, THROUGH_SHIM, start=2)),
    (3, "The api package re-exports the factory", {
        "acme/api/__init__.py": "from acme.core.engine.factory import EngineFactory\n\n__all__ = ['EngineFactory']\n",
        **_services("reports", 3, THROUGH_API)}),
    (5, "A factory for the tests", {
        "acme/testing/__init__.py": "",
        "acme/testing/fake_factory.py": "class EngineFactory:\n    def create(self):\n        return None\n"}),
    (6, "Tests patch the old path", {f"tests/test_billing_{i}.py": PATCHED for i in range(3)}),
    (8, "Migrate two billing services", _services("billing", 2, DIRECT)),
    (10, "A compat module for old plugins", {
        "acme/agents/__init__.py": "", "acme/agents/compat.py": COMPAT,
        **_services("reports", 2, THROUGH_COMPAT, start=3)}),
    (12, "Reports import the factory through the shim", _services("reports", 5, THROUGH_SHIM, start=5)),
    (13, "More tests patch the old path", {f"tests/test_reports_{i}.py": PATCHED for i in range(3)}),
]


def git(folder: Path, *args: str, env: Dict[str, str] = None) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout


def story_repository(folder: Path) -> Path:
    """The repository, one commit per step of `STORY`, a day apart or more from 2024-05-27."""
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "t@example.com")
    git(folder, "config", "user.name", "t")
    for day, subject, files in STORY:
        write_tree(folder, files)
        git(folder, "add", ".")
        date = f"2024-05-{27 + day:02d}T10:00:00+00:00" if day < 5 else f"2024-06-{day - 4:02d}T10:00:00+00:00"
        git(folder, "commit", "-q", "-m", subject, env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    return folder
