"""The report in words: the terminal table, and Markdown for a pull request or a CI job summary.

Also the sentences and table rows every rendering shares (`report_html` uses
them too), so that a figure reads the same wherever it is shown.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ssot_lint.commands.graph import plural, render_mermaid
from ssot_lint.commands.report import Report, SymbolReport
from ssot_lint.rules import all_rules

# Mermaid draws every category of an x-axis: past this many commits a chart shows an evenly spaced sample.
MERMAID_POINTS = 20


# -- what every rendering says -----------------------------------------------------------------------


def migration_line(item: SymbolReport, strong: Callable[[str], str] = str) -> str:
    """'47.4% migrated (18 of 38 import sites import it from its own module).', as each rendering words it."""
    return (f"{strong(f'{item.migrated_percent:.1f}% migrated')} ({item.direct} of {item.total} import sites "
            "import it from its own module).")


def ready_value(item: SymbolReport) -> str:
    """'none yet (0 of 2)', or the shims nobody imports any more."""
    if not item.ready_to_delete:
        return f"none yet (0 of {len(item.shims)})" if item.shims else "none declared"
    return f"{', '.join(item.ready_to_delete)} ({len(item.ready_to_delete)} of {len(item.shims)})"


def runtime_notes(item: SymbolReport) -> List[str]:
    """Why some import sites count as not migrated whatever they bind."""
    return [f"{plural(count, 'import site')} through {module} {'gets' if count == 1 else 'get'} what a module "
            "decides at runtime (a module-level `__getattr__`, or writes to `globals()` or `sys.modules`; SSOT011): "
            f"counted as not migrated, since what {'it binds' if count == 1 else 'they bind'} is only known when "
            "the code runs." for module, count in item.decided_at_runtime.items()]


def rule_names() -> Dict[str, str]:
    return {rule.code: rule.name for rule in all_rules()}


def site_rows(item: SymbolReport) -> List[List[str]]:
    """[where, count, share] of the import sites: direct, then through each module."""
    rows = [["direct", str(item.direct), share(item.direct, item.total)]]
    rows += [[f"through {module}", str(count), share(count, item.total)] for module, count in item.through.items()]
    return rows


def share(count: int, total: int) -> str:
    return f"{100.0 * count / total:.1f}%" if total else "-"


def figure_rows(item: SymbolReport) -> List[List[str]]:
    """The migration figures, then the symbol's violations by rule, counted as `check` reports them."""
    names = rule_names()
    return [
        ["migrated", f"{item.migrated_percent:.1f}% of {item.total} import sites"],
        ["import sites left", str(item.left)],
        ["shims ready to delete", ready_value(item)],
        *([f"{code} {names.get(code, '')}".rstrip(), str(count)] for code, count in item.violations_by_rule.items()),
    ]


def all_symbols(report: Report) -> List[str]:
    """Every configured symbol: those with figures, then those without."""
    return [s.symbol for s in report.symbols] + list(report.missing)


def short_name(symbol: str) -> str:
    return symbol.rpartition(":")[2]


def trend_value(point, symbol: str) -> str:
    figures = point.symbols.get(symbol)
    if figures:
        return f"{figures['migrated_percent']:.1f}%"
    return "n/a" if symbol in point.missing else "-"


def violations_value(point) -> str:
    return "-" if point.violations is None else str(point.violations)


def symbol_points(history, symbol: str) -> List[Tuple[int, object]]:
    """(index in the history, point) of the commits where the symbol has figures."""
    return [(index, point) for index, point in enumerate(history) if symbol in point.symbols]


def point_labels(history) -> List[str]:
    """A short, distinct label per commit for a chart's axis: its date ('06-14', the year too when the range
    spans years), with the commit where one day has several."""
    dates = [point.date[:10] for point in history]
    same_year = len({date[:4] for date in dates}) <= 1
    shown = [date[5:] if same_year else date for date in dates]
    return [f"{label} {point.commit[:4]}" if shown.count(label) > 1 else label
            for label, point in zip(shown, history)]


