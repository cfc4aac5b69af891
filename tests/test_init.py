"""`ssot-lint init`: the starter configuration, and `--discover` on fixtures_repo and on generated trees."""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Dict, List

from helpers import FIXTURES_REPO, write_tree
from ssot_lint.config import Config, load_config, parse_config, tomllib
from ssot_lint.analysis.project import Project
from ssot_lint.commands.init_search import discover_proposals, discovery_project
from ssot_lint.commands.init_toml import render_proposals

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


# -- discovery on generated trees ---------------------------------------------------------------------

def discover(root, files: Dict[str, str], limit: int = 5) -> str:
    """What `init --discover --print` prints for a generated tree."""
    write_tree(root, files)
    config = Config(root=root, path=None, canonicals=())
    return render_proposals(discover_proposals(discovery_project(config, jobs=1, use_cache=False), limit), config)


def proposed(printed: str) -> Dict[str, List[str]]:
    """Each proposed symbol, best first, with its shim modules."""
    tables = tomllib.loads(printed)["tool"]["ssot-lint"].get("canonical", [])
    return {table["symbol"]: table["shims"] for table in tables}


def base_classes(count: int, subclasses: int) -> Dict[str, str]:
    """`count` base classes, each subclassed in `subclasses` modules that others import the subclass from,
    and each sharing its name with an unrelated class that one module imports."""
    files = {"app/__init__.py": "", "app/kinds/__init__.py": "", "app/impl/__init__.py": "",
             "app/other/__init__.py": "", "app/users/__init__.py": ""}
    for k in range(count):
        files[f"app/kinds/kind{k}.py"] = f"class Kind{k}:\n    pass\n"
        files[f"app/other/kind{k}.py"] = f"class Kind{k}:\n    \"\"\"Unrelated, same name.\"\"\"\n"
        files[f"app/users/other{k}.py"] = f"from app.other.kind{k} import Kind{k}\n"
        for j in range(subclasses):
            files[f"app/impl/k{k}_{j}.py"] = (f"from app.kinds.kind{k} import Kind{k}\n\n\n"
                                              f"class Impl{k}_{j}(Kind{k}):\n    pass\n")
            files[f"app/users/u{k}_{j}.py"] = f"from app.impl.k{k}_{j} import Impl{k}_{j}\n"
    return files


DEPRECATED_SHIM = {
    "app/engine.py": "class Engine:\n    pass\n",
    "app/legacy_engine.py": ("import warnings\n\nfrom app.engine import Engine\n\n"
                             "warnings.warn('app.legacy_engine is deprecated', DeprecationWarning)\n"),
    "app/old_user.py": "from app.legacy_engine import Engine\n",
    "app/older_user.py": "from app.legacy_engine import Engine\n",
}


def test_a_base_class_is_not_proposed_with_the_modules_of_its_subclasses_as_shims(tmp_path):
    files = base_classes(1, subclasses=6)
    files["app/kinds/compat.py"] = "from app.kinds.kind0 import Kind0\n"  # the one module that hands it on
    files["app/users/through_compat.py"] = "from app.kinds.compat import Kind0\n"
    shims = proposed(discover(tmp_path, files))
    assert shims["app.kinds.kind0:Kind0"] == ["app.kinds.compat"]


def test_base_classes_with_many_subclasses_do_not_crowd_out_a_deprecated_shim(tmp_path):
    files = {**base_classes(6, subclasses=5), **DEPRECATED_SHIM}
    shims = proposed(discover(tmp_path, files))
    assert list(shims.items())[0] == ("app.engine:Engine", ["app.legacy_engine"])
    assert not any(module.startswith("app.impl.") for modules in shims.values() for module in modules)


def test_a_deprecated_shim_that_marks_its_re_export_is_proposed_though_nothing_here_imports_through_it(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/warn.py": "def deprecation_warning(message):\n    pass\n",
        "app/sorting.py": "def default_key(item):\n    return item\n",
        "app/compat.py": ("from app.warn import deprecation_warning\n"
                          "from app.sorting import default_key  # noqa: F401\n\n"
                          "deprecation_warning('app.compat is deprecated: import app.sorting')\n"),
        **{f"app/user{i}.py": "from app.sorting import default_key\n" for i in range(3)},
        **{f"app/warner{i}.py": "from app.warn import deprecation_warning\n" for i in range(3)},
    }
    printed = discover(tmp_path, files)
    assert proposed(printed) == {"app.sorting:default_key": ["app.compat"]}  # it uses deprecation_warning
    assert '"app.compat",  # deprecated: it warns when imported' in printed


