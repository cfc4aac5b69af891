"""`ssot-lint report`: where a migration off the shims stands, per canonical symbol.

The figures come from the same analysis as `check` (the project and its
violations, after `allow`, per-file ignores and `noqa`); rendering is separate:
a terminal table, Markdown for a pull request or a CI job summary (with a
Mermaid graph of the shims), JSON with a versioned schema, and one
self-contained HTML page.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

from ssot_lint.commands.baseline import Baseline
from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.project import Project
from ssot_lint.rule import Violation
from ssot_lint.rules import all_rules
from ssot_lint.commands.graph import ShimGraph, build_shim_graph, importers, render_mermaid

# 2: the rule figures are counts of `check`'s findings of each code (1 counted definitions only), with
# `violations_by_rule`; `missing` and `at_commit`; `violations` null when nothing was counted.
SCHEMA_VERSION = 2


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
    most_to_do: List[Dict[str, object]]  # files with the most violations left: {"path", "violations"}
    violations_by_rule: Dict[str, int] = field(default_factory=dict)  # code -> findings, as `check` counts them
    graph: Optional[ShimGraph] = field(default=None, repr=False)

    @property
    def total(self) -> int:
        return self.direct + sum(self.through.values())


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
    Which shims are ready to delete, and the shim graph, are the whole project's still: a shim imported
    elsewhere cannot go."""
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
    direct, through = 0, Counter()
    for site in project.sites_in(canonical):
        # Import statements only (not each `m.Name` read), and not the shims' own: they go with the shims.
        if site.attribute is not None or canonical.is_shim(site.info.name) or not covered(site.info.file.relpath):
            continue
        shim = project.shim_read(canonical, site)
        if canonical.is_canonical(site.resolution):
            if site.through:
                through[site.through[0]] += 1
            else:
                direct += 1
        elif shim is not None:
            through[shim] += 1
        elif site.is_star and project.star_brings(canonical, site.source_module):
            through[site.source_module] += 1
    graph = build_shim_graph(project, canonical)
    codes = Counter(v.code for v in violations)
    total = direct + sum(through.values())
    by_file = Counter(v.path for v in violations)
    return SymbolReport(
        symbol=canonical.symbol,
        direct=direct,
        through=dict(sorted(through.items(), key=lambda item: (-item[1], item[0]))),
        migrated_percent=round(100.0 * direct / total, 1) if total else 100.0,
        competing_implementations=codes["SSOT001"],
        wrappers=codes["SSOT004"],
        shared_instances=codes["SSOT006"],
        string_references=codes["SSOT008"],
        ready_to_delete=sorted(shim for shim in canonical.shims
                               if shim in graph.nodes and not graph.nodes[shim].importers),
        most_to_do=[{"path": path, "violations": count}
                    for path, count in sorted(by_file.items(), key=lambda item: (-item[1], item[0]))[:top]],
        violations_by_rule=dict(sorted(codes.items())),
        graph=graph,
    )


# -- rendering -------------------------------------------------------------------------------------


def report_json(report: Report) -> str:
    """The JSON schema (version 1) is documented in the README."""
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


def _rows(item: SymbolReport) -> List[List[str]]:
    rows = [["direct", str(item.direct), _share(item.direct, item.total)]]
    rows += [[f"through {module}", str(count), _share(count, item.total)] for module, count in item.through.items()]
    return rows


def _share(count: int, total: int) -> str:
    return f"{100.0 * count / total:.1f}%" if total else "-"


def _figures(item: SymbolReport) -> List[List[str]]:
    """The migration figures, then the symbol's violations by rule, counted as `check` reports them."""
    names = {rule.code: rule.name for rule in all_rules()}
    return [
        ["migrated", f"{item.migrated_percent:.1f}% of {item.total} import sites"],
        ["shims ready to delete", ", ".join(item.ready_to_delete) or "none yet"],
        *([f"{code} {names.get(code, '')}".rstrip(), str(count)] for code, count in item.violations_by_rule.items()),
    ]


