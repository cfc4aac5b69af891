"""The pytest plugin (`pytest --ssot-lint`), run as users run it: pytest in a subprocess (pytester), in a copy
of fixtures_repo, beside the fixture's own 13 tests. Each copy starts with a warm ssot-lint cache (it is
relocatable), except where the cache itself is under test."""

from __future__ import annotations

import json
import re
import shutil
import sys
import threading

import pytest

from helpers import FIXTURES_REPO, ssot
from ssot_lint.parallel import on_deep_stack

pytest_plugins = ["pytester"]

OWN_TESTS = 13  # fixtures_repo's own tests, which pass
EEF = "netra_backend.app.agents.supervisor.execution_engine_factory:ExecutionEngineFactory"
GET_CONFIG = "netra_backend.app.config:get_config"
SYMBOL_ITEMS = {f"pyproject.toml::ssot-lint[{symbol}]" for symbol in (EEF, GET_CONFIG)}
GOLDEN = (FIXTURES_REPO / "expected_violations.txt").read_text(encoding="utf-8").splitlines()
FILE_ITEMS = {f"{line.split(':')[0]}::ssot-lint" for line in GOLDEN}
NEW_IMPORT = "from netra_backend.app.core.managers.execution_engine_factory import ExecutionEngineFactory\n"
BASELINE = ".ssot-lint-baseline.json"
NO_CACHE = ("-p", "no:cacheprovider")  # pytest's own cache, where --lf is not under test


