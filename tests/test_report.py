"""`ssot-lint report`: figures on fixtures_repo against hand-counted expectations, and every format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from helpers import FIXTURES_REPO, generated_config, make_config, write_tree
from ssot_lint.commands.baseline import Baseline, entry
from ssot_lint.config import load_config
from ssot_lint.engine.run import analyse, run_check
from ssot_lint.commands.report import FileLeft, build_report, report_json
from ssot_lint.commands.report_html import report_html
from ssot_lint.commands.report_text import report_markdown, report_terminal
from ssot_lint.rule import EXAMPLE_FILES
from test_property_fix import trees_with_shims

FACTORY = "netra_backend.app.agents.supervisor.execution_engine_factory:ExecutionEngineFactory"
SHIM_1 = "netra_backend.app.core.managers.execution_engine_factory"
SHIM_2 = "netra_backend.app.agents.execution_engine_unified_factory"
COMPAT = "netra_backend.app.agents.engine_compat"


@pytest.fixture(scope="module")
def analysed():
    return analyse(load_config(FIXTURES_REPO / "pyproject.toml"), jobs=1)


@pytest.fixture(scope="module")
def report(analysed):
    return build_report(*analysed)


def test_factory_figures_match_a_hand_count(report):
    factory = next(s for s in report.symbols if s.symbol == FACTORY)
    # Counted by hand from the import statements of fixtures_repo (shims' own imports left out):
    # 18 import it from the canonical module; through shim 1: agent_loader, agent_routes x2, agent_service,
    # engine_pool_service, engine_registry_service (star), legacy_bridge_service (module), message_service,
    # request_scoped_service x3, engine_bridge, tests/legacy = 13; through shim 2: unified_engine_service and
    # tests/legacy = 2; one each through supervisor/__init__, engine_exports, factory_aliases, plugin_api and
    # engine_helpers (star); and usage_report_service's, through engine_compat, whose module-level __getattr__
    # hands it out at runtime: not migrated.
    assert factory.direct == 18
    assert factory.through == {SHIM_1: 13, SHIM_2: 2, "netra_backend.app.agents.engine_exports": 1,
                               "netra_backend.app.agents.factory_aliases": 1,
                               "netra_backend.app.agents.plugin_api": 1, "netra_backend.app.agents.supervisor": 1,
                               "netra_backend.app.services.engine_helpers": 1, COMPAT: 1}
    assert factory.decided_at_runtime == {COMPAT: 1}
    assert factory.total == 39 and factory.left == 21 and factory.migrated_percent == 46.2
    # the legacy class, the shim's two fallbacks, engine_bridge's fallback, the test double, and the name
    # bound to other classes in batch_worker and legacy_worker
    assert factory.competing_implementations == 7
    # UnifiedExecutionEngineFactory and IsolatedExecutionEngineFactory, and three imports of them
    assert factory.wrappers == 5
    assert factory.shared_instances == 3  # websocket_manager, background_worker, scheduled_jobs
    assert factory.string_references == 8
    assert factory.ready_to_delete == [] and factory.shims == sorted([SHIM_1, SHIM_2])
    assert factory.most_to_do[0] == FileLeft("tests/legacy/test_old_paths.py", 5, [6, 11, 12, 24, 28])


def test_config_figures_match_a_hand_count(report):
    config = next(s for s in report.symbols if s.symbol == "netra_backend.app.config:get_config")
    # direct: the factory module, llm_service, health_routes and the wrapper in test_framework; through the
    # shim: config_routes' two names
    assert (config.direct, config.through, config.migrated_percent) == (4, {"netra_backend.app.core.config": 2}, 66.7)
    assert config.competing_implementations == 1
    assert config.wrappers == 2  # the function wrapper in test_framework, and its import


def test_a_shim_nobody_imports_is_ready_to_delete(tmp_path):
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/service.py": "from app.factory import EngineFactory\n"})
    project, violations = analyse(make_config(tmp_path), jobs=1)
    only, = build_report(project, violations).symbols
    assert only.ready_to_delete == ["app.legacy"] and only.migrated_percent == 100.0


def test_fixed_and_new_since_a_baseline(analysed):
    project, violations = analysed
    recorded = Baseline({e["fingerprint"]: e for e in map(entry, violations[1:])})  # as if one were new...
    recorded.entries["0" * 16] = {"fingerprint": "0" * 16}  # ...and one fixed
    figures = build_report(project, violations, recorded)
    assert (figures.new_since_baseline, figures.fixed_since_baseline) == (1, 1)
    text = report_markdown(figures)
    # at the top, before the first symbol
    assert text.index("## Since the baseline\n\n- **1 fixed**\n- **1 new**\n") < text.index("## `")
    page = report_html(figures)
    assert 'fixed since the baseline</div><div class="value"><span class="better">1</span>' in page
    assert 'new since the baseline</div><div class="value"><span class="worse">1</span>' in page


def test_markdown_has_the_tables_and_a_mermaid_graph(report):
    text = report_markdown(report)
    assert text.startswith("# ssot-lint migration report")
    assert f"## `{FACTORY}`" in text and "**46.2% migrated** (18 of 39 import sites" in text
    assert "21 import sites left; shims ready to delete: none yet (0 of 2)." in text
    assert f"| through {SHIM_1} | 13 | 33.3% |" in text
    assert f"> 1 import site through {COMPAT} gets what a module decides at runtime" in text
    assert "```mermaid\nflowchart LR" in text
    assert "- `tests/legacy/test_old_paths.py`: 5" in text  # no links without --link-prefix


def test_markdown_links_the_files_at_their_lines(report):
    text = report_markdown(report, link_prefix="https://example.com/o/r/blob/abc123/")
    at = "https://example.com/o/r/blob/abc123/tests/legacy/test_old_paths.py"
    assert f"- [`tests/legacy/test_old_paths.py`]({at}): 5, at lines [6]({at}#L6), [11]({at}#L11), " in text


def test_json_has_a_versioned_schema(report):
    data = json.loads(report_json(report))
    assert data["schema_version"] == 3 and data["violations"] == 60
    assert data["missing"] == {} and data["at_commit"] is None
    factory = data["symbols"][0]
    assert set(factory) == {"symbol", "direct", "through", "migrated_percent", "competing_implementations",
                            "wrappers", "shared_instances", "string_references", "ready_to_delete", "most_to_do",
                            "violations_by_rule", "import_sites", "decided_at_runtime", "shims"}
    assert factory["import_sites"] == 39 and factory["decided_at_runtime"] == {COMPAT: 1}
    assert factory["most_to_do"][0] == {"path": "tests/legacy/test_old_paths.py", "violations": 5,
                                        "lines": [6, 11, 12, 24, 28]}


def test_html_is_one_self_contained_page(report):
    page = report_html(report)
    assert page.startswith("<!doctype html>") and "<svg" in page and ">46.2%<" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched when viewed
    assert "re-export · 1 import site<" in page and "import site(s)" not in page
    assert "<script" not in page  # no history, no chart: the charting library is not inlined
    assert len(page.encode()) < 60_000


def test_terminal_table(report):
    text = report_terminal(report)
    assert "  direct" in text and "46.2% of 39 import sites" in text and text.rstrip().endswith("60 violations in all.")


def test_the_command_line_writes_a_file(tmp_path):
    out = tmp_path / "report.md"
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "report", "--no-cache", "--config",
                          str(FIXTURES_REPO / "pyproject.toml"), "--output", str(out)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8").startswith("# ssot-lint migration report")  # markdown off a terminal


# -- the report counts what check reports (issue 13, item 7) -----------------------------------------


def assert_graph_and_tables_agree(item):
    """Each module of the shim graph counts the import sites the table counts through it (the canonical
    module's: the direct ones); a module the table counts is in the graph."""
    graph = item.graph
    for name, node in graph.nodes.items():
        expected = item.direct if name == graph.canonical_module else item.through.get(name, 0)
        assert len(node.sites) == expected, (name, node.sites, expected)
    assert set(item.through) <= set(graph.nodes)
    assert item.decided_at_runtime == {name: len(node.runtime_sites) for name, node in graph.nodes.items()
                                       if node.runtime_sites}


def test_the_graph_and_the_tables_count_the_same_import_sites(report):
    """The graph said "app.dependencies, re-export, 12 importers" beside a table counting 1 import site."""
    for item in report.symbols:
        assert_graph_and_tables_agree(item)
    factory = next(s for s in report.symbols if s.symbol == FACTORY)
    assert len(factory.graph.nodes[SHIM_1].sites) == factory.through[SHIM_1] == 13  # in 10 importing modules
    assert len(factory.graph.nodes[SHIM_1].importers) == 10


def test_a_dynamic_shim_is_counted_in_the_paths_given(analysed):
    project, violations = analysed
    figures = build_report(project, violations, covered=lambda path: path.startswith("netra_backend/app/services/"))
    factory = next(s for s in figures.symbols if s.symbol == FACTORY)
    assert factory.decided_at_runtime == {COMPAT: 1}
    assert_graph_and_tables_agree(factory)
    assert factory.shims == sorted([SHIM_1, SHIM_2]) and factory.ready_to_delete == []  # the whole project's


def assert_report_counts_what_check_reports(config):
    """Every violation figure of the report is a count of the findings `check` prints; the graph counts what
    the tables count."""
    checked = run_check(config, jobs=1).violations
    project, violations = analyse(config, jobs=1)
    figures = build_report(project, violations)
    assert figures.violations == len(checked)
    for item in figures.symbols:
        assert_graph_and_tables_agree(item)
        mine = [v for v in checked if v.symbol == item.symbol]
        assert item.violations_by_rule == dict(sorted(Counter(v.code for v in mine).items()))
        by_code = Counter(v.code for v in mine)
        assert (item.competing_implementations, item.wrappers, item.shared_instances, item.string_references) == \
            (by_code["SSOT001"], by_code["SSOT004"], by_code["SSOT006"], by_code["SSOT008"])
        by_file = Counter(v.path for v in mine)
        assert all(by_file[f.path] == f.violations for f in item.most_to_do)
        assert all(f.lines == sorted({v.line for v in mine if v.path == f.path}) for f in item.most_to_do)


def test_report_and_check_count_the_same_findings_on_fixtures_repo():
    """The report said "competing implementations 5" where check gave 7 SSOT001 for the same symbol."""
    assert_report_counts_what_check_reports(load_config(FIXTURES_REPO / "pyproject.toml"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(trees_with_shims())
def test_report_and_check_count_the_same_findings_on_generated_trees(case):
    package, files, _, shims = case
    with tempfile.TemporaryDirectory() as folder:
        write_tree(Path(folder), files)
        assert_report_counts_what_check_reports(generated_config(Path(folder), package, shims))


_COMPAT = ("import importlib\n\n\ndef __getattr__(name):\n    if name == 'EngineFactory':\n"
           "        return importlib.import_module('app.factory').EngineFactory\n    raise AttributeError(name)\n")


def test_imports_decided_at_runtime_are_import_sites_not_migrated(tmp_path):
    """app.compat hands EngineFactory out from its __getattr__; app.api passes that on. Each import counts
    through the module it imports from, decided at runtime; the graph has the chain to app.compat and no
    static edge from it."""
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/compat.py": _COMPAT,
                          "app/api.py": "from app.compat import EngineFactory\n",
                          "app/service.py": "from app.api import EngineFactory\n",
                          "app/direct.py": "from app.factory import EngineFactory\n"})
    project, violations = analyse(make_config(tmp_path), jobs=1)
    only, = build_report(project, violations).symbols
    assert (only.direct, only.through) == (1, {"app.api": 1, "app.compat": 1})
    assert only.decided_at_runtime == {"app.api": 1, "app.compat": 1} and only.migrated_percent == 33.3
    assert_graph_and_tables_agree(only)
    graph = only.graph
    assert ("app.api", "app.compat") in graph.edges and not any(a == "app.compat" for a, _ in graph.edges)
    assert graph.nodes["app.compat"].kind == "dynamic" and graph.nodes["app.compat"].decides_at_runtime
    assert only.violations_by_rule.get("SSOT011") == 3  # both imports, and the dynamic shim itself


def test_chart_labels_are_dates_told_apart_by_commit_where_a_day_has_several():
    from ssot_lint.commands.history import HistoryPoint
    from ssot_lint.commands.report_text import _sampled, point_labels

    points = [HistoryPoint("aaaa111", "2024-06-01T10:00:00+00:00", "a"),
              HistoryPoint("bbbb222", "2024-06-01T12:00:00+00:00", "b"),
              HistoryPoint("cccc333", "2024-06-03T09:00:00+00:00", "c")]
    assert point_labels(points) == ["06-01 aaaa", "06-01 bbbb", "06-03"]
    points.append(HistoryPoint("dddd444", "2025-01-02T09:00:00+00:00", "d"))
    assert point_labels(points)[2:] == ["2024-06-03", "2025-01-02"]  # the year, when the range spans years
    many = list(enumerate(range(57)))
    shown = _sampled(many)
    assert len(shown) == 20 and shown[0] == many[0] and shown[-1] == many[-1]


def test_a_name_the_canonical_module_hands_out_at_runtime_is_not_an_import_site_of_it(tmp_path):
    """Found by the property test: `from m0 import C as A`, where m0 (the canonical's module) hands out C from
    its __getattr__: not the canonical, so not counted, neither as direct nor anywhere else."""
    write_tree(tmp_path, {"pkg/__init__.py": "",
                          "pkg/m0.py": "class A:\n    pass\n\n\ndef __getattr__(name):\n    if name == 'C':\n"
                                       "        return A\n    raise AttributeError(name)\n",
                          "pkg/m1.py": "from .m0 import C as A\n", "pkg/m2.py": "from .m0 import A\n"})
    project, violations = analyse(generated_config(tmp_path, "pkg", []), jobs=1)
    only, = build_report(project, violations).symbols
    assert (only.direct, only.through, only.decided_at_runtime) == (1, {}, {})
    assert_graph_and_tables_agree(only)