def symbol_violations(figures: Dict[str, object]) -> int:
    return sum(figures.get("violations_by_rule", {}).values())  # type: ignore[union-attr]


def trend_line(history, symbol: str, code: Callable[[str], str] = str) -> Optional[str]:
    """'From 89.1% at abc1234 (2024-06-01) to 76.6% at def5678 (2024-06-14); its violations from 250 to
    591.' None with fewer than two commits."""
    points = [point for _, point in symbol_points(history, symbol)]
    if len(points) < 2:
        return None
    first, last = points[0], points[-1]
    a, b = first.symbols[symbol], last.symbols[symbol]
    return (f"Over the history: from {a['migrated_percent']:.1f}% migrated at {code(first.commit[:7])} "
            f"({first.date[:10]}) to {b['migrated_percent']:.1f}% at {code(last.commit[:7])} ({last.date[:10]}); "
            f"its violations from {symbol_violations(a)} to {symbol_violations(b)}.")


def over_time_modules(history, symbol: str) -> List[str]:
    """The modules any commit imports the symbol through, most import sites first (summed over the history)."""
    totals: Dict[str, int] = {}
    for _, point in symbol_points(history, symbol):
        for module, count in point.symbols[symbol].get("through", {}).items():
            totals[module] = totals.get(module, 0) + count
    return sorted(totals, key=lambda module: (-totals[module], module))


def over_time_rules(history, symbol: str) -> List[str]:
    codes = {code for _, point in symbol_points(history, symbol)
             for code in point.symbols[symbol].get("violations_by_rule", {})}
    return sorted(codes)


def missing_notes(history, symbols: List[str], code: Callable[[str], str]) -> List[str]:
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
            notes.append(f"n/a: {code(short_name(symbol))} has no figures {at}: {reason}")
    return notes


def summary_line(report: Report) -> str:
    if report.violations is None:
        return "No canonical symbol was found, so nothing was counted."
    return baseline_line(report) or f"{report.violations} violations in all."


def baseline_line(report: Report) -> str:
    if report.new_since_baseline is None:
        return ""
    return (f"{report.violations} violations in all; since the baseline, {report.fixed_since_baseline} fixed "
            f"and {report.new_since_baseline} new.")


def source_line(report: Report, code: Callable[[str], str] = str) -> str:
    """Where the figures come from, when not the work tree."""
    at = report.at_commit
    if at is None:
        return ""
    return (f"These figures are those of commit {code(at.commit)} ({at.date[:10]}, {at.subject!r}), the last of "
            f"the range: {at.reason}.")


def file_link(prefix: str, path: str, line: Optional[int] = None) -> str:
    """`--link-prefix` and a path (relative to the project root), at a line: '…/blob/abc/app/x.py#L12'."""
    return f"{prefix.rstrip('/')}/{path}" + (f"#L{line}" if line is not None else "")


# -- the terminal ---------------------------------------------------------------------------------------


def report_terminal(report: Report) -> str:
    lines = [source_line(report), ""] if report.at_commit is not None else []
    for item in report.symbols:
        lines += [item.symbol, *symbol_terminal(item), ""]
    for symbol, reason in report.missing.items():
        lines += [symbol, f"  no figures: {reason}", ""]
    lines.append(summary_line(report))
    if report.history:
        lines += ["", "history (% migrated):"]
        symbols = all_symbols(report)
        rows = [[p.commit, p.date[:10], violations_value(p)] + [trend_value(p, symbol) for symbol in symbols]
                for p in report.history]
        lines.extend(_table(["commit", "date", "violations", *map(short_name, symbols)], rows))
        lines.extend(f"  {note}" for note in missing_notes(report.history, symbols, code=str))
    return "\n".join(lines) + "\n"


