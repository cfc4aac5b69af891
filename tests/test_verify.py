"""`ssot-lint verify`: the static claims about the tracked names checked against a real import.

On fixtures_repo, and on generated trees whose names are decided at runtime (a module-level `__getattr__`,
writes to `globals()`, `sys.modules` aliasing, a module replacing itself), where `check` says "unknown"
(SSOT011) and verify says what the runtime has; and on modules that fail to import, hang or end the
interpreter, which are reported while the rest is still verified.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES_REPO, check_tree, ssot, verify_tree, write_tree
from ssot_lint.runtime.verdicts import Outcome

CANONICAL = "app.factory:EngineFactory"
CONFIG = {"canonical": [{"symbol": CANONICAL}]}
PYPROJECT = f'[tool.ssot-lint]\n\n[[tool.ssot-lint.canonical]]\nsymbol = "{CANONICAL}"\n'
BASE = {
    "app/__init__.py": "",
    "app/factory.py": "class EngineFactory:\n    pass\n",
    "app/other.py": "class EngineFactory:\n    pass\n",
}

# What a module hands out, decided at runtime, written four ways; `{source}` is the module it takes it from.
DYNAMIC_SHIMS = {
    "getattr": {"app/moved.py": "def __getattr__(name):\n    from {source} import EngineFactory\n"
                                "    return EngineFactory\n"},
    "globals": {"app/moved.py": "import importlib\n\nfor _name in ['EngineFactory']:\n"
                                "    globals()[_name] = getattr(importlib.import_module('{source}'), _name)\n"},
    "sys.modules alias": {"app/__init__.py": "import sys\n\nimport {source} as _target\n\n"
                                             "sys.modules['app.moved'] = _target\n"},
    "replaced in sys.modules": {"app/moved.py": "import sys\n\nimport {source} as _target\n\n"
                                                "_placeholder = None\nsys.modules[__name__] = _target\n"},
}
IMPORTER = {"app/service.py": "from app.moved import EngineFactory\n"}


@pytest.mark.parametrize("source", ["app.factory", "app.other"])
@pytest.mark.parametrize("how", sorted(DYNAMIC_SHIMS))
def test_a_name_decided_at_runtime_is_unknown_to_check_and_settled_by_verify(tmp_path, how, source):
    files = {**BASE, **{path: text.format(source=source) for path, text in DYNAMIC_SHIMS[how].items()},
             **IMPORTER}
    static = check_tree(tmp_path, files, CONFIG).violations
    assert [(v.path, v.line, v.code) for v in static if v.path == "app/service.py"] == \
        [("app/service.py", 1, "SSOT011")], static
    violations, verification = verify_tree(tmp_path, files, CONFIG)
    assert [(v.path, v.line, v.code) for v in violations] == [("app/service.py", 1, "SSOT203")]
    what = "the canonical app.factory:EngineFactory" if source == "app.factory" else \
        "app.other.EngineFactory, not the canonical"
    assert violations[0].message == (f"EngineFactory from app.moved, handed out at runtime, is {what}; import "
                                     f"EngineFactory from app.factory")
    settled = [v for v in verification.verdicts if v.outcome is Outcome.SETTLED]
    assert len(settled) == 1 and settled[0].is_canonical == (source == "app.factory")


def test_verify_settles_and_disagrees_where_the_code_says_so(tmp_path):
    """One tree with each finding; the project's own prints do not get in the way."""
    files = {
        **BASE,
        "app/__init__.py": "import sys\n\nfrom app import factory\n\nsys.modules['app.old_factory'] = factory\n",
        "app/compat.py": "def __getattr__(name):\n    from app.factory import EngineFactory\n    return EngineFactory\n",
        "app/registry.py": "import importlib\n\nEngineFactory = importlib.import_module('app.factory').EngineFactory\n",
        "app/api.py": "print('starting the api')\n\nfrom app.old_factory import EngineFactory\n"
                      "from app.compat import EngineFactory as LegacyFactory\n",
        "app/jobs.py": "import redis_is_not_installed\n\nfrom app.factory import EngineFactory\n",
        "app/zy_plugins.py": "import app.factory\nfrom app.other import EngineFactory as _Fake\n\n"
                          "app.factory.EngineFactory = _Fake\n",
        "app/zz_late.py": "from app.factory import EngineFactory\n",  # imported after app.zy_plugins
        "app/direct.py": "from app.factory import EngineFactory\n",  # before it: the real one
    }
    violations, verification = verify_tree(tmp_path, files, CONFIG)
    found = [(v.path, v.line, v.code) for v in violations]
    assert found == [
        ("app/api.py", 3, "SSOT203"), ("app/api.py", 4, "SSOT203"),
        ("app/jobs.py", 1, "SSOT204"),
        ("app/registry.py", 3, "SSOT202"),
        ("app/zz_late.py", 1, "SSOT201"),
    ], violations
    messages = {(v.path, v.line): v.message for v in violations}
    assert messages[("app/zz_late.py", 1)] == (
        "EngineFactory from app.factory is app.other.EngineFactory at runtime, not the canonical "
        "app.factory:EngineFactory the static analysis resolved it to; find what rebinds it")
    assert messages[("app/jobs.py", 1)].startswith(
        "app.jobs could not be imported: ModuleNotFoundError: No module named 'redis_is_not_installed'; ")
    assert all(v.path != "app/direct.py" for v in violations)
    assert verification.modules == 8 and not [v for v in verification.verdicts if v.outcome is Outcome.NOT_ASKED]


