"""The shim graph drawn as SVG, for the HTML report: modules in columns by their distance to the canonical one.

Each box is as wide as its longest line, measured in characters of a monospace
font (so the width is known without a browser), and boxes never share a row of
a column, so labels neither overflow nor overlap; the page's browser test checks
both. Counts are `graph.node_count`'s: the tables' beside it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Dict, List, Tuple

from ssot_lint.commands.graph import ModuleNode, ShimGraph, node_count, runtime_deciders

FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
ADVANCE = 0.62  # a monospace character's width, in ems (0.60 in DejaVu Sans Mono and Menlo), with a little room
PREFIX_SIZE, NAME_SIZE, COUNT_SIZE = 11, 13, 11
PAD, LINE_GAP, BOX_GAP, COLUMN_GAP = 10, 17, 14, 70
MAX_PREFIX = 36  # characters of a module's package shown above its name (the whole name is in the tooltip)
MIN_SCALE = 0.85  # the smallest the graph is drawn, to fit the page: a prefix still 9.4 px high

COLOURS = {  # fill, stroke
    "canonical": ("#dafbe1", "#1a7f37"), "shim": ("#ffebe9", "#c62828"), "re-export": ("#fff8c5", "#9a6700"),
    "wrapper": ("#e8eaf6", "#3949ab"), "dynamic": ("#f3e5f5", "#6a1b9a"),
}


@dataclass(frozen=True)
class Box:
    module: str
    lines: Tuple[Tuple[str, int, str], ...]  # (text, font size, css class)
    x: float
    y: float
    width: float
    height: float


def label_lines(graph: ShimGraph, node: ModuleNode, ready: bool) -> Tuple[Tuple[str, int, str], ...]:
    """The package (shortened from the left when long), the module's own name, and what it counts."""
    package, _, name = node.name.rpartition(".")
    prefix = f"{package}." if package else ""
    if len(prefix) > MAX_PREFIX:
        prefix = "…" + prefix[len(prefix) - MAX_PREFIX + 1:]
    count = node_count(node)
    if node.kind == "canonical":
        count += ", direct"
    elif node.decides_at_runtime or node.runtime_sites:
        count += ", at runtime"
    status = f"{node.kind} · {count}" + (" · ready to delete" if ready else "")
    lines = [(prefix, PREFIX_SIZE, "prefix")] if prefix else []
    return tuple(lines + [(name, NAME_SIZE, "name"), (status, COUNT_SIZE, "count")])


def text_width(text: str, size: int) -> float:
    return len(text) * size * ADVANCE


def layout(graph: ShimGraph, ready: List[str]) -> Dict[str, Box]:
    """Columns by the length of each module's chain to the canonical module (the canonical on the right); a
    module whose chain does not reach it (one that decides at runtime) sits in the first column before it."""
    home = graph.canonical_module
    depth = {}
    for name in graph.nodes:
        chain = graph.chain(name)
        depth[name] = len(chain) - 1 if chain[-1] == home else 1
    depth[home] = 0
    lines = {name: label_lines(graph, node, name in ready) for name, node in graph.nodes.items()}
    size = {name: (max(text_width(text, px) for text, px, _ in found) + 2 * PAD, len(found) * LINE_GAP + PAD)
            for name, found in lines.items()}
    columns: Dict[int, List[str]] = {}
    row: Dict[str, int] = {}
    following = dict(sorted(graph.edges))
    for column in range(max(depth.values()) + 1):  # each column in the order of what its modules lead to
        names = [n for n in graph.nodes if depth[n] == column]
        names.sort(key=lambda n: (row.get(following.get(n, home), 0), -len(graph.nodes[n].sites), n))
        columns[column] = names
        row.update((n, index) for index, n in enumerate(names))
    heights = {c: sum(size[n][1] for n in names) + BOX_GAP * (len(names) - 1) for c, names in columns.items()}
    widths = {c: max(size[n][0] for n in names) for c, names in columns.items()}
    tallest = max(heights.values())
    boxes: Dict[str, Box] = {}
    x = PAD
    for column in sorted(columns, reverse=True):
        y = PAD + (tallest - heights[column]) / 2
        for name in columns[column]:
            width, height = size[name]
            boxes[name] = Box(name, lines[name], x + widths[column] - width, y, width, height)  # toward the arrows
            y += height + BOX_GAP
        x += widths[column] + COLUMN_GAP
    return boxes


def render_svg(graph: ShimGraph, ready: List[str]) -> str:
    """`ready`: the shims ready to delete, said in their boxes."""
    boxes = layout(graph, ready)
    width = max(b.x + b.width for b in boxes.values()) + PAD
    height = max(b.y + b.height for b in boxes.values()) + PAD
    # It shrinks to the page's width, but not below MIN_SCALE (the labels would be too small to read): a
    # deeper graph scrolls sideways in its box instead.
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="shim-graph" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" style="min-width:{width * MIN_SCALE:.0f}px" '
             f'font-family="{FONT}" role="img" '
             f'aria-label="shim graph of {html.escape(graph.symbol)}">',
             '<defs><marker id="arrow" viewBox="0 0 8 8" markerWidth="8" markerHeight="8" refX="8" refY="4" '
             'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#57606a"/></marker></defs>']
    arrows = [(a, b, False) for a, b in sorted(graph.edges)]
    arrows += [(module, graph.canonical_module, True) for module in runtime_deciders(graph)]
    # The arrows into a box arrive spread along its side, in the order of the boxes they come from.
    arriving: Dict[str, List[str]] = {}
    for here, there, _ in sorted(arrows, key=lambda arrow: boxes[arrow[0]].y):
        arriving.setdefault(there, []).append(here)
    for here, there, dashed in arrows:
        a, b = boxes[here], boxes[there]
        spread = (arriving[there].index(here) + 1) / (len(arriving[there]) + 1)
        x1, y1, x2, y2 = a.x + a.width, a.y + a.height / 2, b.x, b.y + 6 + (b.height - 12) * spread
        if x2 < x1:  # (not drawn right to left through the boxes: from the top of one to the top of the other)
            x1, y1, x2, y2 = a.x + a.width / 2, a.y, b.x + b.width / 2, b.y
        middle = (x1 + x2) / 2
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        title = "<title>decided at runtime</title>" if dashed else ""
        parts.append(f'<path d="M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
                     f'fill="none" stroke="#57606a" stroke-width="1.3"{dash} marker-end="url(#arrow)">{title}</path>')
    for name, box in boxes.items():
        node = graph.nodes[name]
        fill, stroke = COLOURS[node.kind]
        dash = ' stroke-dasharray="4 3"' if node.decides_at_runtime else ""
        parts.append(f'<g class="node" data-module="{html.escape(name)}"><title>{html.escape(name)}: {node.kind}, '
                     f'{html.escape(node_count(node))}</title>'
                     f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
                     f'rx="5" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>')
        y = box.y + PAD / 2
        for text, px, css in box.lines:
            y += LINE_GAP
            weight = ' font-weight="600"' if css == "name" else ""
            colour = "#1f2328" if css == "name" else "#57606a"
            parts.append(f'<text class="{css}" x="{box.x + PAD:.1f}" y="{y - 5:.1f}" font-size="{px}"{weight} '
                         f'fill="{colour}">{html.escape(text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
