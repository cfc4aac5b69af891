"""`check --fix`: the whole fixtures_repo fixed in a copy, then imported for real; the guarantees
(atomic, parse-checked, idempotent, keeping permissions, line endings and encoding); the command line."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from oracle import oracle_report
from helpers import (
    CANONICAL_IMPORT, FIXTURES_REPO, SHIM_IMPORT, SHIM_PYPROJECT, check_tree, make_config, refused_fixes, write_tree,
)
from ssot_lint.fixes.loop import run_fix
from ssot_lint.config import load_config
from ssot_lint.engine.run import run_check
from ssot_lint.facts.model import Span
from ssot_lint.fixes.edits import ImportName, MoveImport, ReplaceString, safe, unsafe
from ssot_lint.fixes.apply import fix_source
from ssot_lint.rule import EXAMPLE_FILES

RUNTIME_NAMES = Path(__file__).with_name("runtime_names.py")
CANONICAL = "ExecutionEngineFactory"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssot_lint", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env={**os.environ, "NO_COLOR": "1"})


def runtime_names(root: Path) -> dict:
    run = subprocess.run([sys.executable, str(RUNTIME_NAMES), str(root)], capture_output=True, text=True,
                         cwd=root, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def copy_of_fixtures(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES_REPO, root, ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    return root


@pytest.fixture(scope="module")
def fixed_safely(tmp_path_factory):
    """fixtures_repo before and after `check --fix` (safe fixes only), at runtime and on disk."""
    root = copy_of_fixtures(tmp_path_factory.mktemp("safe"))
    before_files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.py")}
    before = runtime_names(root)
    run = cli("check", "--fix", "--no-cache", cwd=root)
    return root, before_files, before, runtime_names(root), run


def test_safe_fixes_keep_every_binding_of_fixtures_repo(fixed_safely):
    root, _, before, after, run = fixed_safely
    assert run.returncode == 1, run.stderr  # violations without a fix remain
    for module, seen in before.items():
        if "error" in seen:
            assert after[module] == seen, f"{module} fails differently after the fixes"
            continue
        assert "error" not in after[module], f"{module} no longer imports: {after[module]['error']}"
        assert after[module]["names"] == seen["names"], f"{module}: a name is bound to another object"


def test_safe_fixes_change_what_they_say_and_nothing_else(fixed_safely):
    root, before_files, _, _, run = fixed_safely
    changed = sorted(path for path, data in before_files.items() if (root / path).read_bytes() != data)
    assert changed == [
        "netra_backend/app/agents/plugin_api.py",
        "netra_backend/app/routes/agent_routes.py",
        "netra_backend/app/routes/config_routes.py",
        "netra_backend/app/services/agent_service.py",
        "netra_backend/app/services/plugin_service.py",
        "netra_backend/app/services/request_scoped_service.py",
        "netra_backend/app/services/supervisor_service.py",
        "netra_backend/app/services/thread_service.py",
        "netra_backend/app/websocket_core/engine_bridge.py",
    ]
    assert "Fixed 14 violations in 9 files;" in run.stdout
    request_scoped = (root / "netra_backend/app/services/request_scoped_service.py").read_text()
    assert ("from netra_backend.app.agents.supervisor.execution_engine_factory import (\n"
            "    ExecutionEngineFactory as RequestScopedExecutionEngineFactory,\n"
            "    ExecutionEngineFactory as UserExecutionEngineFactory,\n"
            "    get_execution_engine_factory,\n)\n") in request_scoped, "parentheses and commas are kept"


def test_after_fix_no_fixable_violation_is_left_and_a_second_fix_changes_nothing(fixed_safely):
    root, *_ = fixed_safely
    snapshot = {p: p.read_bytes() for p in root.rglob("*.py")}
    result = run_check(load_config(root / "pyproject.toml"), jobs=1)
    assert not [v for v in result.violations if v.fix is not None and v.fix.is_safe]
    again = cli("check", "--fix", "--no-cache", cwd=root)
    assert "Fixed 0 violations in 0 files" in again.stdout
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == snapshot


def test_fixed_fixtures_repo_still_agrees_with_the_runtime_oracle(fixed_safely):
    root, *_ = fixed_safely
    claims, problems = oracle_report(root)
    assert claims and problems == []


def test_unsafe_fixes_keep_every_module_importing_and_rename_only_aliases(tmp_path):
    root = copy_of_fixtures(tmp_path)
    before = runtime_names(root)
    run = cli("check", "--fix", "--unsafe-fixes", "--no-cache", cwd=root)
    assert run.returncode == 1 and "Fixed" in run.stdout, run.stdout + run.stderr
    after = runtime_names(root)
    canonical = "netra_backend.app.agents.supervisor.execution_engine_factory.ExecutionEngineFactory"
    renamed = []
    for module, seen in before.items():
        if "error" in seen:
            continue
        assert "error" not in after[module], f"{module} no longer imports: {after[module]['error']}"
        names = after[module]["names"]
        for name, identity in seen["names"].items():
            if name in names:
                assert names[name] == identity, f"{module}.{name} is bound to another object"
            else:  # only an alias of the canonical may go, renamed to the canonical's name, or removed with
                # the import of the canonical that only it read (`Factory = ExecutionEngineFactory`, unused)
                assert identity == canonical, f"{module}.{name} vanished"
                renamed.append(f"{module}.{name}")
    assert renamed, "the unsafe fixes renamed no alias"
    strings = (root / "tests/unit/test_websocket_engine.py").read_text()
    assert '"netra_backend.app.agents.supervisor.execution_engine_factory.ExecutionEngineFactory"' in strings
    result = run_check(load_config(root / "pyproject.toml"), jobs=1)
    assert not [v for v in result.violations if v.fix is not None], [v.fix for v in result.violations if v.fix]


def test_every_fix_check_offers_on_fixtures_repo_is_one_fix_applies():
    assert refused_fixes(load_config(FIXTURES_REPO / "pyproject.toml")) == []


# -- what a fix takes with it, and what it is not offered for ------------------------------

MODELS = {"app/models.py": "from app.factory import EngineFactory\n"}


def fixed_service(root: Path, service: str, files=MODELS) -> str:
    write_tree(root, {**EXAMPLE_FILES, **files, "app/service.py": service})
    run_fix(make_config(root), jobs=1, unsafe=True)
    return (root / "app/service.py").read_text()


def test_the_import_a_fix_leaves_unread_goes_with_it(tmp_path):
    service = "from app import models\n\n\ndef build():\n    return models.EngineFactory()\n"
    assert fixed_service(tmp_path, service) == \
        "from app.factory import EngineFactory\n\n\ndef build():\n    return EngineFactory()\n"


def test_the_fixes_of_a_file_remove_an_import_together_that_none_removes_alone():
    source = b"from app import models  # the models\n\nfirst = models.EngineFactory\nsecond = models.EngineFactory\n"
    statement, alias = Span(1, 1, 1, 23), Span(1, 17, 1, 23)
    first, second = (unsafe(ImportName(read, "models.EngineFactory", statement, "app.factory", "EngineFactory", (),
                                       alias), "import it") for read in (Span(3, 9, 3, 29), Span(4, 10, 4, 30)))
    assert fix_source(source, [first]).source.startswith(b"from app import models  # the models\n")
    assert fix_source(source, [first, second]).source == (
        b"from app.factory import EngineFactory  # the models\n\nfirst = EngineFactory\nsecond = EngineFactory\n")


@pytest.mark.parametrize("service", [
    pytest.param("from app import models\n\n__all__ = ['models']\nfactories = [models.EngineFactory]\n", id="__all__"),
    pytest.param("from app import models\n\nfactories = [models.EngineFactory]\nnames = globals()\n", id="globals()"),
    pytest.param("from app import models\n\nfactories = [models.EngineFactory]\n\n\ndef make(x: 'models.Q'):\n"
                 "    return x\n", id="a string annotation"),
])
def test_an_import_something_else_may_read_stays(tmp_path, service):
    fixed = fixed_service(tmp_path, service)
    assert fixed.startswith("from app import models\nfrom app.factory import EngineFactory\n")
    assert "factories = [EngineFactory]\n" in fixed


def test_an_import_another_module_imports_from_this_one_stays(tmp_path):
    service = "from app import models\n\nfactories = [models.EngineFactory]\n"
    reader = {"app/reader.py": "from app.service import models\nfrom app.factory import EngineFactory\n"}
    assert fixed_service(tmp_path, service, {**MODELS, **reader}) == \
        "from app import models\nfrom app.factory import EngineFactory\n\nfactories = [EngineFactory]\n"


@pytest.mark.parametrize("service", [
    pytest.param("from app.factory import EngineFactory\n\nFactory = EngineFactory\n", id="an alias"),
    pytest.param("from app.factory import EngineFactory as _Factory\n\nfactory = _Factory()\n",
                 id="to a name the star brings"),
    pytest.param("from app import models\n\nfactories = [models.EngineFactory]\n", id="a name imported"),
])
def test_a_module_another_one_star_imports_keeps_its_names(tmp_path, service):
    """`from app.service import *` binds in the reader each public name of app.service: a fix there must not
    take one away (a read of it in the reader would be a NameError) nor add one (the reader's `EngineFactory`
    would be rebound)."""
    reader = {"app/reader.py": "EngineFactory = None\nfrom app.service import *\n\nprint(EngineFactory)\n"}
    assert fixed_service(tmp_path, service, {**MODELS, **reader}) == service


def test_a_removed_alias_takes_the_import_it_alone_read(tmp_path):
    service = "from app.factory import EngineFactory  # canonical\nimport os\n\nDefaultFactory = EngineFactory\n"
    assert fixed_service(tmp_path, service) == "import os\n"


def test_an_alias_of_a_name_read_off_a_module_becomes_the_name_itself(tmp_path):
    """Both fixes of `Factory = models.EngineFactory` in one pass made `EngineFactory = EngineFactory`, which in a
    function raises UnboundLocalError: the rename now waits for the next pass, and removes the alias."""
    service = "from app import models\n\n\ndef build():\n    Factory = models.EngineFactory\n    return Factory()\n"
    assert fixed_service(tmp_path, service) == \
        "from app.factory import EngineFactory\n\n\ndef build():\n    return EngineFactory()\n"


@pytest.mark.parametrize("service", [
    pytest.param("try:\n    from app.factory import EngineFactory as Factory\nexcept ImportError:\n"
                 "    Factory = None\n", id="try-except"),
    pytest.param("from app.factory import EngineFactory\n\nFactory = EngineFactory\nFactory = EngineFactory\n",
                 id="twice"),
    pytest.param("from app.factory import EngineFactory\n\n\ndef build(flag):\n    Factory = EngineFactory\n"
                 "    if flag:\n        Factory = None\n    return Factory\n", id="a function local"),
])
def test_a_rename_of_a_name_bound_twice_in_its_scope_is_not_offered(tmp_path, service):
    result = check_tree(tmp_path, {**EXAMPLE_FILES, "app/service.py": service})
    renames = [v for v in result.violations if v.code == "SSOT005"]
    assert renames and all(v.fix is None for v in renames)
    assert refused_fixes(make_config(tmp_path)) == []


def test_a_name_read_off_a_module_is_not_imported_under_a_builtins_name(tmp_path):
    files = {"app/__init__.py": "", "app/compat.py": "def input():\n    return 1\n",
             "app/models.py": "from app.compat import input\n",
             "app/service.py": "import app.models as models\n\nvalue = models.input()\n"}
    section = {"canonical": [{"symbol": "app.compat:input"}]}
    result = check_tree(tmp_path, files, section)
    reads = [v for v in result.violations if v.code == "SSOT002"]
    assert reads and all(v.fix is None for v in reads)
    assert refused_fixes(make_config(tmp_path, section)) == []


# -- guarantees ------------------------------------------------------------------------



def project(tmp_path: Path, service: bytes) -> Path:
    write_tree(tmp_path, EXAMPLE_FILES)
    (tmp_path / "app/service.py").write_bytes(service)
    return tmp_path


def test_fix_keeps_permissions_line_endings_encoding_and_bom(tmp_path):
    crlf = "# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nfrom app.legacy import EngineFactory  # the factory\r\n"
    root = project(tmp_path, crlf.encode("latin-1"))
    (root / "app/bom.py").write_bytes(b"\xef\xbb\xbf" + SHIM_IMPORT.encode())
    os.chmod(root / "app/service.py", 0o640)
    outcome = run_fix(make_config(root), jobs=1)
    assert sorted(outcome.changed) == ["app/bom.py", "app/service.py"]
    expected = crlf.replace("from app.legacy", "from app.factory").encode("latin-1")
    assert (root / "app/service.py").read_bytes() == expected
    assert (root / "app/bom.py").read_bytes() == b"\xef\xbb\xbf" + CANONICAL_IMPORT.encode()
    assert stat.S_IMODE(os.stat(root / "app/service.py").st_mode) == 0o640
    assert not [p for p in root.rglob("*.tmp")], "no temporary file is left behind"


def test_a_fix_whose_result_would_not_parse_is_not_applied():
    source = b'patch("app.legacy.EngineFactory")\n'
    broken = unsafe(ReplaceString(Span(1, 7, 1, 35), "app.legacy.EngineFactory", 'app"factory'), "use it")
    fixed = fix_source(source, [broken])
    assert fixed.source == source and fixed.applied == ()
    assert fixed.refused == ((broken, "the fixed code would not parse"),)


def test_a_fix_for_code_that_moved_is_refused_not_misapplied():
    source = b"import os\nfrom app.legacy import EngineFactory\n"
    stale = safe(MoveImport(Span(1, 1, 1, 37), Span(1, 24, 1, 37), "app.factory", "EngineFactory",
                            "EngineFactory"), "import it")
    fixed = fix_source(source, [stale])
    assert fixed.source == source and "not where the analysis found it" in fixed.refused[0][1]


def test_a_file_changed_during_the_run_is_not_overwritten(tmp_path, monkeypatch):
    root = project(tmp_path, SHIM_IMPORT.encode())
    import ssot_lint.fixes.apply as fixer

    real = fixer.fix_source

    def fix_and_meanwhile_edit(source, fixes):  # someone saves the file while the fixes are computed
        (root / "app/service.py").write_text("# edited\n" + SHIM_IMPORT)
        return real(source, fixes)

    monkeypatch.setattr(fixer, "fix_source", fix_and_meanwhile_edit)
    outcome = run_fix(make_config(root), jobs=1)
    assert outcome.not_written == {"app/service.py": "it changed on disk during the run; run again"}
    assert (root / "app/service.py").read_text() == "# edited\n" + SHIM_IMPORT


def test_fix_only_touches_the_paths_given(tmp_path):
    root = project(tmp_path, SHIM_IMPORT.encode())
    (root / "app/other.py").write_text(SHIM_IMPORT)
    outcome = run_fix(make_config(root), paths=[root / "app/other.py"], jobs=1)
    assert sorted(outcome.changed) == ["app/other.py"]
    assert (root / "app/service.py").read_text() == SHIM_IMPORT


def test_unsafe_fixes_wait_for_the_flag_and_the_summary_says_so(tmp_path):
    root = project(tmp_path, b'from unittest import mock\n\npatcher = mock.patch("app.legacy.EngineFactory")\n')
    outcome = run_fix(make_config(root), jobs=1)
    assert outcome.changed == {} and outcome.not_fixed == {"the fix is unsafe: add --unsafe-fixes": 1}
    outcome = run_fix(make_config(root), jobs=1, unsafe=True)
    assert list(outcome.changed) == ["app/service.py"] and outcome.fixed == 1 and outcome.not_fixed == {}


def test_a_fix_revealing_an_alias_is_followed_by_the_next_pass(tmp_path):
    root = project(tmp_path, b"from app.legacy import EngineFactory as Maker\n\n\ndef build():\n    return Maker()\n")
    outcome = run_fix(make_config(root), jobs=1, unsafe=True)
    assert (root / "app/service.py").read_text() == CANONICAL_IMPORT + "\n\ndef build():\n    return EngineFactory()\n"
    # one finding at first (SSOT002, the renamed alias folded into it), and none left
    assert outcome.result.violations == () and outcome.fixed == 1


# -- the command line ----------------------------------------------------------------------


def test_diff_shows_a_patch_that_git_applies_and_writes_nothing(tmp_path):
    root = project(tmp_path, b"import os\n" + SHIM_IMPORT.encode())
    (root / "pyproject.toml").write_text(SHIM_PYPROJECT)
    run = cli("check", "--diff", "--no-cache", cwd=root)
    assert run.returncode == 1, run.stderr
    assert run.stdout == ("--- a/app/service.py\n+++ b/app/service.py\n@@ -1,2 +1,2 @@\n import os\n"
                          "-from app.legacy import EngineFactory\n+from app.factory import EngineFactory\n")
    assert run.stderr.startswith("Would fix 1 violation in 1 file; 0 remain.")
    assert (root / "app/service.py").read_text() == "import os\n" + SHIM_IMPORT
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    applied = subprocess.run(["git", "apply", "-"], input=run.stdout, text=True, cwd=root, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert (root / "app/service.py").read_text() == "import os\n" + CANONICAL_IMPORT
    clean = cli("check", "--diff", "--no-cache", cwd=root)
    assert clean.returncode == 0 and clean.stdout == ""


def test_fix_summary_counts_fixed_and_remaining_with_reasons(tmp_path):
    root = project(tmp_path, (SHIM_IMPORT + "from app.legacy import make_factory\n").encode())
    (root / "pyproject.toml").write_text(SHIM_PYPROJECT)
    run = cli("check", "--fix", "--no-cache", cwd=root)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0].startswith("app/service.py:2:24: SSOT002 make_factory imported from shim app.legacy")
    assert "Fixed 1 violation in 1 file; 1 remains." in lines
    assert "     1 not fixed: SSOT002: no automatic fix for this case (see `ssot-lint explain SSOT002`)" in lines
    assert (root / "app/service.py").read_text() == CANONICAL_IMPORT + "from app.legacy import make_factory\n"
