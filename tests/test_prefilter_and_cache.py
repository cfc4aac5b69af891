"""The prefilter and the cache change how much work is done, never what is found."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import FIXTURES_REPO, make_config, write_tree
from ssot_lint.files.cache import CACHE_DIRNAME, content_digest
from ssot_lint.config import load_config
from ssot_lint.engine.build import build_project
from ssot_lint.engine.run import run_check
from test_property_resolution import package_trees


def as_rows(result):
    return [(v.code, v.path, v.line, v.column, v.message, v.fingerprint) for v in result.violations]


def fixtures_copy(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES_REPO, target, ignore=shutil.ignore_patterns(CACHE_DIRNAME, "__pycache__"))
    return target


def test_prefilter_gives_the_same_violations_on_fixtures_repo():
    config = load_config(FIXTURES_REPO / "pyproject.toml")
    with_prefilter = run_check(config, jobs=1, prefilter=True)
    without = run_check(config, jobs=1, prefilter=False)
    assert as_rows(with_prefilter) == as_rows(without)
    assert with_prefilter.files_loaded < without.files_loaded  # and it did skip files


# Trees the property below found once (a long run, 1,500 examples), kept as plain cases.
FOUND_BY_THE_PROPERTY = {
    "inside a shim package, `from .. import m1` reads it without spelling its name": (
        {"pkg/__init__.py": "", "pkg/m0.py": "class A:\n    pass\n", "pkg/m1.py": "",
         "pkg/sub/__init__.py": "", "pkg/sub/s0.py": "from .. import m1 as sub_m1\n"},
        ["pkg"]),
    "the canonical's name bound to a class of another name: `X = B` elsewhere is the canonical too": (
        {"pkg/__init__.py": "import pkg.m0 as mod\nR = mod.X\n__all__ = ['R']\n",
         "pkg/m0.py": "class B:\n    pass\nX = B\nclass A:\n    pass\nA = B\n"},
        []),
}


@pytest.mark.parametrize("files, shims", FOUND_BY_THE_PROPERTY.values(), ids=list(FOUND_BY_THE_PROPERTY))
def test_prefilter_gives_the_same_violations_on_trees_it_once_missed(tmp_path, files, shims):
    write_tree(tmp_path, files)
    config = make_config(tmp_path, {"canonical": [{"symbol": "pkg.m0:A", "shims": shims}],
                                    "respect-gitignore": False})
    without = as_rows(run_check(config, jobs=1, prefilter=False))
    assert without  # there is something to find
    assert as_rows(run_check(config, jobs=1, prefilter=True)) == without


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(package_trees(), st.data())
def test_prefilter_gives_the_same_violations_on_generated_trees(tree, data):
    package, files = tree
    modules = sorted(p[:-3].replace("/", ".").replace(".__init__", "") for p in files)
    others = [m for m in modules if m != f"{package}.m0"]
    section = {
        "canonical": [{
            "symbol": f"{package}.m0:A",
            "shims": data.draw(st.lists(st.sampled_from(others), unique=True)) if others else [],
            "lookalikes": data.draw(st.sampled_from([[], ["*A"], ["Q*", "_*"]])),
        }],
        "respect-gitignore": False,
    }
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, files)
        config = make_config(root, section)
        assert as_rows(run_check(config, jobs=1, prefilter=True)) == as_rows(run_check(config, jobs=1,
                                                                                         prefilter=False))


def test_warm_run_reads_no_unchanged_file_and_finds_the_same(tmp_path):
    repo = fixtures_copy(tmp_path)
    config = load_config(repo / "pyproject.toml")
    uncached = run_check(config, jobs=1)
    cold = run_check(config, jobs=1, use_cache=True)
    warm = run_check(config, jobs=1, use_cache=True)
    assert as_rows(cold) == as_rows(uncached) == as_rows(warm)
    # (each file parsed once, but one checked on its module-level view and then found to name a token of a
    # later round where the view does not hold it, which is parsed again in full: engine.build_project)
    assert cold.files_read == cold.files_analysed and cold.files_loaded <= cold.files_parsed <= cold.files_loaded + 1
    assert warm.files_read == 0 and warm.files_parsed == 0
    assert (repo / CACHE_DIRNAME / ".gitignore").read_text().splitlines()[-1] == "*"


def test_one_changed_file_is_read_and_parsed_alone(tmp_path):
    repo = fixtures_copy(tmp_path)
    config = load_config(repo / "pyproject.toml")
    run_check(config, jobs=1, use_cache=True)
    changed = repo / "netra_backend/app/services/agent_service.py"
    changed.write_text(changed.read_text() + "\n# touched\n")
    after = run_check(config, jobs=1, use_cache=True)
    assert after.files_read == 1 and after.files_parsed == 1
    assert as_rows(after) == as_rows(run_check(config, jobs=1))


def test_a_new_violation_in_a_changed_file_is_found_warm(tmp_path):
    repo = fixtures_copy(tmp_path)
    config = load_config(repo / "pyproject.toml")
    before = run_check(config, jobs=1, use_cache=True)
    clean = repo / "netra_backend/app/models/message.py"
    clean.write_text(clean.read_text() + "\nfrom netra_backend.app.core.managers.execution_engine_factory "
                                         "import ExecutionEngineFactory\n")
    after = run_check(config, jobs=1, use_cache=True)
    new = set(as_rows(after)) - set(as_rows(before))
    assert [(code, path) for code, path, *_ in new] == [("SSOT002", "netra_backend/app/models/message.py")]


def test_corrupt_and_truncated_entries_are_recomputed_silently(tmp_path):
    repo = fixtures_copy(tmp_path)
    config = load_config(repo / "pyproject.toml")
    expected = as_rows(run_check(config, jobs=1, use_cache=True))
    entries = sorted((repo / CACHE_DIRNAME).rglob("*.pickle"))
    assert entries
    for index, entry in enumerate(entries):
        entry.write_bytes(b"garbage" if index % 2 else entry.read_bytes()[:10])
    assert as_rows(run_check(config, jobs=1, use_cache=True)) == expected


def test_read_only_cache_folder_is_not_an_error(tmp_path):
    repo = fixtures_copy(tmp_path)
    config = load_config(repo / "pyproject.toml")
    folder = repo / CACHE_DIRNAME
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(folder, os.W_OK):  # running as root: make writing fail another way
            folder.chmod(0o700)
            shutil.rmtree(folder)
            folder.write_text("not a folder")
        assert as_rows(run_check(config, jobs=1, use_cache=True)) == as_rows(run_check(config, jobs=1))
    finally:
        if folder.is_dir():
            folder.chmod(0o700)


def test_parallel_extraction_gives_the_same_violations_in_the_same_order():
    config = load_config(FIXTURES_REPO / "pyproject.toml")
    assert as_rows(run_check(config, jobs=2, prefilter=False)) == as_rows(run_check(config, jobs=1,
                                                                                     prefilter=False))


def test_an_unchanged_project_reuses_the_last_answer_only_for_the_same_settings(tmp_path):
    repo = fixtures_copy(tmp_path)
    config = load_config(repo / "pyproject.toml")
    first = run_check(config, jobs=1, use_cache=True)
    again = run_check(config, jobs=1, use_cache=True)
    assert as_rows(again) == as_rows(first) and again.files_read == 0
    only_imports = run_check(config, jobs=1, use_cache=True, select=["SSOT002"])
    assert {v.code for v in only_imports.violations} == {"SSOT002"}
    # (where several rules report one site, a run of all rules folds SSOT002 into the finding that stays)
    assert [(v.path, v.line, v.column) for v in only_imports.violations] == \
        [(v.path, v.line, v.column) for v in first.violations if "SSOT002" in (v.code, *v.also)]
    one_file = run_check(config, jobs=1, use_cache=True,
                         paths=[repo / "netra_backend/app/services/agent_service.py"])
    assert as_rows(one_file) == [row for row in as_rows(first) if row[1].endswith("services/agent_service.py")]


def test_two_runs_at_once_on_one_cache_agree(tmp_path):
    import subprocess
    import sys

    repo = fixtures_copy(tmp_path)
    command = [sys.executable, "-m", "ssot_lint", "check", "--output-format", "json", str(repo)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [1, 1], [err for _, err in outputs]
    assert outputs[0][0] == outputs[1][0] and outputs[0][0].startswith("[")
    leftovers = list((repo / CACHE_DIRNAME).rglob("*.tmp"))
    assert leftovers == []  # every write was completed or cleaned up


def test_a_module_cached_as_a_view_is_parsed_in_full_when_another_config_checks_it(tmp_path):
    # app/mid.py names nothing tracked, but a checked file star-imports it (the rules follow a star import
    # always): the cache keeps only its module-level view. A lookalike pattern then makes it a checked
    # file, whose rules need it all.
    files = {
        "app/__init__.py": "",
        "app/core.py": "class Engine:\n    pass\n",
        "app/mid.py": "def build():\n    class OtherEngine:\n        pass\n    return OtherEngine()\n",
        "app/user.py": "from app.core import Engine\nfrom app.mid import *\n",
    }
    write_tree(tmp_path, files)
    plain = make_config(tmp_path, {"canonical": [{"symbol": "app.core:Engine"}], "respect-gitignore": False})
    assert run_check(plain, jobs=1, use_cache=True).violations == ()
    mid = content_digest((tmp_path / "app/mid.py").read_bytes())
    assert [p.name for p in (tmp_path / CACHE_DIRNAME).rglob(f"{mid}*.pickle")] == [f"{mid}.view.pickle"]
    looser = make_config(tmp_path, {"canonical": [{"symbol": "app.core:Engine", "lookalikes": ["*Engine"]}],
                                    "respect-gitignore": False})
    cached = run_check(looser, jobs=1, use_cache=True)
    assert as_rows(cached) == as_rows(run_check(looser, jobs=1))
    assert [(v.code, v.path) for v in cached.violations] == [("SSOT001", "app/mid.py")]
    assert cached.files_parsed == 1  # app/mid.py, in full this time


def test_files_that_name_the_canonical_only_in_annotations_are_checked_on_their_view(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/factory.py": "class EngineFactory:\n    pass\n",
        "app/legacy.py": "from app.factory import EngineFactory\n",
        "app/typed.py": "from app.factory import EngineFactory\n\n\ndef run(f: EngineFactory) -> EngineFactory:\n"
                        "    return f\n",
        "app/through_shim.py": "from app.legacy import EngineFactory\n\n\ndef run(f: EngineFactory) -> None:\n"
                               "    local = 1\n    return None\n",
        "app/quiet.py": "from app.legacy import EngineFactory  # NOQA: SSOT002\n\n\ndef run(f: EngineFactory):\n"
                        "    pass\n",  # (a suppression: read in full, whatever the case of `noqa`)
        "app/engine.py": "class Engine:\n    pass\n",
        "app/builds.py": "from app.engine import Engine\n\n\ndef make(e: Engine) -> Engine:\n    return Engine()\n",
    }
    write_tree(tmp_path, files)
    config = make_config(tmp_path, {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"],
                                                   "products": ["app.engine:Engine"]}],
                                    "respect-gitignore": False})
    project = build_project(config, jobs=1)
    on_view = {path for path, info in project.graph.checked.items() if info.view_enough}
    assert on_view == {"app/typed.py", "app/through_shim.py"}
    with_view, without = run_check(config, jobs=1), run_check(config, jobs=1, prefilter=False)
    assert as_rows(with_view) == as_rows(without)
    assert [(v.code, v.path, v.fix) for v in with_view.violations] == [(v.code, v.path, v.fix) for v in without.violations]
    assert {(v.code, v.path) for v in with_view.violations} == {("SSOT002", "app/through_shim.py"),
                                                               ("SSOT007", "app/builds.py")}
    assert next(v for v in with_view.violations if v.code == "SSOT002").fix is not None  # its safety read it all
