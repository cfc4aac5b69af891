"""`ssot-lint report`'s figures: where a migration off the shims stands, per canonical symbol; and their JSON.

The figures come from the same analysis as `check` (the project and its
violations, after `allow`, per-file ignores and `noqa`); the import sites are
those the shim graph counts (`graph.entry_of`), so the tables and the graph agree.
Rendering them is elsewhere: `report_text` (the terminal table, Markdown for a
pull request or a CI job summary) and `report_html` (one self-contained page).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

from ssot_lint.commands.baseline import Baseline
from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.project import Project
from ssot_lint.rule import Violation
from ssot_lint.commands.graph import ShimGraph, build_shim_graph, counting_only

# 3: import sites whose object a module decides at runtime (SSOT011) count, not migrated, in `through` (and so
# in `import_sites` and `migrated_percent`), with `decided_at_runtime`; `most_to_do` items have `lines`; the
# history's points have `through` and `violations_by_rule` per symbol.
# 2: the rule figures are counts of `check`'s findings of each code (1 counted definitions only), with
# `violations_by_rule`; `missing` and `at_commit`; `violations` null when nothing was counted.
SCHEMA_VERSION = 3


@dataclass
class FileLeft:
    """A file with violations of the symbol left."""

    path: str  # relative to the project root
    violations: int
    lines: List[int]  # where they are, each line once


@dataclass
class SymbolReport:
    """One canonical symbol's figures. Every count of violations is a count of the very findings `check`
    reports for the symbol (after `allow`, per-file ignores, `noqa`, one finding per site)."""

    symbol: str
    direct: int  # import statements (outside declared shims) that get it from its own module
    through: Dict[str, int]  # import statements by the shim or re-exporting module they go through
    migrated_percent: float  # direct / all import sites of it
    competing_implementations: int  # SSOT001 findings
    wrappers: int  # SSOT004 findings: wrappers and the imports of them
    shared_instances: int  # SSOT006 findings
    string_references: int  # SSOT008 findings
    ready_to_delete: List[str]  # declared shims nobody imports any more
    most_to_do: List[FileLeft]  # files with the most violations left
    violations_by_rule: Dict[str, int] = field(default_factory=dict)  # code -> findings, as `check` counts them
    # Of `through`, the import statements that get what a module decides at runtime (its `__getattr__`, writes
    # to `globals()` or `sys.modules`): not migrated, whatever they turn out to bind.
    decided_at_runtime: Dict[str, int] = field(default_factory=dict)
    shims: List[str] = field(default_factory=list)  # the declared shims still in the project
    graph: Optional[ShimGraph] = field(default=None, repr=False)

    @property
    def total(self) -> int:
        return self.direct + sum(self.through.values())

    @property
    def left(self) -> int:
        """Import sites still to move to the canonical module."""
        return self.total - self.direct


@dataclass(frozen=True)
class CommitSource:
    """The commit a report's figures come from when the work tree cannot give them (`report --history` in a
    bare clone, or in a checkout without the canonical module)."""

    commit: str  # abbreviated hash
    date: str
    subject: str
    reason: str  # why not the work tree


@dataclass
class Report:
    symbols: List[SymbolReport]
    violations: Optional[int]  # None: no canonical symbol was found, so nothing was counted
    fixed_since_baseline: Optional[int] = None
    new_since_baseline: Optional[int] = None
    history: List = field(default_factory=list)  # HistoryPoint, oldest first (`--history`)
    missing: Dict[str, str] = field(default_factory=dict)  # canonical symbols with no figures, and why
    at_commit: Optional[CommitSource] = None  # where the figures come from, when not the work tree


def build_report(project: Project, violations: Sequence[Violation], baseline: Optional[Baseline] = None,
                 top: int = 10, covered: Callable[[str], bool] = lambda relpath: True) -> Report:
    """`covered`: the files to count (by path relative to the project root), as `report PATHS` gives them.
    Which shims are ready to delete is the whole project's still: a shim imported elsewhere cannot go."""
    violations = [v for v in violations if covered(v.path)]
    symbols = [_symbol_report(project, c, [v for v in violations if v.symbol == c.symbol], top, covered)
               for c in project.canonicals]
    # A project that lacks a canonical (only `report --history` allows it, at a commit) has no figures for it.
    report = Report(symbols, None if project.missing and not project.canonicals else len(violations),
                    missing=dict(project.missing))
    if baseline is not None:
        new, _ = baseline.split(violations)
        current = {v.fingerprint for v in violations}
        report.new_since_baseline = len(new)
        report.fixed_since_baseline = sum(1 for fingerprint, item in baseline.entries.items()
                                          if fingerprint not in current and covered(str(item.get("path", ""))))
    return report


def _symbol_report(project: Project, canonical: Canonical, violations: Sequence[Violation],
                   top: int, covered: Callable[[str], bool]) -> SymbolReport:
    whole = build_shim_graph(project, canonical)
    ready = sorted(shim for shim in canonical.shims if shim in whole.nodes and not whole.nodes[shim].importers)
    # The tables are read off the graph's counts: the page draws that graph beside them.
    graph = counting_only(whole, covered)
    home = graph.nodes[canonical.module]
    others = sorted((node for node in graph.nodes.values() if node is not home and node.sites),
                    key=lambda node: (-len(node.sites), node.name))
    direct, through = len(home.sites), {node.name: len(node.sites) for node in others}
    total = direct + sum(through.values())
    codes = Counter(v.code for v in violations)
    lines = defaultdict(set)
    for v in violations:
        lines[v.path].add(v.line)
    by_file = Counter(v.path for v in violations)
    return SymbolReport(
        symbol=canonical.symbol,
        direct=direct,
        through=through,
        migrated_percent=round(100.0 * direct / total, 1) if total else 100.0,
        competing_implementations=codes["SSOT001"],
        wrappers=codes["SSOT004"],
        shared_instances=codes["SSOT006"],
        string_references=codes["SSOT008"],
        ready_to_delete=ready,
        most_to_do=[FileLeft(path, count, sorted(lines[path]))
                    for path, count in sorted(by_file.items(), key=lambda item: (-item[1], item[0]))[:top]],
        violations_by_rule=dict(sorted(codes.items())),
        decided_at_runtime={node.name: len(node.runtime_sites) for node in others if node.runtime_sites},
        shims=sorted(shim for shim in canonical.shims if shim in whole.nodes),
        graph=graph,
    )


def point_figures(item: SymbolReport) -> Dict[str, object]:
    """What `report --history` keeps of a symbol's figures at each commit."""
    return {"migrated_percent": item.migrated_percent, "direct": item.direct, "import_sites": item.total,
            "competing_implementations": item.competing_implementations, "through": dict(item.through),
            "violations_by_rule": dict(item.violations_by_rule)}


def report_json(report: Report) -> str:
    """The JSON schema (`SCHEMA_VERSION`) is documented in the README."""
    symbols = []
    for item in report.symbols:
        data = asdict(item)
        data.pop("graph")
        data["import_sites"] = item.total
        symbols.append(data)
    document = {"schema_version": SCHEMA_VERSION, "tool": "ssot-lint", "violations": report.violations,
                "fixed_since_baseline": report.fixed_since_baseline,
                "new_since_baseline": report.new_since_baseline, "symbols": symbols, "missing": report.missing,
                "at_commit": asdict(report.at_commit) if report.at_commit is not None else None,
                "history": [asdict(point) for point in report.history]}
    return json.dumps(document, indent=2) + "\n"