@pytest.fixture(scope="module")
def warm_copy(tmp_path_factory):
    """fixtures_repo with its ssot-lint cache filled, to copy from."""
    target = tmp_path_factory.mktemp("warm") / "repo"
    shutil.copytree(FIXTURES_REPO, target, ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    assert ssot(target, "check", "--no-server", "--quiet").returncode == 1
    return target


@pytest.fixture
def project(pytester, warm_copy):
    shutil.copytree(warm_copy, pytester.path, dirs_exist_ok=True)
    return pytester


def run(project, *args: str):
    """pytest ARGS in the project, in a subprocess. Without hypothesis's plugin, which the fixture's tests do
    not use: loading it took half of each run."""
    return project.runpytest_subprocess(*args, "-p", "no:hypothesispytest")


def failed(result) -> set:
    """The ids of the short summary's FAILED lines."""
    return {match.group(1) for line in result.outlines for match in [re.match(r"FAILED (\S+)", line)] if match}


def lines_of(result) -> set:
    """The output's lines, less the `[*]` marking what `--fix` fixes (the golden file has none)."""
    return {line.replace(" [*] ", " ") for line in result.outlines}


def counts(result) -> dict:
    outcomes = result.parseoutcomes()
    return {key: outcomes.get(key, 0) for key in ("passed", "failed", "deselected")}


def test_without_the_option_nothing_is_added_and_the_marker_is_known(pytester):
    project = pytester
    shutil.copytree(FIXTURES_REPO, project.path, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    result = run(project, *NO_CACHE, "--co", "-q")
    assert result.ret == 0
    assert f"{OWN_TESTS} tests collected" in result.stdout.str()
    assert "ssot-lint" not in result.stdout.str()
    assert not (project.path / ".ssot_lint_cache").exists()  # not even the cache was touched
    markers = run(project, *NO_CACHE, "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.ssot_lint: an ssot-lint item (pytest --ssot-lint)"])


def test_an_item_fails_for_each_golden_file_and_each_symbol_with_violations(project):
    result = run(project, "--ssot-lint", *NO_CACHE, "-rf")
    assert result.ret == 1
    assert counts(result) == {"passed": OWN_TESTS, "failed": len(FILE_ITEMS) + 2, "deselected": 0}
    assert failed(result) == FILE_ITEMS | SYMBOL_ITEMS
    assert f"collected {OWN_TESTS + len(FILE_ITEMS) + 2} items" in result.stdout.str()
    # Each file's failure is its lines as `ssot-lint check` prints them (SSOT000 for the unparsable file).
    assert set(GOLDEN) <= lines_of(result)
    assert any(" SSOT000 cannot parse" in line for line in GOLDEN)
    assert "Traceback" not in result.stdout.str()
    # A symbol's failure: its count, and its figures as `ssot-lint report` gives them.
    figures = {s["symbol"]: s for s in json.loads(ssot(project.path, "report", "--format", "json").stdout)["symbols"]}
    for symbol in (EEF, GET_CONFIG):
        item = figures[symbol]
        result.stdout.fnmatch_lines([
            f"{symbol}: {sum(item['violations_by_rule'].values())} violations left; {item['migrated_percent']}% "
            f"migrated ({item['direct']} of {item['import_sites']} import sites import it from its own module).",
            "  import sites*count*share", "  direct*", "*most left to do:"])


def test_with_a_baseline_only_new_violations_fail_and_noqa_and_per_file_ignores_hold(project):
    assert f"recorded {len(GOLDEN)} violations" in ssot(project.path, "baseline").stdout
    clean = run(project, "--ssot-lint", "--ssot-lint-baseline", BASELINE, "-m", "ssot_lint", *NO_CACHE)
    assert clean.ret == 0 and counts(clean) == {"passed": 2, "failed": 0, "deselected": OWN_TESTS}
    clean.stdout.fnmatch_lines([f"ssot-lint: {len(GOLDEN)} known violations remain in the baseline {BASELINE}."])
    services = project.path / "netra_backend/app/services"
    (services / "new_service.py").write_text(NEW_IMPORT, encoding="utf-8")
    (services / "quiet_service.py").write_text(NEW_IMPORT.rstrip("\n") + "  # noqa: SSOT002\n", encoding="utf-8")
    (project.path / "tests/legacy/test_new_legacy.py").write_text(NEW_IMPORT, encoding="utf-8")  # per-file-ignores
    # The ini key this time, relative to the ini file.
    with (project.path / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[tool.pytest.ini_options]\nssot_lint_baseline = "{BASELINE}"\n')
    new = run(project, "--ssot-lint", "-m", "ssot_lint", *NO_CACHE, "-rf")
    assert new.ret == 1
    assert failed(new) == {"netra_backend/app/services/new_service.py::ssot-lint",
                           f"pyproject.toml::ssot-lint[{EEF}]"}
    new.stdout.fnmatch_lines(["netra_backend/app/services/new_service.py:1:70: SSOT002 [[]*] ExecutionEngineFactory "
                              "imported through shim *",
                              f"{EEF}: 1 new violation (not in the baseline); *% migrated *"])


def test_k_selects_items_by_file_or_symbol_and_x_stops_at_the_first_failure(project):
    chosen = run(project, "--ssot-lint", "-m", "ssot_lint", "-k", "agent_service or get_config",
                                          *NO_CACHE, "-rf")
    assert failed(chosen) == {"netra_backend/app/services/agent_service.py::ssot-lint",
                              f"pyproject.toml::ssot-lint[{GET_CONFIG}]"}
    assert counts(chosen)["passed"] == 0
    stopped = run(project, "--ssot-lint", "-x", *NO_CACHE)
    assert counts(stopped) == {"passed": OWN_TESTS, "failed": 1, "deselected": 0}
    assert "stopping after 1 failures" in stopped.stdout.str()


def test_xdist_workers_collect_the_same_items_and_give_the_same_outcome(project):
    result = run(project, "--ssot-lint", "-n", "2", *NO_CACHE, "-rf")
    assert result.ret == 1
    assert counts(result) == {"passed": OWN_TESTS, "failed": len(FILE_ITEMS) + 2, "deselected": 0}
    assert failed(result) == FILE_ITEMS | SYMBOL_ITEMS
    assert set(GOLDEN) <= lines_of(result)


def last_failed(project) -> set:
    return set(json.loads((project.path / ".pytest_cache/v/cache/lastfailed").read_text(encoding="utf-8")))


def test_lf_reruns_the_failed_items_whose_ids_are_stable_even_from_a_subfolder(project, monkeypatch):
    run(project, "--ssot-lint")
    assert last_failed(project) == FILE_ITEMS | SYMBOL_ITEMS
    again = run(project, "--ssot-lint", "--lf")
    assert f"rerun previous {len(FILE_ITEMS) + 2} failures" in again.stdout.str()
    assert counts(again) == {"passed": 0, "failed": len(FILE_ITEMS) + 2, "deselected": OWN_TESTS}
    service = project.path / "netra_backend/app/services/agent_service.py"
    service.write_text(service.read_text(encoding="utf-8").replace(
        "netra_backend.app.core.managers.execution_engine_factory",
        "netra_backend.app.agents.supervisor.execution_engine_factory"), encoding="utf-8")
    fixed = run(project, "--ssot-lint", "--lf", "-rf")
    assert counts(fixed)["failed"] == len(FILE_ITEMS) + 1  # the fixed file has no item any more
    assert "netra_backend/app/services/agent_service.py::ssot-lint" not in failed(fixed)
    # From a subfolder (pytest finds the rootdir, ssot-lint the project): the same ids.
    (project.path / ".pytest_cache").rename(project.path / "first_cache")
    monkeypatch.chdir(project.path / "netra_backend")
    run(project, "--ssot-lint")
    fixed_item = "netra_backend/app/services/agent_service.py::ssot-lint"
    assert last_failed(project) == (FILE_ITEMS | SYMBOL_ITEMS) - {fixed_item}


@pytest.mark.parametrize("break_it, args, problem", [
    (("src = ", "srcs = "), (), "pyproject.toml: tool.ssot-lint.srcs: unknown key (did you mean 'src'? *"),
    ((":get_config", ":get_confg"), ("-n", "2"),
     "pyproject.toml: tool.ssot-lint.canonical[[]1].symbol: netra_backend.app.config:get_confg: *"),
    (("", ""), ("--ssot-lint-baseline", "missing.json"), "missing.json: no such baseline *"),
], ids=["unknown-key", "symbol-not-in-the-project-under-xdist", "missing-baseline"])
def test_a_configuration_error_is_a_usage_error_of_one_line(project, break_it, args, problem):
    config = project.path / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(*break_it), encoding="utf-8")
    result = run(project, "--ssot-lint", *args, *NO_CACHE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1, result.errlines
    result.stderr.fnmatch_lines([f"ERROR: ssot-lint: {project.path}/{problem}"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_the_analysis_uses_ssot_lint_cache(pytester):
    shutil.copytree(FIXTURES_REPO, pytester.path, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    parsed = []
    for _ in range(2):
        result = run(pytester, "--ssot-lint", "-m", "ssot_lint", "-v", *NO_CACHE)
        parsed.append(int(re.search(r"(\d+) parsed", result.stdout.str()).group(1)))
    assert parsed[0] > 50 and parsed[1] == 0
    assert "the last run's answer stands" in result.stdout.str()


def test_the_analysis_runs_on_a_deep_stack_and_leaves_pytest_its_own():
    """Resolution recurses along alias chains (3,000 deep in tests/reliability/test_bad_graphs.py): the
    plugin runs it in a thread with a deep stack, and puts the process's limits back after."""
    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    limit, size = sys.getrecursionlimit(), threading.stack_size()
    assert on_deep_stack(lambda: depth(20_000)) == 20_000
    assert (sys.getrecursionlimit(), threading.stack_size()) == (limit, size)
    with pytest.raises(KeyError):
        on_deep_stack(lambda: {}["missing"])


def test_the_verify_item_fails_with_what_verify_finds_and_passes_once_settled(project):
    """`--ssot-lint-verify` alone: one item, which imports the project in pytest's interpreter."""
    result = run(project, *NO_CACHE, "--ssot-lint-verify", "-m", "ssot_lint")
    assert counts(result) == {"passed": 0, "failed": 1, "deselected": OWN_TESTS}, result.stdout.str()
    assert failed(result) == {"pyproject.toml::ssot-lint-verify"}
    result.stdout.fnmatch_lines([
        "netra_backend/app/services/usage_report_service.py:3:52: SSOT203 ExecutionEngineFactory from "
        "netra_backend.app.agents.engine_compat, handed out at runtime, is the canonical *",
        "Found 1 violation in 1 file. 62 claims about tracked names in 44 modules, imported with *: 61 agree, "
        "0 disagree, 1 settled, 0 unverified.",
    ])
    service = project.path / "netra_backend/app/services/usage_report_service.py"
    service.write_text(service.read_text(encoding="utf-8").replace(
        "netra_backend.app.agents.engine_compat", "netra_backend.app.agents.supervisor.execution_engine_factory"),
        encoding="utf-8")
    settled = run(project, *NO_CACHE, "--ssot-lint-verify", "-m", "ssot_lint")
    assert counts(settled) == {"passed": 1, "failed": 0, "deselected": OWN_TESTS}, settled.stdout.str()
    both = run(project, *NO_CACHE, "--ssot-lint", "--ssot-lint-verify", "-m", "ssot_lint", "-v")
    assert "pyproject.toml::ssot-lint-verify PASSED" in both.stdout.str()
    assert failed(both) == SYMBOL_ITEMS | FILE_ITEMS - {"netra_backend/app/services/usage_report_service.py::ssot-lint"}


def test_a_project_below_the_rootdir_is_found_from_where_pytest_starts(pytester, warm_copy, monkeypatch):
    """A service in a monorepo whose top-level pyproject.toml configures pytest but not ssot-lint."""
    (pytester.path / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = \"-ra\"\n", encoding="utf-8")
    service = pytester.path / "services" / "chat"
    shutil.copytree(warm_copy, service)
    (service / "pyproject.toml").write_text(
        (service / "pyproject.toml").read_text(encoding="utf-8").replace("[tool.pytest.ini_options]", "[tool.x]"),
        encoding="utf-8")  # (so that pytest's rootdir is the folder above)
    monkeypatch.chdir(service)
    result = run(pytester, *NO_CACHE, "--ssot-lint", "-m", "ssot_lint", "--rootdir", str(pytester.path))
    assert result.ret == 1, result.stdout.str() + result.stderr.str()
    assert "rootdir: " + str(pytester.path) in result.stdout.str()
    assert failed(result) == FILE_ITEMS | SYMBOL_ITEMS  # (the summary's ids are relative to where pytest started)