def symbol_terminal(item: SymbolReport) -> List[str]:
    """One symbol's figures in the terminal report, under its name (also the failure text of its pytest item)."""
    lines = _table(["import sites", "count", "share"], site_rows(item))
    lines.extend(f"  {note}" for note in runtime_notes(item))
    lines.extend(_table(["", ""], figure_rows(item), header=False, numbers=False))
    if item.most_to_do:
        lines.append("  most left to do:")
        lines.extend(f"    {f.violations:>3}  {f.path}" for f in item.most_to_do)
    return lines


def _table(columns: List[str], rows: List[List[str]], header: bool = True, numbers: bool = True) -> List[str]:
    """Aligned columns, indented under the symbol; numbers to the right."""
    shown = ([columns] if header else []) + rows
    widths = [max(len(row[i]) for row in shown) for i in range(len(columns))]

    def line(cells: List[str]) -> str:
        return "  " + "  ".join(cell.rjust(width) if numbers and index else cell.ljust(width)
                                for index, (cell, width) in enumerate(zip(cells, widths))).rstrip()

    return [line(row) for row in shown]


# -- Markdown -------------------------------------------------------------------------------------------


def report_markdown(report: Report, link_prefix: Optional[str] = None) -> str:
    """`link_prefix`: where the files are browsed (`--link-prefix`), to link the files left to do at their lines."""
    lines = ["# ssot-lint migration report", ""]
    if report.at_commit is not None:
        lines += [f"> {source_line(report, _code)}", ""]
    if report.new_since_baseline is not None:
        lines += ["## Since the baseline", "", f"- **{report.fixed_since_baseline} fixed**",
                  f"- **{report.new_since_baseline} new**", f"- {report.violations} violations in all", ""]
    else:
        lines += [summary_line(report), ""]
    for item in report.symbols:
        lines += _markdown_symbol(report, item, link_prefix)
    for symbol, reason in report.missing.items():
        lines += [f"## `{symbol}`", "", f"No figures: {reason}.", ""]
    if report.history:
        symbols = all_symbols(report)
        lines += ["## History", "", "| commit | date | violations | " +
                  " | ".join(f"`{short_name(s)}` migrated" for s in symbols) + " |",
                  "| --- | --- | ---: |" + " ---: |" * len(symbols)]
        for point in report.history:
            values = " | ".join(trend_value(point, symbol) for symbol in symbols)
            lines.append(f"| `{point.commit}` | {point.date[:10]} | {violations_value(point)} | {values} |")
        notes = missing_notes(report.history, symbols, code=_code)
        lines += ["", *(f"- {note}" for note in notes)] if notes else []
        lines.append("")
    return "\n".join(lines)