def test_a_test_module_that_nobody_imports_is_never_a_shim(tmp_path):
    files = {
        **DEPRECATED_SHIM,
        "tests/test_engine.py": "from app.engine import Engine\n\n__all__ = ['Engine']\n",
        "tests/test_stub.py": "from app.engine import Engine\n\n\nclass StubEngine(Engine):\n    pass\n",
        "tests/test_wrapper.py": ("from app.engine import Engine\n\n\nclass FakeEngine:\n"
                                  "    def __init__(self):\n        self.real = Engine()\n"),
        "tests/fixtures.py": "from app.engine import Engine\n",  # imported through: a shim, test or not
        "tests/test_uses_fixtures.py": "from tests.fixtures import Engine\n",
    }
    shims = proposed(discover(tmp_path, files))
    assert shims["app.engine:Engine"] == ["app.legacy_engine", "tests.fixtures"]


def redirected_symbols(count: int) -> Dict[str, str]:
    """`count` functions, each handed on by a redirect module that one module imports it through."""
    files = {"app/__init__.py": ""}
    for i in range(count):
        files[f"app/s{i}.py"] = f"def function{i}():\n    pass\n"
        files[f"app/r{i}.py"] = f"from app.s{i} import function{i}\n"
        files[f"app/u{i}.py"] = f"from app.r{i} import function{i}\n"
    return files


def test_limit_caps_the_proposals(tmp_path):
    write_tree(tmp_path, redirected_symbols(8))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n', encoding="utf-8")
    for args, expected in ((["--limit", "3"], 3), ([], 5), (["--limit", "20"], 8)):
        printed = run(tmp_path, "init", "--discover", "--print", *args)
        assert printed.returncode == 0, printed.stderr
        assert len(tomllib.loads(printed.stdout)["tool"]["ssot-lint"]["canonical"]) == expected
    assert "--limit" in run(tmp_path, "init", "--help").stdout
    assert run(tmp_path, "init", "--discover", "--print", "--limit", "0").returncode == 2


def test_only_the_best_few_candidates_go_through_the_exact_search(tmp_path, monkeypatch):
    searched = []
    undeclared_shims = Project.undeclared_shims

    def counting(self, canonical):
        searched.append(canonical.symbol)
        return undeclared_shims(self, canonical)

    monkeypatch.setattr(Project, "undeclared_shims", counting)
    assert len(proposed(discover(tmp_path, redirected_symbols(40), limit=2))) == 2
    assert 2 <= len(set(searched)) <= 6  # a small multiple of the limit, whatever the number of candidates


def test_only_a_module_that_is_all_legacy_is_proposed_as_a_shim(tmp_path):
    files = {
        "app/__init__.py": "from app.engine import Engine\n",  # a package's public API
        "app/engine.py": "class Engine:\n    pass\n",
        "app/legacy.py": "from app.engine import Engine\n",  # defines nothing itself
        "app/ladder.py": ("try:\n    from app.engine import Engine\nexcept ImportError:\n"
                          "    class Engine:\n        pass\n"),  # only an import fallback
        "app/service.py": "from app.engine import Engine\n\n\ndef serve():\n    return Engine()\n",  # code of its own
        **{f"app/user{i}.py": f"from {module} import Engine\n"
           for i, module in enumerate(["app", "app", "app.legacy", "app.legacy", "app.ladder", "app.service"])},
    }
    printed = discover(tmp_path, files)
    assert proposed(printed) == {"app.engine:Engine": ["app.legacy", "app.ladder"]}
    # Declared shims report every import from them: the others are named, not proposed.
    assert "#   also handed on by app (a package re-exporting it; 2 modules import it through this one)" in printed
    assert "#   also handed on by app.service (it has code of its own; 1 module imports" in printed


