"""The shim graph of each canonical symbol: which modules hand it on to which, and how many import it there.

`entry_of` decides, for every import statement, which module of the graph it gets
the symbol from; the graph's counts and `report`'s tables both come from it, so
they cannot disagree. `ssot-lint graph` renders the graph as Mermaid (GitHub shows
it in Markdown), Graphviz dot, or JSON.
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
from ssot_lint.analysis.sites import ImportSite
from ssot_lint.rules.dynamic_shim import decided_at_runtime


@dataclass
class ModuleNode:
    name: str
    # "canonical", "shim" (declared), "re-export" (undeclared), "wrapper", "dynamic" (an undeclared module that
    # hands the name out at runtime: its `__getattr__`, writes to `globals()` or `sys.modules`)
    kind: str
    # Modules that read the symbol, or anything at all, here: a shim cannot go while it has one.
    importers: Set[str] = field(default_factory=set)
    # The file (relative to the project root) of each import statement of the symbol that gets it here, as
    # `report` counts them: the canonical module's are the direct ones.
    sites: List[str] = field(default_factory=list)
    runtime_sites: List[str] = field(default_factory=list)  # those of `sites` that get what a module decides at runtime
    decides_at_runtime: bool = False  # what it hands out is decided when it runs: no static edge to the canonical


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
            "modules": [{"module": n.name, "kind": n.kind, "importers": len(n.importers), "import_sites": len(n.sites),
                         "decided_at_runtime": len(n.runtime_sites), "chain": self.chain(n.name)}
                        for n in sorted(self.nodes.values(), key=lambda n: n.name)],
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


def counting_only(graph: ShimGraph, covered: Callable[[str], bool],
                  module_covered: Callable[[str], bool] = lambda module: True) -> ShimGraph:
    """The same graph, counting only the import sites in the files `covered` takes (paths relative to the
    project root), and the importers `module_covered` takes (module names)."""
    nodes = {name: replace(node, importers={m for m in node.importers if module_covered(m)},
                           sites=[path for path in node.sites if covered(path)],
                           runtime_sites=[path for path in node.runtime_sites if covered(path)])
             for name, node in graph.nodes.items()}
    return replace(graph, nodes=nodes)


@dataclass(frozen=True)
class Entry:
    """Where an import statement of a canonical symbol gets it."""

    module: str  # the canonical module (a direct import), or the shim or re-exporting module it imports from
    at_runtime: bool  # what it binds is decided when the code runs (SSOT011): not migrated, whatever it turns out to be


def entry_of(canonical: Canonical, site: ImportSite, shim: Optional[str], star_brings: bool) -> Optional[Entry]:
    """The module an import statement gets the canonical from, as the report and the graph count it; None for
    a site that is no import statement of it (an `m.Name` read, a shim's own import: it goes with the shim).
    `shim`: the declared shim the site reads (`Project.shim_read`); `star_brings`: a star import binds it."""
    if site.attribute is not None or canonical.is_shim(site.info.name):
        return None
    if canonical.is_canonical(site.resolution):
        return Entry(site.through[0] if site.through else canonical.module, False)
    if shim is not None:
        return Entry(shim, site.resolution.kind is TargetKind.DYNAMIC)
    if site.is_star and star_brings:
        return Entry(site.source_module, False)
    # (A name the canonical module itself hands out at runtime is not the canonical: it is not counted.)
    if decided_at_runtime(canonical, site) and site.source_module and not canonical.is_home(site.source_module):
        return Entry(site.source_module, True)
    return None


def import_entries(project: Project, canonical: Canonical) -> List[Tuple[ImportSite, Entry]]:
    """Every import statement of the canonical outside its module, with where it gets it."""
    found = []
    for site in project.sites_in(canonical):
        star = site.is_star and project.star_brings(canonical, site.source_module)
        entry = entry_of(canonical, site, project.shim_read(canonical, site), star)
        if entry is not None:
            found.append((site, entry))
    return found


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
    entries = import_entries(project, canonical)
    for site, entry in entries:
        if entry.at_runtime and site.resolution.module:
            decider = site.resolution.module  # the module that decides: the modules on the way lead to it
            if decider not in nodes:
                nodes[decider] = ModuleNode(decider, "shim" if canonical.is_shim(decider) else "dynamic")
            nodes[decider].decides_at_runtime = True
            add_chain([*(m for m in site.through if m != decider), decider])
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
    for site, entry in entries:
        found = node(entry.module)
        found.sites.append(site.info.file.relpath)
        if entry.at_runtime:
            found.runtime_sites.append(site.info.file.relpath)
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
        graphs = [counting_only(g, inside, lambda module: module in sources and inside(sources[module].relpath))
                  for g in graphs]
    return graphs


def plural(count: int, noun: str) -> str:
    """'1 import site', '2 import sites'."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


def node_count(node: ModuleNode) -> str:
    """What a node counts, as every rendering words it: the import sites of the symbol that get it there (the
    report's tables count the same); a wrapper, the modules importing it (it is not the symbol)."""
    if node.kind == "wrapper":
        return f"imported by {plural(len(node.importers), 'module')}"
    return plural(len(node.sites), "import site")


def runtime_deciders(graph: ShimGraph) -> List[str]:
    """The modules that hand the symbol out at runtime, with no edge to the canonical: each rendering draws
    a dashed one, 'at runtime'."""
    return sorted(name for name, node in graph.nodes.items()
                  if node.decides_at_runtime and not any(a == name for a, _ in graph.edges))


_MERMAID_SHAPES = {"canonical": ("[[", "]]"), "shim": ("[/", "/]"), "re-export": ("(", ")"), "wrapper": ("{{", "}}"),
                   "dynamic": ("[(", ")]")}


def render_mermaid(graphs: Sequence[ShimGraph]) -> str:
    lines = ["flowchart LR"]
    ids: Dict[str, str] = {}
    for graph in graphs:
        lines.append(f"  %% {graph.symbol}")
        for module in sorted(graph.nodes):
            found = graph.nodes[module]
            ident = ids.setdefault(module, f"m{len(ids)}")
            left, right = _MERMAID_SHAPES[found.kind]
            label = f"{module}<br/>{found.kind}, {node_count(found)}"
            lines.append(f'  {ident}{left}"{label}"{right}')
        for here, there in sorted(graph.edges):
            lines.append(f"  {ids[here]} --> {ids[there]}")
        for module in runtime_deciders(graph):
            lines.append(f"  {ids[module]} -.->|at runtime| {ids[graph.canonical_module]}")
    return "\n".join(lines) + "\n"


def render_dot(graphs: Sequence[ShimGraph]) -> str:
    shapes = {"canonical": "doubleoctagon", "shim": "box", "re-export": "ellipse", "wrapper": "hexagon",
              "dynamic": "cylinder"}
    lines = ["digraph ssot {", "  rankdir=LR;"]
    for graph in graphs:
        for module in sorted(graph.nodes):
            found = graph.nodes[module]
            label = f"{module}\\n{found.kind}, {node_count(found)}"
            lines.append(f'  "{module}" [shape={shapes[found.kind]}, label="{label}"];')
        for here, there in sorted(graph.edges):
            lines.append(f'  "{here}" -> "{there}";')
        for module in runtime_deciders(graph):
            lines.append(f'  "{module}" -> "{graph.canonical_module}" [style=dashed, label="at runtime"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_json(graphs: Sequence[ShimGraph]) -> str:
    return json.dumps({"version": 1, "symbols": [g.as_json() for g in graphs]}, indent=2) + "\n"