def test_a_module_that_hangs_or_ends_the_interpreter_is_reported_and_the_rest_verified(tmp_path):
    files = {
        **BASE,
        "app/a_crash.py": "import os\n\nfrom app.factory import EngineFactory\n\nos._exit(3)\n",
        "app/b_slow.py": "import time\n\nfrom app.factory import EngineFactory\n\ntime.sleep(60)\n",
        "app/c_fine.py": "import importlib\n\nEngineFactory = importlib.import_module('app.factory').EngineFactory\n",
        "app/d_raises.py": "from app.factory import EngineFactory\n\n\ndef boot():\n    raise RuntimeError('no "
                           "database')\n\n\nboot()\n",
        "app/e_exits.py": "import sys\n\nsys.exit('run me as a script')\n",  # SystemExit on import
        "app/f_reads.py": "def make():\n    from app.e_exits import EngineFactory\n    return EngineFactory()\n",
    }
    violations, verification = verify_tree(tmp_path, files, CONFIG, timeout=1.0)
    assert [(v.path, v.line, v.code) for v in violations] == [
        ("app/a_crash.py", 1, "SSOT204"), ("app/b_slow.py", 1, "SSOT204"), ("app/c_fine.py", 3, "SSOT202"),
        ("app/d_raises.py", 5, "SSOT204"), ("app/f_reads.py", 2, "SSOT204"),
    ], violations
    messages = [v.message for v in violations]
    assert messages[0].startswith("app.a_crash could not be imported: the interpreter exited with code 3; ")
    assert messages[1].startswith("app.b_slow could not be imported: timed out after 1 s; ")
    assert messages[3].startswith("app.d_raises could not be imported: RuntimeError: no database; ")
    assert messages[4].startswith("app.e_exits, which this reads EngineFactory from, could not be imported: "
                                  "SystemExit: run me as a script (app/e_exits.py:3); ")


def test_the_canonical_module_failing_to_import_is_said_once(tmp_path):
    files = {**BASE, "app/factory.py": "raise ImportError('half-migrated')\n\n\nclass EngineFactory:\n    pass\n",
             "app/service.py": "from app.factory import EngineFactory\n"}
    violations, verification = verify_tree(tmp_path, files, CONFIG)
    assert [(v.path, v.line, v.code) for v in violations] == [("app/factory.py", 1, "SSOT204")]
    assert violations[0].message.startswith("the canonical module app.factory could not be imported: ImportError: "
                                            "half-migrated; nothing about app.factory:EngineFactory could be verified")
    assert {v.outcome for v in verification.verdicts} == {Outcome.NOT_ASKED}


def test_verify_honours_noqa_per_file_ignores_select_and_paths(tmp_path):
    files = {**BASE, "app/registry.py": "import importlib\n\n"
                                        "EngineFactory = importlib.import_module('app.factory').EngineFactory\n",
             "app/jobs.py": "import not_installed  # noqa: SSOT204\n\nfrom app.factory import EngineFactory\n",
             "app/legacy/old.py": "import importlib\n\n"
                                  "EngineFactory = importlib.import_module('app.factory').EngineFactory\n"}
    config = {**CONFIG, "per-file-ignores": {"app/legacy/**": ["SSOT202"]}}
    violations, _ = verify_tree(tmp_path, files, config)
    assert [(v.path, v.code) for v in violations] == [("app/registry.py", "SSOT202")]
    assert verify_tree(tmp_path, files, config, select=["SSOT204"])[0] == ()
    assert verify_tree(tmp_path, files, config, paths=[tmp_path / "app/jobs.py"])[0] == ()
    assert [v.code for v in check_tree(tmp_path, files, config).violations if v.path == "app/jobs.py"] == [], \
        "check's SSOT100 leaves a runtime rule's noqa alone"


