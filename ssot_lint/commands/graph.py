"""The shim graph of each canonical symbol: which modules hand it on to which, and how many import it there.

`ssot-lint graph` renders it as Mermaid (GitHub shows it in Markdown), Graphviz
dot, or JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from ssot_lint.config import Config, ConfigError
from ssot_lint.engine.build import build_project
from ssot_lint.engine.run import under
from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind


@dataclass
class ModuleNode:
    name: str
    kind: str  # "canonical", "shim" (declared), "re-export" (undeclared), "wrapper"
    importers: Set[str] = field(default_factory=set)  # modules that get the symbol here


@dataclass
class ShimGraph:
    symbol: str
    canonical_module: str
    nodes: Dict[str, ModuleNode]
    edges: Set[Tuple[str, str]]  # (module, the module it gets the symbol from)

    def as_json(self) -> dict:
        return {
            "symbol": self.symbol,
            "canonical_module": self.canonical_module,
            "modules": [{"module": n.name, "kind": n.kind, "importers": len(n.importers),
                         "chain": self.chain(n.name)} for n in sorted(self.nodes.values(), key=lambda n: n.name)],
            "edges": [{"from": a, "to": b} for a, b in sorted(self.edges)],
        }

    def chain(self, module: str) -> List[str]:
        """The modules from `module` to the canonical one, following the edges."""
        path, seen = [module], {module}
        following = {a: b for a, b in sorted(self.edges)}
        while path[-1] in following and following[path[-1]] not in seen:
            path.append(following[path[-1]])
            seen.add(path[-1])
        return path


def importers_in(graph: ShimGraph, covered: Callable[[str], bool]) -> ShimGraph:
    """The same graph, counting only the importers that `covered` takes (module names)."""
    nodes = {name: replace(node, importers={m for m in node.importers if covered(m)})
             for name, node in graph.nodes.items()}
    return replace(graph, nodes=nodes)


def build_shim_graph(project: Project, canonical: Canonical) -> ShimGraph:
    home = canonical.module
    nodes: Dict[str, ModuleNode] = {home: ModuleNode(home, "canonical")}
    edges: Set[Tuple[str, str]] = set()

    def node(module: str) -> ModuleNode:
        if module not in nodes:
            kind = "shim" if canonical.is_shim(module) else "re-export"
            nodes[module] = ModuleNode(module, kind)
        return nodes[module]

    def add_chain(modules: Sequence[str]) -> None:
        for here, there in zip(modules, modules[1:]):
            node(here)
            if here != there:
                edges.add((here, there))

    for module in [*canonical.shims, *project.undeclared_shims(canonical)]:
        if project.graph.get(module) is None:
            continue  # a declared shim that is gone already
        node(module)
        resolution = project.resolver.resolve_import(module, canonical.name)
        if canonical.is_canonical(resolution):
            add_chain([module, *(m for m in resolution.through_modules if m != module), home])
    for site in project.sites_in(canonical):
        if canonical.is_canonical(site.resolution):
            add_chain([*site.through, home])
    for wrapper in project.wrappers(canonical).values():
        if not canonical.allows(wrapper.info.file.relpath):  # a sanctioned double is no legacy path
            nodes.setdefault(wrapper.info.name, ModuleNode(wrapper.info.name, "wrapper"))
            edges.add((wrapper.info.name, home))
    # Importers: the modules that read the symbol, or anything at all, from each module of the graph.
    for site in project.sites_in(canonical):
        resolution = site.resolution
        if canonical.is_canonical(resolution):
            entry = site.through[0] if site.through else home
        elif resolution.kind is TargetKind.MODULE and resolution.module in nodes:
            entry = resolution.module  # `import shim`
        else:
            entry = site.source_module
        if entry in nodes and entry != site.info.name:
            nodes[entry].importers.add(site.info.name)
    return ShimGraph(canonical.symbol, home, nodes, edges)


def shim_graphs(config: Config, symbol: Optional[str], paths: Sequence[Path],
                use_cache: bool = True) -> List[ShimGraph]:
    """The graph of each canonical symbol, or of `symbol` alone, counting only the importers in `paths`
    (all of them when there are none); the whole project is analysed either way."""
    project = build_project(config, use_cache=use_cache)
    chosen = [c for c in project.canonicals if symbol in (None, c.symbol)]
    if not chosen:
        known = ", ".join(c.symbol for c in project.canonicals)
        raise ConfigError(f"--symbol: {symbol!r} is not a canonical symbol of {config.path} (known: {known})")
    graphs = [build_shim_graph(project, canonical) for canonical in chosen]
    if paths:
        inside, sources = under(config, paths), project.graph.sources
        graphs = [importers_in(g, lambda module: module in sources and inside(sources[module].relpath))
                  for g in graphs]
    return graphs


def importers(count: int) -> str:
    """'1 importer', '2 importers': how every rendering counts a module's importers."""
    return f"{count} importer{'s' if count != 1 else ''}"


_MERMAID_SHAPES = {"canonical": ("[[", "]]"), "shim": ("[/", "/]"), "re-export": ("(", ")"), "wrapper": ("{{", "}}")}


def render_mermaid(graphs: Sequence[ShimGraph]) -> str:
    lines = ["flowchart LR"]
    ids: Dict[str, str] = {}
    for graph in graphs:
        lines.append(f"  %% {graph.symbol}")
        for module in sorted(graph.nodes):
            found = graph.nodes[module]
            ident = ids.setdefault(module, f"m{len(ids)}")
            left, right = _MERMAID_SHAPES[found.kind]
            label = f"{module}<br/>{found.kind}, {importers(len(found.importers))}"
            lines.append(f'  {ident}{left}"{label}"{right}')
        for here, there in sorted(graph.edges):
            lines.append(f"  {ids[here]} --> {ids[there]}")
    return "\n".join(lines) + "\n"


def render_dot(graphs: Sequence[ShimGraph]) -> str:
    shapes = {"canonical": "doubleoctagon", "shim": "box", "re-export": "ellipse", "wrapper": "hexagon"}
    lines = ["digraph ssot {", "  rankdir=LR;"]
    for graph in graphs:
        for module in sorted(graph.nodes):
            found = graph.nodes[module]
            label = f"{module}\\n{found.kind}, {importers(len(found.importers))}"
            lines.append(f'  "{module}" [shape={shapes[found.kind]}, label="{label}"];')
        for here, there in sorted(graph.edges):
            lines.append(f'  "{here}" -> "{there}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_json(graphs: Sequence[ShimGraph]) -> str:
    return json.dumps({"version": 1, "symbols": [g.as_json() for g in graphs]}, indent=2) + "\n"
