"""An analysed project holds no reference cycles, so it is freed the moment it is dropped.

A run pauses the cyclic collector (engine.run.cyclic_gc_paused); cyclic garbage left behind would make
the collector's next pass walk the whole project (a million objects on a large repository: half a
second of a run). Reference counting frees an acyclic project at once.
"""

from __future__ import annotations

import gc

import networkx as nx

from helpers import FIXTURES_REPO
from ssot_lint.config import load_config
from ssot_lint.commands.report import build_report
from ssot_lint.engine.run import analyse, run_check
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph
from ssot_lint.analysis.project import Project


def test_a_check_leaves_no_project_behind():
    config = load_config(FIXTURES_REPO / "pyproject.toml")
    gc.collect()
    gc.disable()
    try:
        result = run_check(config, jobs=1)
        kinds = (Project, ProjectGraph, ModuleInfo, nx.Graph)
        left = [type(o).__name__ for o in gc.get_objects() if isinstance(o, kinds)]
    finally:
        gc.enable()
    assert result.violations and left == []


def test_a_report_leaves_no_project_behind():
    """`report --history` builds one project per commit after the work tree's: none may outlive its report."""
    config = load_config(FIXTURES_REPO / "pyproject.toml")
    gc.collect()
    gc.disable()
    try:
        project, violations = analyse(config, jobs=1)
        report = build_report(project, violations)
        del project
        kinds = (Project, ProjectGraph, ModuleInfo, nx.Graph)
        left = [type(o).__name__ for o in gc.get_objects() if isinstance(o, kinds)]
    finally:
        gc.enable()
    assert report.symbols and report.violations and left == []