def test_fixtures_repo_verifies_with_one_runtime_answer_left(tmp_path):
    """Every claim about the tracked names in the fixture repository agrees with the runtime, but the
    deprecation shim's, which the runtime settles: it hands out the canonical."""
    run = ssot(FIXTURES_REPO, "verify", "--no-cache", "--python", sys.executable)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == (
        "netra_backend/app/services/usage_report_service.py:3:52: SSOT203 ExecutionEngineFactory from "
        "netra_backend.app.agents.engine_compat, handed out at runtime, is the canonical "
        "netra_backend.app.agents.supervisor.execution_engine_factory:ExecutionEngineFactory; import "
        "ExecutionEngineFactory from netra_backend.app.agents.supervisor.execution_engine_factory")
    assert len(lines) == 2 and lines[1].startswith("Found 1 violation in 1 file. 62 claims about tracked names in "
                                                   "44 modules, imported with ")
    assert lines[1].endswith(": 61 agree, 0 disagree, 1 settled, 0 unverified."), lines[1]
    as_json = json.loads(ssot(FIXTURES_REPO, "verify", "--no-cache", "--output-format", "json",
                              "--python", sys.executable).stdout)
    assert [(v["code"], v["filename"], v["location"]["row"]) for v in as_json] == \
        [("SSOT203", "netra_backend/app/services/usage_report_service.py", 3)]


def test_the_project_interpreter_is_found_and_a_bad_one_is_a_usage_error(tmp_path):
    write_tree(tmp_path, {**BASE, "pyproject.toml": PYPROJECT, "app/service.py": "from app.factory import "
                                                                                  "EngineFactory\n"})
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    os.symlink(sys.executable, tmp_path / ".venv" / "bin" / "python")
    env_without_venv = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    import subprocess

    run = subprocess.run([sys.executable, "-m", "ssot_lint", "verify"], cwd=tmp_path, capture_output=True,
                         text=True, env=env_without_venv, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ("All claims verified! 2 claims about tracked names in 2 modules, imported with "
                          ".venv/bin/python: 2 agree, 0 disagree, 0 settled, 0 unverified.\n")
    bad = ssot(tmp_path, "verify", "--python", str(tmp_path / "no-such-python"))
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == (f"ssot-lint: error: --python: {tmp_path / 'no-such-python'}: cannot run this "
                          f"interpreter (No such file or directory)\n")


def test_verify_writes_nothing_into_the_project(tmp_path):
    files = {**BASE, "pyproject.toml": PYPROJECT, "app/service.py": "from app.factory import EngineFactory\n"}
    write_tree(tmp_path, files)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run = ssot(tmp_path, "verify", "--no-cache", "--python", sys.executable)
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # no __pycache__ either


def test_probe_runs_under_the_oldest_supported_python_syntax():
    """probe.py runs in the project's interpreter, which may be older than ssot-lint's: 3.9 syntax."""
    import ast

    source = (Path(__file__).parent.parent / "ssot_lint" / "runtime" / "probe.py").read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 9))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_many_import_failures_end_with_their_commonest_causes(tmp_path):
    files = {**BASE, "pyproject.toml": PYPROJECT,
             **{f"app/uses_redis_{i}.py": "import redis_not_here\n\nfrom app.factory import EngineFactory\n"
                for i in range(4)},
             **{f"app/uses_numpy_{i}.py": "import numpy_not_here\n\nfrom app.factory import EngineFactory\n"
                for i in range(2)}}
    write_tree(tmp_path, files)
    run = ssot(tmp_path, "verify", "--no-cache", "--python", sys.executable)
    assert run.returncode == 1
    assert run.stdout.splitlines()[-1] == (
        "6 modules could not be imported; the commonest causes: ModuleNotFoundError: No module named "
        "'redis_not_here' (4); ModuleNotFoundError: No module named 'numpy_not_here' (2).")