def report_terminal(report: Report) -> str:
    lines = [_source_line(report), ""] if report.at_commit is not None else []
    for item in report.symbols:
        lines += [item.symbol, *symbol_terminal(item), ""]
    for symbol, reason in report.missing.items():
        lines += [symbol, f"  no figures: {reason}", ""]
    lines.append(_summary_line(report))
    if report.history:
        lines += ["", "history (% migrated):"]
        symbols = _all_symbols(report)
        rows = [[p.commit, p.date[:10], _violations_value(p)] + [_trend_value(p, symbol) for symbol in symbols]
                for p in report.history]
        lines.extend(_table(["commit", "date", "violations", *(s.rpartition(":")[2] for s in symbols)], rows))
        lines.extend(f"  {note}" for note in _missing_notes(report.history, symbols, code=str))
    return "\n".join(lines) + "\n"


def symbol_terminal(item: SymbolReport) -> List[str]:
    """One symbol's figures in the terminal report, under its name (also the failure text of its pytest item)."""
    lines = _table(["import sites", "count", "share"], _rows(item))
    lines.extend(_table(["", ""], _figures(item), header=False, numbers=False))
    if item.most_to_do:
        lines.append("  most left to do:")
        lines.extend(f"    {f['violations']:>3}  {f['path']}" for f in item.most_to_do)
    return lines


def migration_line(item: SymbolReport, strong: Callable[[str], str] = str) -> str:
    """'47.4% migrated (18 of 38 import sites import it from its own module).', as each rendering words it."""
    return (f"{strong(f'{item.migrated_percent:.1f}% migrated')} ({item.direct} of {item.total} import sites "
            "import it from its own module).")


def _all_symbols(report: Report) -> List[str]:
    """Every configured symbol: those with figures, then those without."""
    return [s.symbol for s in report.symbols] + list(report.missing)


def _trend_value(point, symbol: str) -> str:
    figures = point.symbols.get(symbol)
    if figures:
        return f"{figures['migrated_percent']:.1f}%"
    return "n/a" if symbol in point.missing else "-"


def _violations_value(point) -> str:
    return "-" if point.violations is None else str(point.violations)


def _missing_notes(history, symbols: List[str], code: Callable[[str], str]) -> List[str]:
    """Why a symbol has no figures ("n/a" in the tables), once per run of consecutive commits with the same
    reason (a symbol added late lacks them at every commit before)."""
    notes = []
    for symbol in symbols:
        runs: List[List] = []  # [first commit, last commit, count, reason]
        previous = None
        for point in history:
            reason = point.missing.get(symbol)
            if reason is not None and reason == previous:
                runs[-1][1:3] = [point.commit, runs[-1][2] + 1]
            elif reason is not None:
                runs.append([point.commit, point.commit, 1, reason])
            previous = reason
        for first, last, count, reason in runs:
            at = f"at {code(first)}" if count == 1 else f"at the {count} commits from {code(first)} to {code(last)}"
            notes.append(f"n/a: {code(symbol.rpartition(':')[2])} has no figures {at}: {reason}")
    return notes


def _summary_line(report: Report) -> str:
    if report.violations is None:
        return "No canonical symbol was found, so nothing was counted."
    return _baseline_line(report) or f"{report.violations} violations in all."


def _source_line(report: Report, code: Callable[[str], str] = str) -> str:
    """Where the figures come from, when not the work tree."""
    at = report.at_commit
    if at is None:
        return ""
    return (f"These figures are those of commit {code(at.commit)} ({at.date[:10]}, {at.subject!r}), the last of "
            f"the range: {at.reason}.")


def _table(columns: List[str], rows: List[List[str]], header: bool = True, numbers: bool = True) -> List[str]:
    """Aligned columns, indented under the symbol; numbers to the right."""
    shown = ([columns] if header else []) + rows
    widths = [max(len(row[i]) for row in shown) for i in range(len(columns))]

    def line(cells: List[str]) -> str:
        return "  " + "  ".join(cell.rjust(width) if numbers and index else cell.ljust(width)
                                for index, (cell, width) in enumerate(zip(cells, widths))).rstrip()

    return [line(row) for row in shown]


