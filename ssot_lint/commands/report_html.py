"""`report --format html`: the migration report as one self-contained page (a dashboard).

One file with everything inline, nothing fetched: it opens from disk or from a
CI artifact. Per canonical symbol: a headline (% migrated, import sites left,
shims ready to delete, violations), with `--history` charts of the trend, of
the import sites by the module they go through (stacked) and of the violations
by rule (stacked), all with titled axes, dates along the bottom and the values
on hover; the tables of the same figures; the shim graph (`graph_svg`); and the
files with the most left to do, linked to their lines with `--link-prefix`.

The charts are drawn by Chart.js (MIT), vendored in `report_assets/` and
inlined only into pages that have charts; `report_assets/dashboard.js` turns
the specs this module writes into charts, `dashboard.css` is the style.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Dict, List, Optional

from ssot_lint import __version__
from ssot_lint.commands.graph import plural
from ssot_lint.commands.graph_svg import COLOURS, render_svg
from ssot_lint.commands.report import Report, SymbolReport
from ssot_lint.commands.report_text import (
    file_link, missing_notes, over_time_modules, over_time_rules, point_labels,
    rule_names, runtime_notes, share, short_name, source_line, summary_line, symbol_points, symbol_violations,
    trend_value, violations_value,
)
from ssot_lint.rules import all_rules

ASSETS = Path(__file__).with_name("report_assets")
DIRECT_COLOUR = "#2da44e"
PALETTE = ["#cf222e", "#fb8f44", "#bf8700", "#8250df", "#0969da", "#1b7c83", "#bf3989"]
OTHER_COLOUR = "#8c959f"
RULE_PALETTE = ["#cf222e", "#fb8f44", "#d4a72c", "#8250df", "#0969da", "#1b7c83", "#bf3989", "#6e7781",
                "#953800", "#116329", "#4d2d00", "#a475f9"]


def report_html(report: Report, link_prefix: Optional[str] = None) -> str:
    specs: List[dict] = []  # the charts, drawn by dashboard.js
    body = [_header(report)]
    for index, item in enumerate(report.symbols):
        body.append(_symbol_section(report, item, index, link_prefix, specs))
    for symbol, reason in report.missing.items():
        notes = missing_notes(report.history, [symbol], str) if report.history else []
        body.append(f'<section class="panel"><h2><code>{_breakable(symbol)}</code></h2>'
                    f"<p>No figures: {html.escape(reason)}.</p>" + "".join(f"<p>{html.escape(n)}</p>" for n in notes)
                    + "</section>")
    if report.history:
        body.append(_history_table(report))
    body.append(f'<footer>ssot-lint {__version__} · <code>ssot-lint report --format html</code> · one file, '
                "nothing fetched</footer>")
    scripts = ""
    if specs:
        data = json.dumps(specs).replace("<", "\\u003c")  # (no "</script>" can end the block early)
        scripts = (f'<script id="ssot-charts" type="application/json">{data}</script>'
                   f"<script>{_asset('chart.umd.min.js')}</script><script>{_asset('dashboard.js')}</script>")
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>ssot-lint migration report</title><style>{_asset('dashboard.css')}</style></head>"
            f"<body><main>{''.join(body)}</main>{scripts}</body></html>\n")


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _breakable(text: str, after: str = ".") -> str:
    """Escaped, with a line break allowed after each dot (module names are long), or each slash (paths)."""
    return html.escape(text).replace(after, after + "<wbr>")


def _header(report: Report) -> str:
    parts = ['<header><h1>ssot-lint migration report</h1>']
    if report.history:
        first, last = report.history[0], report.history[-1]
        parts.append(f'<p class="muted">{plural(len(report.history), "commit")}, from <code>{first.commit[:7]}</code> '
                     f"({first.date[:10]}) to <code>{last.commit[:7]}</code> ({last.date[:10]}).</p>")
    if report.at_commit is not None:
        parts.append(f'<p class="note">{html.escape(source_line(report))}</p>')
    if report.new_since_baseline is not None:
        parts.append('<div class="cards">' +
                     _card("fixed since the baseline", _coloured(report.fixed_since_baseline, "better"), "") +
                     _card("new since the baseline", _coloured(report.new_since_baseline, "worse"), "") +
                     _card("violations in all", str(report.violations), "") + "</div>")
    else:
        parts.append(f"<p>{html.escape(summary_line(report))}</p>")
    return "".join(parts) + "</header>"


def _coloured(count: Optional[int], how: str) -> str:
    return f'<span class="{how}">{count}</span>' if count else str(count)


def _card(label: str, value: str, sub: str) -> str:
    return (f'<div class="card"><div class="label">{html.escape(label)}</div><div class="value">{value}</div>'
            f'<div class="sub">{sub}</div></div>')


def _change(before: float, now: float, shown: str, since: str, higher_is_better: bool) -> str:
    """'▼ from 88.9% at 2024-05-27', the arrow coloured by whether that is better."""
    when = f'<span class="nowrap">{since}</span>'
    if before == now:
        return f"unchanged since {when}"
    better = (now > before) == higher_is_better
    arrow = "▲" if now > before else "▼"
    return f'<span class="{"better" if better else "worse"}">{arrow}</span> from {shown} at {when}'


def _symbol_section(report: Report, item: SymbolReport, index: int, link_prefix: Optional[str],
                    specs: List[dict]) -> str:
    module, _, name = item.symbol.partition(":")
    colours = _module_colours(report, item)
    parts = [f'<section class="symbol" id="symbol-{index}"><h2><code>{html.escape(name)}</code></h2>'
             f'<p class="where">from <code>{_breakable(module)}</code></p>', _cards(report, item)]
    parts.extend(f'<p class="note">{_inline_code(note)}</p>' for note in runtime_notes(item))
    if symbol_points(report.history, item.symbol):
        parts.append(_charts(report, item, index, colours, specs))
    parts.append('<h3>Where the import sites get it, now</h3>' + _split(item, colours))
    parts.append(f'<div class="tables"><div>{_site_table(item, colours)}</div><div>{_rule_table(item)}</div></div>')
    if item.graph is not None and len(item.graph.nodes) > 1:
        parts.append("<h3>The shim graph</h3>" + _graph_legend(item) +
                     f'<div class="graph">{render_svg(item.graph, item.ready_to_delete)}</div>')
    if item.most_to_do:
        parts.append("<h3>Files with the most left to do</h3>" + _files_table(item, link_prefix))
    if report.history:
        parts.extend(f'<p class="muted">{html.escape(n)}</p>' for n in missing_notes(report.history, [item.symbol], str))
    return "".join(parts) + "</section>"


def _inline_code(text: str) -> str:
    """Escaped, `code` spans as <code>."""
    pieces = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))


def _cards(report: Report, item: SymbolReport) -> str:
    points = [point for _, point in symbol_points(report.history, item.symbol)]
    first = points[0].symbols[item.symbol] if len(points) > 1 else None
    since = f"{points[0].date[:10]}" if len(points) > 1 else ""
    violations = sum(item.violations_by_rule.values())
    migrated_sub = f"{item.direct} of {item.total} import sites direct"
    left_sub = f"through {plural(len(item.through), 'module')}"
    violations_sub = f"by {plural(len(item.violations_by_rule), 'rule')}"
    if report.violations is not None and report.violations != violations:
        violations_sub += f", of {report.violations} in all"
    if first is not None:
        before = float(first["migrated_percent"])
        migrated_sub += "<br>" + _change(before, item.migrated_percent, f"{before:.1f}%", since, True)
        before_left = int(first["import_sites"]) - int(first["direct"])
        left_sub += "<br>" + _change(before_left, item.left, str(before_left), since, False)
        before_violations = symbol_violations(first)
        violations_sub += "<br>" + _change(before_violations, violations, str(before_violations), since, False)
    ready = f"{len(item.ready_to_delete)} of {len(item.shims)}" if item.shims else "0"
    ready_sub = _breakable(", ".join(item.ready_to_delete)) if item.ready_to_delete else \
        ("none yet: every declared shim is still imported" if item.shims else "no shim is declared")
    return ('<div class="cards">' + _card("migrated", f"{item.migrated_percent:.1f}%", migrated_sub) +
            _card("import sites left", str(item.left), left_sub) +
            _card("shims ready to delete", ready, ready_sub) +
            _card("violations", str(violations), violations_sub) + "</div>")


def _module_colours(report: Report, item: SymbolReport) -> Dict[str, str]:
    """A colour per module the symbol is imported through, now or in the history: the same in the split, the
    table and the charts; past the palette, the grey of 'other modules'."""
    modules = list(item.through) + [m for m in over_time_modules(report.history, item.symbol) if m not in item.through]
    return {module: PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR for i, module in enumerate(modules)}


def _split(item: SymbolReport, colours: Dict[str, str]) -> str:
    """The import sites of now as one bar, direct first."""
    if not item.total:
        return '<p class="muted">No import site of it outside its module.</p>'
    parts = [(f"direct (from {item.graph.canonical_module if item.graph else 'its module'})", item.direct,
              DIRECT_COLOUR)]
    parts += [(f"through {module}", count, colours[module]) for module, count in item.through.items()]
    bar = "".join(f'<span style="width:{100.0 * count / item.total:.2f}%;background:{colour}" '
                  f'title="{html.escape(label)}: {count} ({share(count, item.total)})"></span>'
                  for label, count, colour in parts if count)
    return f'<div class="split" role="img" aria-label="import sites by where they get it">{bar}</div>'


def _site_table(item: SymbolReport, colours: Dict[str, str]) -> str:
    kinds = {name: node.kind for name, node in item.graph.nodes.items()} if item.graph is not None else {}
    home = item.graph.canonical_module if item.graph is not None else "its module"
    rows = [(home, "canonical", item.direct, DIRECT_COLOUR, False)]
    rows += [(module, kinds.get(module, "re-export"), count, colours[module], module in item.decided_at_runtime)
             for module, count in item.through.items()]
    body = []
    for module, kind, count, colour, runtime in rows:
        badge = f'<span class="badge kind-{kind}">{"direct" if kind == "canonical" else kind}</span>'
        if runtime:
            badge += '<span class="badge kind-dynamic" title="what it binds is decided at runtime">at runtime</span>'
        percent = 100.0 * count / item.total if item.total else 0.0
        body.append(f'<tr data-module="{html.escape(module)}"><td><span class="mod">{_breakable(module)}</span>{badge}</td>'
                    f'<td class="num">{count}</td>'
                    f'<td><div class="share"><span class="num">{share(count, item.total)}</span><span class="track">'
                    f'<span class="fill" style="display:block;width:{percent:.1f}%;background:{colour}"></span>'
                    "</span></div></td></tr>")
    return ('<table class="sites"><thead><tr><th>imported from</th><th class="num">import sites</th>'
            f'<th class="num">share</th></tr></thead><tbody>{"".join(body)}</tbody></table>')


def _rule_table(item: SymbolReport) -> str:
    if not item.violations_by_rule:
        return '<p class="muted">No violation of it left.</p>'
    summaries = {rule.code: rule.summary for rule in all_rules()}
    names = rule_names()
    rows = "".join(f'<tr title="{html.escape(summaries.get(code, ""))}"><td><code>{code}</code></td>'
                   f"<td>{html.escape(names.get(code, ''))}</td><td class=\"num\">{count}</td></tr>"
                   for code, count in item.violations_by_rule.items())
    total = sum(item.violations_by_rule.values())
    return ('<table class="rules"><thead><tr><th>rule</th><th>name</th><th class="num">violations</th></tr></thead>'
            f'<tbody>{rows}</tbody><tfoot><tr><td></td><td>in all</td><td class="num">{total}</td></tr></tfoot></table>')


def _graph_legend(item: SymbolReport) -> str:
    assert item.graph is not None
    kinds = sorted({node.kind for node in item.graph.nodes.values()}, key=list(COLOURS).index)
    words = {"canonical": "canonical module", "shim": "declared shim", "re-export": "re-exports it (undeclared)",
             "wrapper": "wrapper (stands in for it)", "dynamic": "decides at runtime"}
    return '<div class="legend">' + "".join(
        f'<span><span class="swatch" style="background:{COLOURS[k][0]};border-color:{COLOURS[k][1]}"></span>'
        f"<span>{words[k]}</span></span>" for k in kinds) + \
        "<span>each box counts the import sites that get it there, as the table does</span></div>"


LINES_SHOWN = 12  # a file's lines listed in the table; the rest are counted


def _files_table(item: SymbolReport, link_prefix: Optional[str]) -> str:
    rows = []
    for f in item.most_to_do:
        path, shown = _breakable(f.path, "/"), f.lines[:LINES_SHOWN]
        if link_prefix is not None:
            path = f'<a href="{html.escape(file_link(link_prefix, f.path))}">{path}</a>'
            lines = " ".join(f'<a href="{html.escape(file_link(link_prefix, f.path, line))}">{line}</a>'
                             for line in shown)
        else:
            lines = " ".join(f"<span>{line}</span>" for line in shown)
        if len(f.lines) > len(shown):
            lines += f' <span class="muted nowrap">and {len(f.lines) - len(shown)} more</span>'
        rows.append(f'<tr><td class="mod">{path}</td><td class="num">{f.violations}</td>'
                    f'<td class="lines">{lines}</td></tr>')
    return ('<table class="files"><thead><tr><th>file</th><th class="num">violations</th><th>lines</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _charts(report: Report, item: SymbolReport, index: int, colours: Dict[str, str], specs: List[dict]) -> str:
    """The trend, the import sites by module and the violations by rule, commit by commit."""
    symbol = item.symbol
    points = symbol_points(report.history, symbol)
    labels = point_labels(report.history)
    axis = [labels[i] for i, _ in points]
    titles = [f"{p.date[:10]} {p.date[11:16]} · {p.commit[:7]} · {_shortened(p.subject)}" for _, p in points]
    figures = [p.symbols[symbol] for _, p in points]
    common = {"labels": axis, "titles": titles, "xTitle": "commit date"}
    trend = {**common, "id": f"trend-{index}", "kind": "line", "percent": True, "ends": True,
             "yTitle": "% of import sites migrated", "total": "",
             "datasets": [{"label": "% migrated", "color": DIRECT_COLOUR,
                           "data": [f["migrated_percent"] for f in figures]}]}
    shown = [m for m in over_time_modules(report.history, symbol) if colours.get(m, OTHER_COLOUR) != OTHER_COLOUR]
    sets = [{"label": "direct", "color": DIRECT_COLOUR, "data": [f["direct"] for f in figures]}]
    sets += [{"label": f"through {m}", "color": colours[m], "data": [f.get("through", {}).get(m, 0) for f in figures]}
             for m in shown]
    rest = [sum(c for m, c in f.get("through", {}).items() if m not in shown) for f in figures]
    if any(rest):
        sets.append({"label": "through other modules", "color": OTHER_COLOUR, "data": rest})
    split = {**common, "id": f"split-{index}", "kind": "area", "percent": False, "ends": False,
             "yTitle": "import sites", "total": "import sites", "datasets": sets}
    names = rule_names()
    codes = over_time_rules(report.history, symbol)
    rules = {**common, "id": f"rules-{index}", "kind": "bars", "percent": False, "ends": False,
             "yTitle": "violations", "total": "violations",
             "datasets": [{"label": f"{code} {names.get(code, '')}".rstrip(), "color": RULE_PALETTE[i % len(RULE_PALETTE)],
                           "data": [f.get("violations_by_rule", {}).get(code, 0) for f in figures]}
                          for i, code in enumerate(codes)]}
    specs.extend([trend, split, rules])
    boxes = [("trend", "% of import sites migrated, commit by commit", trend),
             ("split", "Import sites by where they get it (stacked)", split),
             ("rules", "Violations by rule (stacked)", rules)]
    return '<h3>Over the history</h3><div class="charts">' + "".join(
        f'<figure class="chart{" wide" if kind == "trend" else ""}" data-chart="{kind}"><h3>{title}</h3><div class="area">'
        f'<canvas id="{spec["id"]}" role="img" aria-label="{html.escape(title)}"></canvas></div></figure>'
        for kind, title, spec in boxes) + "</div>"


def _shortened(text: str, at_most: int = 72) -> str:
    return text if len(text) <= at_most else text[:at_most - 1] + "…"


def _history_table(report: Report) -> str:
    symbols = [s.symbol for s in report.symbols] + list(report.missing)
    head = "".join(f'<th class="num">{html.escape(short_name(s))} migrated</th>' for s in symbols)
    rows = "".join(
        f"<tr><td><code>{p.commit[:7]}</code></td><td>{p.date[:10]}</td>"
        f"<td>{html.escape(_shortened(p.subject))}</td><td class=\"num\">{violations_value(p)}</td>" +
        "".join(f'<td class="num">{trend_value(p, s)}</td>' for s in symbols) + "</tr>"
        for p in report.history)
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in missing_notes(report.history, symbols, str))
    return (f'<section class="panel"><details><summary>Every commit of the history '
            f'({plural(len(report.history), "commit")})</summary><table class="history"><thead><tr><th>commit</th>'
            f'<th>date</th><th>subject</th><th class="num">violations</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>{notes}</details></section>")
