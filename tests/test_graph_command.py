"""`ssot-lint graph`: the shim graph of fixtures_repo, in every format."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from helpers import FIXTURES_REPO
from ssot_lint.config import load_config
from ssot_lint.engine.build import build_project
from ssot_lint.commands.graph import build_shim_graph, render_dot, render_mermaid

FACTORY = "netra_backend.app.agents.supervisor.execution_engine_factory:ExecutionEngineFactory"
CANONICAL = "netra_backend.app.agents.supervisor.execution_engine_factory"
SHIM_1 = "netra_backend.app.core.managers.execution_engine_factory"
SHIM_2 = "netra_backend.app.agents.execution_engine_unified_factory"


@pytest.fixture(scope="module")
def graphs():
    project = build_project(load_config(FIXTURES_REPO / "pyproject.toml"), jobs=1)
    return {c.symbol: build_shim_graph(project, c) for c in project.canonicals}


def test_the_factory_graph_has_its_shims_re_exports_and_chains(graphs):
    graph = graphs[FACTORY]
    kinds = {name: node.kind for name, node in graph.nodes.items()}
    assert kinds == {
        CANONICAL: "canonical",
        SHIM_1: "shim",
        SHIM_2: "shim",
        "netra_backend.app.agents.supervisor": "re-export",
        "netra_backend.app.agents.engine_exports": "re-export",
        "netra_backend.app.agents.factory_aliases": "re-export",
        "netra_backend.app.agents.plugin_api": "re-export",
        "netra_backend.app.services.engine_helpers": "re-export",
        "netra_backend.app.services.isolated_execution_engine_factory": "wrapper",
        "netra_backend.app.agents.engine_compat": "dynamic",  # its module-level __getattr__ hands it out
    }  # the sanctioned double under `allow` is not a legacy path
    compat = graph.nodes["netra_backend.app.agents.engine_compat"]
    assert compat.decides_at_runtime and compat.runtime_sites == compat.sites == [
        "netra_backend/app/services/usage_report_service.py"]
    assert not any(a == compat.name for a, _ in graph.edges)  # no static edge: what it hands out is not known
    assert graph.chain("netra_backend.app.agents.plugin_api") == [
        "netra_backend.app.agents.plugin_api", "netra_backend.app.agents.factory_aliases", CANONICAL]
    # shim 2 is imported by unified_engine_service and tests/legacy/test_old_paths (hand-counted)
    assert graph.nodes[SHIM_2].importers == {"netra_backend.app.services.unified_engine_service",
                                             "tests.legacy.test_old_paths"}
    assert graph.nodes["netra_backend.app.agents.engine_exports"].importers == {
        "netra_backend.app.services.thread_service"}
    assert graph.nodes["netra_backend.app.services.engine_helpers"].importers == {
        "netra_backend.app.services.engine_config_service"}  # a star import


def test_the_config_graph_is_one_shim(graphs):
    graph = graphs["netra_backend.app.config:get_config"]
    assert graph.edges == {("netra_backend.app.core.config", "netra_backend.app.config"),
                           ("test_framework.fixtures.config_fixtures", "netra_backend.app.config")}  # a function wrapper
    assert graph.nodes["test_framework.fixtures.config_fixtures"].kind == "wrapper"
    assert graph.nodes["netra_backend.app.core.config"].importers == {"netra_backend.app.routes.config_routes"}


def test_mermaid_and_dot_name_every_node_and_edge(graphs):
    mermaid = render_mermaid(list(graphs.values()))
    assert mermaid.startswith("flowchart LR\n")
    node_ids = dict(re.findall(r'^  (m\d+)\W+"([\w.]+)<br/>', mermaid, re.MULTILINE))
    arrows = re.findall(r"^  (m\d+) --> (m\d+)$", mermaid, re.MULTILINE)
    assert set(node_ids.values()) == {n for g in graphs.values() for n in g.nodes}
    assert {(node_ids[a], node_ids[b]) for a, b in arrows} == {e for g in graphs.values() for e in g.edges}
    dot = render_dot(list(graphs.values()))
    assert dot.startswith("digraph ssot {") and dot.rstrip().endswith("}")
    assert f'"{SHIM_1}" -> "{CANONICAL}";' in dot


def test_every_format_counts_import_sites_one_in_the_singular(graphs):
    """engine_exports has one import site (thread_service's), shim 2 has two; shim 1 has 13 import sites in
    10 modules: the graph counts import sites, as the report's table does."""
    exports = "netra_backend.app.agents.engine_exports"
    dot, mermaid = render_dot([graphs[FACTORY]]), render_mermaid([graphs[FACTORY]])
    assert f'"{exports}" [shape=ellipse, label="{exports}\\nre-export, 1 import site"];' in dot
    assert f'"{SHIM_2}" [shape=box, label="{SHIM_2}\\nshim, 2 import sites"];' in dot
    assert f"{SHIM_1}<br/>shim, 13 import sites\"" in mermaid and len(graphs[FACTORY].nodes[SHIM_1].importers) == 10
    assert f"{exports}<br/>re-export, 1 import site\"" in mermaid
    # the wrapper is no import site of the symbol: its importers are counted, and said to be
    assert "isolated_execution_engine_factory<br/>wrapper, imported by 1 module" in mermaid
    # the module deciding at runtime: a dashed arrow to the canonical
    compat, home = (re.search(rf'^  (m\d+)\W+"{re.escape(m)}<br/>', mermaid, re.MULTILINE).group(1)
                    for m in ("netra_backend.app.agents.engine_compat", CANONICAL))
    assert f"  {compat} -.->|at runtime| {home}" in mermaid
    assert f'"netra_backend.app.agents.engine_compat" -> "{CANONICAL}" [style=dashed, label="at runtime"];' in dot


def test_the_command_line(tmp_path):
    command = [sys.executable, "-m", "ssot_lint", "graph", "--no-cache", "--config", str(FIXTURES_REPO / "pyproject.toml")]
    run = subprocess.run([*command, "--format", "json", "--symbol", FACTORY], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["version"] == 1 and [s["symbol"] for s in data["symbols"]] == [FACTORY]
    shim_1, = (m for m in data["symbols"][0]["modules"] if m["module"] == SHIM_1)
    assert (shim_1["import_sites"], shim_1["importers"], shim_1["decided_at_runtime"]) == (13, 10, 0)
    unknown = subprocess.run([*command, "--symbol", "a.b:C"], capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 2 and "--symbol: 'a.b:C' is not a canonical symbol" in unknown.stderr