def test_classes_that_only_share_a_name_are_not_proposed(tmp_path):
    files = {"app/__init__.py": "", "app/commands/__init__.py": ""}
    for name in ("serve", "migrate", "shell"):  # the `Command` of each management command
        files[f"app/commands/{name}.py"] = "class Command:\n    pass\n"
        files[f"app/run_{name}.py"] = f"from app.commands.{name} import Command\n"
    printed = discover(tmp_path, files)
    assert proposed(printed) == {}
    assert "# ssot-lint found no shim to propose" in printed


def test_a_shim_that_hands_several_symbols_on_is_proposed_once(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/tasks.py": "".join(f"def task{i}():\n    pass\n\n\n" for i in range(4)),
        "app/compat.py": ("import warnings\n\nfrom app.tasks import task0, task1, task2, task3  # noqa: F401\n\n"
                          "warnings.warn('app.compat is deprecated', DeprecationWarning)\n"),
        **{f"app/user{i}.py": f"from app.tasks import task{i}\n" for i in range(4)},
        "app/busy.py": "from app.tasks import task2\n",  # task2 has the most importers
    }
    assert proposed(discover(tmp_path, files)) == {"app.tasks:task2": ["app.compat"]}


def test_overloads_in_one_module_are_not_other_definitions(tmp_path):
    """pandas' `concat` (several `@overload`s and the implementation in one module) was proposed as
    'defined in 7 modules', each overload listed as another definition."""
    overloads = ("from typing import overload\n\n\n@overload\ndef concat(a: int) -> int: ...\n\n\n"
                 "@overload\ndef concat(a: str) -> str: ...\n\n\ndef concat(a):\n    return a\n")
    files = {"pkg/__init__.py": "", "pkg/reshape.py": overloads,
             "pkg/legacy.py": ("try:\n    from pkg.reshape import concat\nexcept ImportError:\n"
                               "    def concat(a):\n        return a\n"),
             **{f"pkg/user{n}.py": "from pkg.reshape import concat\n" for n in range(3)},
             "pkg/other.py": "from pkg.legacy import concat\n"}
    printed = discover(tmp_path, files)
    assert "concat is defined in 2 modules" in printed
    assert printed.count("also defined in") == 1


def test_modules_that_only_import_are_read_off_their_text_not_parsed(tmp_path):
    files = {**DEPRECATED_SHIM, **{f"app/plain{i}.py": "from app.engine import Engine\n\n\ndef use():\n    return Engine\n"
                                   for i in range(20)}}
    write_tree(tmp_path, files)
    config = Config(root=tmp_path, path=None, canonicals=())
    discovery = discovery_project(config, jobs=1, use_cache=False)
    printed = render_proposals(discover_proposals(discovery), config)
    assert proposed(printed) == {"app.engine:Engine": ["app.legacy_engine"]}
    assert "23 modules import app.engine:Engine" in printed  # the shim, its 2 users, 20 read off their text
    # The engine (twice: its view, then in full for the wrapper search), the shim and its two users (they
    # define nothing at column 0: perhaps shims themselves); none of the 20 plain importers.
    assert discovery.project.reader.files_parsed == 5


def test_discover_shows_a_progress_bar_on_a_terminal_and_clears_it(tmp_path):
    import os
    import pty

    repo = unconfigured_copy(tmp_path)
    write_tree(repo, {f"bulk/m{i}.py": f"VALUE_{i} = {i}\n" for i in range(250)})  # enough files for a bar
    primary, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "TERM")}
    try:
        printed = subprocess.run([sys.executable, "-m", "ssot_lint", "init", "--discover", "--print"], cwd=repo,
                                 stdout=subprocess.PIPE, stderr=secondary, env=environment, timeout=300)
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # (Linux: the terminal is closed once everything is read)
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert printed.returncode == 0
    assert b"reading [" in shown and b"files" in shown
    assert shown.endswith(b"\r\x1b[K")  # the bar is gone before the proposals are printed
    assert tomllib.loads(printed.stdout.decode())["tool"]["ssot-lint"]["canonical"][0]["symbol"] == FACTORY