def _markdown_symbol(report: Report, item: SymbolReport, link_prefix: Optional[str]) -> List[str]:
    lines = [f"## `{item.symbol}`", "",
             f"{migration_line(item, lambda text: f'**{text}**')} {plural(item.left, 'import site')} left; "
             f"shims ready to delete: {ready_value(item)}.", ""]
    trend = trend_line(report.history, item.symbol, _code)
    lines += [trend, ""] if trend else []
    lines += ["| import sites | count | share |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {count} | {value} |" for name, count, value in site_rows(item)]
    lines += ["", *(f"> {note}" for note in runtime_notes(item))] if item.decided_at_runtime else []
    lines += ["", "| figure | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in figure_rows(item)]
    if item.most_to_do:
        lines += ["", "Files with the most left to do:", ""]
        lines += [f"- {_markdown_file(f.path, f.violations, f.lines, link_prefix)}" for f in item.most_to_do]
    if item.graph is not None and len(item.graph.nodes) > 1:
        lines += ["", "```mermaid", render_mermaid([item.graph]).rstrip(), "```"]
    points = symbol_points(report.history, item.symbol)
    if points:
        lines += ["", *_mermaid_trends(report.history, item.symbol)]
        lines += ["", *_markdown_over_time(report.history, item.symbol)]
    lines.append("")
    return lines


def _markdown_file(path: str, violations: int, lines: Sequence[int], link_prefix: Optional[str]) -> str:
    """'`app/x.py`: 2', linked with `--link-prefix`: '[`app/x.py`](…): 2, at lines [3](…#L3), [9](…#L9)'."""
    if link_prefix is None:
        return f"`{path}`: {violations}"
    at = ", ".join(f"[{line}]({file_link(link_prefix, path, line)})" for line in lines[:8])
    more = f" and {len(lines) - 8} more" if len(lines) > 8 else ""
    return f"[`{path}`]({file_link(link_prefix, path)}): {violations}, at {'line' if len(lines) == 1 else 'lines'} {at}{more}"


def _code(text: str) -> str:
    return f"`{text}`"


def _sampled(points: List[Tuple[int, object]], at_most: int = MERMAID_POINTS) -> List[Tuple[int, object]]:
    """At most `at_most` of the points, evenly spaced, the first and the last always."""
    if len(points) <= at_most:
        return points
    step = (len(points) - 1) / (at_most - 1)
    return [points[round(i * step)] for i in range(at_most)]


def _mermaid_trends(history, symbol: str) -> List[str]:
    """Mermaid xycharts (GitHub renders them) of the percentage migrated and the violations, commit by commit,
    their axes titled and the commits' dates along the bottom."""
    points = symbol_points(history, symbol)
    shown = _sampled(points)
    labels = point_labels(history)
    axis = ", ".join(f'"{labels[index]}"' for index, _ in shown)
    name = short_name(symbol)
    note = [f"The charts show {len(shown)} of the {len(points)} commits, evenly spaced; the tables below have them "
            "all.", ""] if len(shown) < len(points) else []
    percent = ", ".join(f"{point.symbols[symbol]['migrated_percent']:.1f}" for _, point in shown)
    counts = [symbol_violations(point.symbols[symbol]) for _, point in shown]
    top = max(max(counts), 1)
    return [*note, "```mermaid", _mermaid_style("#2da44e"), "xychart-beta",
            f'  title "{name}: % of import sites migrated"', f'  x-axis "commit date" [{axis}]',
            '  y-axis "% migrated" 0 --> 100', f"  bar [{percent}]", "```", "",
            "```mermaid", _mermaid_style("#cf222e"), "xychart-beta", f'  title "{name}: violations"',
            f'  x-axis "commit date" [{axis}]', f'  y-axis "violations" 0 --> {top}',
            f"  bar [{', '.join(map(str, counts))}]", "```"]


def _mermaid_style(colour: str) -> str:
    """Bars of one colour, each with its value written on it (a line would have no values to read)."""
    return ('%%{init: {"xyChart": {"showDataLabel": true}, "themeVariables": {"xyChart": {"plotColorPalette": '
            f'"{colour}"}}}}}}%%')


def _markdown_over_time(history, symbol: str) -> List[str]:
    """The import sites by module and the violations by rule at each commit, folded away."""
    points = symbol_points(history, symbol)
    modules, codes = over_time_modules(history, symbol), over_time_rules(history, symbol)
    lines = ["<details><summary>Import sites by where they import it from, commit by commit</summary>", "",
             "| commit | date | direct | " + " | ".join(f"through `{m}`" for m in modules) + " |",
             "| --- | --- | ---: |" + " ---: |" * len(modules)]
    for _, point in points:
        figures = point.symbols[symbol]
        through = figures.get("through", {})
        lines.append(f"| `{point.commit[:7]}` | {point.date[:10]} | {figures['direct']} | " +
                     " | ".join(str(through.get(m, 0)) for m in modules) + " |")
    lines += ["", "</details>", ""]
    names = rule_names()
    lines += ["<details><summary>Violations by rule, commit by commit</summary>", "",
              "| commit | date | " + " | ".join(f"{c} {names.get(c, '')}".rstrip() for c in codes) + " |",
              "| --- | --- |" + " ---: |" * len(codes)]
    for _, point in points:
        by_rule = point.symbols[symbol].get("violations_by_rule", {})
        lines.append(f"| `{point.commit[:7]}` | {point.date[:10]} | " +
                     " | ".join(str(by_rule.get(c, 0)) for c in codes) + " |")
    lines += ["", "</details>"]
    return lines