def _baseline_line(report: Report) -> str:
    if report.new_since_baseline is None:
        return ""
    return (f"{report.violations} violations in all; since the baseline, {report.fixed_since_baseline} fixed "
            f"and {report.new_since_baseline} new.")


def report_markdown(report: Report) -> str:
    lines = ["# ssot-lint migration report", ""]
    if report.at_commit is not None:
        lines += [f"> {_source_line(report, _code)}", ""]
    lines += [_summary_line(report), ""]
    for item in report.symbols:
        lines += [f"## `{item.symbol}`", "", migration_line(item, lambda text: f"**{text}**"), ""]
        lines += ["| import sites | count | share |", "| --- | ---: | ---: |"]
        lines += [f"| {name} | {count} | {share} |" for name, count, share in _rows(item)]
        lines += ["", "| figure | value |", "| --- | --- |"]
        lines += [f"| {name} | {value} |" for name, value in _figures(item)]
        if item.most_to_do:
            lines += ["", "Files with the most left to do:", ""]
            lines += [f"- `{f['path']}`: {f['violations']}" for f in item.most_to_do]
        if item.graph is not None and len(item.graph.nodes) > 1:
            lines += ["", "```mermaid", render_mermaid([item.graph]).rstrip(), "```"]
        if report.history and any(item.symbol in p.symbols for p in report.history):
            lines += ["", "```mermaid", _mermaid_trend(report.history, item.symbol), "```"]
        lines.append("")
    for symbol, reason in report.missing.items():
        lines += [f"## `{symbol}`", "", f"No figures: {reason}.", ""]
    if report.history:
        symbols = _all_symbols(report)
        lines += ["## History", "", "| commit | date | violations | " +
                  " | ".join(f"`{s.rpartition(':')[2]}` migrated" for s in symbols) + " |",
                  "| --- | --- | ---: |" + " ---: |" * len(symbols)]
        for point in report.history:
            values = " | ".join(_trend_value(point, symbol) for symbol in symbols)
            lines.append(f"| `{point.commit}` | {point.date[:10]} | {_violations_value(point)} | {values} |")
        notes = _missing_notes(report.history, symbols, code=_code)
        lines += ["", *(f"- {note}" for note in notes)] if notes else []
        lines.append("")
    return "\n".join(lines)


def _code(text: str) -> str:
    return f"`{text}`"


def _mermaid_trend(history, symbol: str) -> str:
    """A Mermaid xychart (GitHub renders it) of the percentage migrated, commit by commit."""
    points = [(p.commit[:7], p.symbols[symbol]["migrated_percent"]) for p in history if symbol in p.symbols]
    labels = ", ".join(f'"{commit}"' for commit, _ in points)
    values = ", ".join(f"{value:.1f}" for _, value in points)
    return "\n".join(["xychart-beta", f'  title "{symbol.rpartition(":")[2]}: % migrated"',
                      f"  x-axis [{labels}]", '  y-axis "% migrated" 0 --> 100', f"  line [{values}]"])


def report_html(report: Report) -> str:
    """One self-contained page: inline style, an inline SVG of each shim graph, nothing fetched."""
    body = ["<h1>ssot-lint migration report</h1>"]
    if report.at_commit is not None:
        body.append(f"<p><em>{html.escape(_source_line(report))}</em></p>")
    body.append(f"<p>{html.escape(_summary_line(report))}</p>")
    for item in report.symbols:
        body.append(f"<h2><code>{html.escape(item.symbol)}</code></h2>")
        body.append(f"<p>{migration_line(item, lambda text: f'<strong>{text}</strong>')}</p>")
        body.append(_html_table(["import sites", "count", "share"], _rows(item)))
        body.append(_html_table(["figure", "value"], _figures(item)))
        if item.most_to_do:
            body.append("<h3>Files with the most left to do</h3><ul>" + "".join(
                f"<li><code>{html.escape(str(f['path']))}</code>: {f['violations']}</li>" for f in item.most_to_do)
                + "</ul>")
        if item.graph is not None:
            body.append(_svg_graph(item.graph))
        if report.history:
            body.append("<h3>% migrated, commit by commit</h3>" + _svg_trend(report.history, item.symbol))
            body.extend(f"<p>{html.escape(note)}</p>" for note in _missing_notes(report.history, [item.symbol], str))
    for symbol, reason in report.missing.items():
        body.append(f"<h2><code>{html.escape(symbol)}</code></h2><p>No figures: {html.escape(reason)}.</p>")
        if report.history:
            body.extend(f"<p>{html.escape(note)}</p>" for note in _missing_notes(report.history, [symbol], str))
    style = ("body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;color:#222}"
             "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem}"
             "td:nth-child(n+2){text-align:right}code{font-size:.9em}")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ssot-lint report</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _html_table(header: List[str], rows: List[List[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{cells}</table>"


def _svg_graph(graph: ShimGraph) -> str:
    """Modules in columns by their distance to the canonical one, arrows along the chains."""
    depth = {name: len(graph.chain(name)) - 1 for name in graph.nodes}
    columns: Dict[int, List[str]] = {}
    for name in sorted(graph.nodes):
        columns.setdefault(depth[name], []).append(name)
    width, height, gap_x, gap_y = 330, 44, 60, 16
    position = {}
    for column, names in columns.items():
        for row, name in enumerate(names):
            position[name] = ((max(columns) - column) * (width + gap_x) + 10, row * (height + gap_y) + 10)
    total_w = (max(columns) + 1) * (width + gap_x) + 20
    total_h = max(len(n) for n in columns.values()) * (height + gap_y) + 20
    colours = {"canonical": "#d4edda", "shim": "#f8d7da", "re-export": "#fff3cd", "wrapper": "#e2e3f3"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" font-size="11">',
             '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
             '<path d="M0,0 L8,4 L0,8 z"/></marker></defs>']
    for here, there in sorted(graph.edges):
        (x1, y1), (x2, y2) = position[here], position[there]
        parts.append(f'<line x1="{x1 + width}" y1="{y1 + height / 2}" x2="{x2}" y2="{y2 + height / 2}" '
                     f'stroke="#555" marker-end="url(#a)"/>')
    for name, (x, y) in position.items():
        node = graph.nodes[name]
        parts.append(f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="4" '
                     f'fill="{colours[node.kind]}" stroke="#666"/>')
        parts.append(f'<text x="{x + 6}" y="{y + 17}">{html.escape(name)}</text>')
        parts.append(f'<text x="{x + 6}" y="{y + 33}" fill="#555">{node.kind}, '
                     f'{importers(len(node.importers))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_trend(history, symbol: str) -> str:
    points = [(p.commit[:7], p.symbols[symbol]["migrated_percent"]) for p in history if symbol in p.symbols]
    if not points:
        return "<p>no commit has this symbol yet</p>"
    width, height, step = 640, 200, 640 / max(len(points) - 1, 1)
    coordinates = [(20 + i * (width - 40) / max(len(points) - 1, 1), height - 20 - value * (height - 40) / 100)
                   for i, (_, value) in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    labels = "".join(f'<text x="{x:.1f}" y="{height - 4}" font-size="9" text-anchor="middle">{html.escape(c)}</text>'
                     for (x, _), (c, _) in zip(coordinates, points)) if step >= 40 else ""
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{html.escape(c)}: {v:.1f}%</title></circle>'
                   for (x, y), (c, v) in zip(coordinates, points))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<rect x="20" y="20" width="{width - 40}" height="{height - 40}" fill="none" stroke="#ccc"/>'
            f'<polyline points="{line}" fill="none" stroke="#2a7" stroke-width="2"/>{dots}{labels}</svg>')
