"""The project graph: every module with its facts, and a networkx `DiGraph` of them.

Nodes are module names; an edge goes from a module to each module it imports at import time (module
level, not under `TYPE_CHECKING`), with the import statements: the edges import cycles are found on
(SSOT010). They are added for the modules of the import closures SSOT010 asks
about (`load_import_closure`), the only ones a cycle through a canonical module can pass: on a large
project, building them for every loaded module cost more than the rule. Nothing else is stored, since
nothing else is read: what a binding is bound to is asked of the facts, by `resolve.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from ssot_lint.files.discovery import SourceFile
from ssot_lint.facts.model import STRUCTURE_KINDS, Binding, BindingKind, CallFact, FileFacts, NamespaceWrite


@dataclass(frozen=True)
class ImportStructure:
    """What the graph and the resolver read of a module besides the names they look up in it: its
    imports and aliases of every scope (for the import edges, `try` blocks and re-exports) and
    `__all__` (for star imports)."""

    bindings: Tuple[Binding, ...]
    all_names: Optional[Tuple[str, ...]]
    all_is_dynamic: bool
    namespace_writes: Tuple[NamespaceWrite, ...] = ()  # to globals() and sys.modules: what may bind names unseen

    @staticmethod
    def of(facts: FileFacts) -> "ImportStructure":
        return ImportStructure(tuple(b for b in facts.bindings if b.kind in STRUCTURE_KINDS),
                               facts.all_names, facts.all_is_dynamic, facts.namespace_writes)

    def writes(self, namespace: str) -> Tuple[NamespaceWrite, ...]:
        return tuple(w for w in self.namespace_writes if w.namespace == namespace)


def module_namespace(facts: FileFacts) -> Dict[str, List[Binding]]:
    """Module-level bindings by local name, in source order; star imports under "*"."""
    return _by_name(b for b in facts.bindings if not b.context.scope)


def _by_name(bindings: Iterable[Binding]) -> Dict[str, List[Binding]]:
    grouped: Dict[str, List[Binding]] = {}
    for binding in bindings:
        grouped.setdefault(binding.name, []).append(binding)
    return grouped


@dataclass
class ReadLog:
    """What the analysis read of one module's facts: all of them, or only some module-level names (and
    its import structure, which is always read)."""

    whole: bool = False
    names: Set[str] = field(default_factory=set)


class ModuleInfo:
    """A loaded module: its facts, indexed, and a log of what the analysis read of them (`read`).

    The log lets `check` keep its last answer, and `report --history` a commit's figures, when a
    file changed only where nothing read it (reuse.py). It is kept by the accessors themselves, so that
    no reader can forget it: `facts`, `rule_facts`, `namespace`, `scopes`, `lookup_scopes` and
    `module_level_calls` log a read of everything; `bindings_of(name)` logs one name; `structure` is
    always read (the graph is built from it).

    A module that resolution only passes through is loaded as its module-level view (facts/extract.py),
    which is all that `bindings_of` and `structure` read; reading everything loads the full facts
    (`load_in_full`) first. So is a checked module whose text names tracked things only where the view
    has them (`view_enough`, prefilter.Tokens.view_suffices): the rules look for findings in `rule_facts`,
    its view, and only what a fix must know about it (`facts`, `scopes`) loads the rest."""

    def __init__(self, file: SourceFile, facts: FileFacts,
                 load_in_full: Optional[Callable[[], FileFacts]] = None):
        self.file = file
        self._load_in_full = load_in_full
        self._index(facts)
        self.structure = ImportStructure.of(facts)  # the same in the view as in the full facts
        self.read = ReadLog()
        self.view_enough = False
        self._view: Optional[FileFacts] = None  # the view, once replaced by the full facts (see `complete`)

    def _index(self, facts: FileFacts) -> None:
        self._facts = facts
        self._scopes: Dict[str, List[Binding]] = {}  # bindings of each scope (a qualname; "" for module level)
        qualnames: Dict[int, str] = {}  # by id of the context: a file's bindings share a few dozen contexts
        for binding in facts.bindings:
            context = binding.context
            qualname = qualnames.get(id(context))
            if qualname is None:
                qualname = qualnames[id(context)] = context.qualname
            self._scopes.setdefault(qualname, []).append(binding)
        self._namespace = _by_name(self._scopes.get("", ()))  # module_namespace(facts), from its scope

    def complete(self, facts: Optional[FileFacts] = None) -> None:
        """Have the full facts (these, or loaded), if only the module-level view is there."""
        if self._facts.module_view_only:
            if facts is None:
                assert self._load_in_full is not None, "a module-level view needs a loader of the full facts"
                facts = self._load_in_full()
            self._view = self._facts  # kept alive: answers about its objects are keyed by their ids
            self._index(facts)

    @property
    def name(self) -> str:
        return self.file.module

    @property
    def facts(self) -> FileFacts:
        self.read.whole = True
        self.complete()
        return self._facts

    @property
    def rule_facts(self) -> FileFacts:
        """What the rules look through for findings: the facts, or the view where it is enough."""
        if self.view_enough:
            self.read.whole = True
            return self._facts
        return self.facts

    @property
    def lookup_scopes(self) -> Dict[str, List[Binding]]:
        """The bindings of each scope that name lookup sees: `scopes`, or the view's where it is enough (no
        expression outside the imports of such a module names anything tracked, so no lookup there reaches
        anything tracked, with or without the function locals the view leaves out)."""
        if self.view_enough:
            self.read.whole = True
            return self._scopes
        return self.scopes

    @property
    def namespace(self) -> Dict[str, List[Binding]]:
        self.read.whole = True
        return self._namespace  # the same in the view as in the full facts

    @property
    def scopes(self) -> Dict[str, List[Binding]]:
        self.read.whole = True
        self.complete()
        return self._scopes

    @property
    def module_level_calls(self) -> Tuple[CallFact, ...]:
        """The calls that run when the module is imported (the view has them as the full facts do)."""
        self.read.whole = True
        return tuple(call for call in self._facts.calls if not call.context.scope)

    def bindings_of(self, name: str) -> List[Binding]:
        """The module-level bindings of one name (star imports: "*"), in source order."""
        self.read.names.add(name)
        return self._namespace.get(name, [])


def absolute_module(importer: str, is_package: bool, level: int, module: Optional[str]) -> Optional[str]:
    """The absolute module of `from <dots><module> import ...`, as Python computes it.

    None when the dots climb above the top-level package.
    """
    if level == 0:
        return module or None
    package = importer if is_package else importer.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level > len(parts):  # importlib: "attempted relative import beyond top-level package"
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def ancestors(module: str) -> List[str]:
    """`a.b.c` -> [`a`, `a.b`]: the packages imported before a module."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


class ProjectGraph:
    """All modules of the project and the networkx graph between them.

    Every file is known by name (`sources`), but facts are loaded lazily: the
    modules to check are given up front (`add_checked`), and any other module is
    read the first time resolution needs it (`get`), through `load`.
    """

    def __init__(self, sources: Iterable[SourceFile],
                 load_many: Callable[[Sequence[SourceFile], bool], List[FileFacts]],
                 seed: Optional[Mapping[str, "ModuleInfo"]] = None):
        """`seed`: modules an earlier graph of the same files loaded, by path, whose contents have not changed
        since (a resident analysis): taken as they are instead of being loaded again, with what was read of
        them (a superset of what this analysis reads: what it depended on is then over-, never under-stated)."""
        self._seed = dict(seed or {})
        self.sources: Dict[str, SourceFile] = {}
        self.file_count = 0
        for source in sources:
            self.file_count += 1
            # Two files claiming one module name (a duplicated tree): the first path wins, as on sys.path.
            self.sources.setdefault(source.module, source)
        self._load_many = load_many  # (files, module_view) -> their facts (or views: see ModuleInfo)
        self.modules: Dict[str, ModuleInfo] = {}  # loaded modules, by name
        self.checked: Dict[str, ModuleInfo] = {}  # the modules rules report on, by path
        self.unparsed: Dict[str, Tuple[SourceFile, FileFacts]] = {}  # loaded files that do not parse, by path
        self.checked_unparsed: Set[str] = set()
        self._loaded_paths: Set[str] = set()
        self._with_edges: Set[str] = set()  # the modules whose import edges are in `graph`
        self.packages: Set[str] = {p for name in self.sources for p in ancestors(name)}
        self.top_level: Set[str] = {name.split(".", 1)[0] for name in self.sources}
        import networkx as nx  # imported here: 0.17 s that a run answered from the cache does not spend

        self.graph = nx.DiGraph()

    # -- loading -----------------------------------------------------------------

    def add_checked(self, source: SourceFile, facts: FileFacts) -> None:
        """A module the rules report on: with its full facts, or with its view where that is enough for them
        (see ModuleInfo)."""
        self._add(source, facts)
        if facts.parse_error is not None:
            self.checked_unparsed.add(source.relpath)
            return
        seeded = self._seed.get(source.relpath)
        if seeded is not None and seeded.file == source and self.modules.get(source.module) is not seeded:
            # A second file for its module name (never imported), checked before with the same content.
            info = self.checked[source.relpath] = seeded
            self._adopt(info)
            if not facts.module_view_only:
                info.complete(facts)
            info.view_enough = facts.module_view_only and info._facts.module_view_only
            return
        if self.modules.get(source.module) is not None and self.modules[source.module].file == source:
            info = self.checked[source.relpath] = self.modules[source.module]
            if not facts.module_view_only:
                info.complete(facts)  # loaded before as a module-level view, perhaps
        else:
            load_many = self._load_many
            info = self.checked[source.relpath] = ModuleInfo(source, facts, lambda: load_many([source], False)[0])
        info.view_enough = facts.module_view_only and info._facts.module_view_only

    def get(self, module: str) -> Optional[ModuleInfo]:
        """The module's facts, loading them if they were not yet."""
        info = self.modules.get(module)
        if info is None:
            source = self.sources.get(module)
            if source is not None and source.relpath not in self._loaded_paths:
                if not self._add_seeded(source):
                    self._add(source, self._load_many([source], True)[0])
                info = self.modules.get(module)
        return info

    def preload(self, modules: Iterable[str]) -> None:
        """Load several modules at once (in parallel, when there are many)."""
        sources = [self.sources[m] for m in modules
                   if m in self.sources and self.sources[m].relpath not in self._loaded_paths]
        sources = [s for s in sources if not self._add_seeded(s)]
        for source, facts in zip(sources, self._load_many(sources, True)):
            self._add(source, facts)

    def load_import_closure(self, start: str) -> None:
        """Load every module that `start` imports at import time, transitively (the only modules an
        import cycle through `start` can pass), and put their import edges in `graph`."""
        seen, frontier = {start}, [start]
        while frontier:
            self.preload(frontier)
            following = []
            for module in frontier:
                info = self.get(module)
                if info is not None:
                    self._add_edges(info)
                for target in sorted(self.runtime_imports(info)) if info is not None else ():
                    if target not in seen:
                        seen.add(target)
                        following.append(target)
            frontier = following

    def _add_seeded(self, source: SourceFile) -> bool:
        """Take the seed's module for this file, if it has one (see __init__)."""
        info = self._seed.get(source.relpath)
        if info is None or info.file != source or self.sources.get(source.module) != source:
            return False
        self._loaded_paths.add(source.relpath)
        self._adopt(info)
        info.view_enough = False  # (until `add_checked` says otherwise: it is per analysis)
        self.modules[source.module] = info
        return True

    def _adopt(self, info: "ModuleInfo") -> None:
        """A seeded module loads its full facts through this graph's reader, not the old one's."""
        load_many, source = self._load_many, info.file
        info._load_in_full = lambda: load_many([source], False)[0]

    def _add(self, source: SourceFile, facts: FileFacts) -> None:
        if source.relpath in self._loaded_paths:
            return
        if facts.parse_error is None and self._add_seeded(source):
            return
        self._loaded_paths.add(source.relpath)
        if facts.parse_error is not None:
            self.unparsed[source.relpath] = (source, facts)
            return
        if self.sources.get(source.module) != source:
            return  # a second file for a module name: checked (see add_checked), never imported
        load_many = self._load_many  # (not `self`: the module's loader must not hold the graph, a cycle)
        info = ModuleInfo(source, facts, lambda: load_many([source], False)[0])
        self.modules[source.module] = info

    # -- queries -----------------------------------------------------------------

    def module_exists(self, name: str) -> bool:
        """A module or (namespace) package of the project."""
        return name in self.sources or name in self.packages

    def is_project_path(self, name: str) -> bool:
        """Does `name` belong to the project's packages (so that a miss means it is broken)?"""
        return name.split(".", 1)[0] in self.top_level

    def absolute(self, info: ModuleInfo, binding: Binding) -> Optional[str]:
        if binding.kind is BindingKind.IMPORT_MODULE:
            return binding.module
        if not binding.level:  # (most imports: asked hundreds of thousands of times on a large project)
            return binding.module or None
        return absolute_module(info.name, info.file.is_package, binding.level, binding.module)

    def imported_modules(self, info: ModuleInfo, binding: Binding, parents: bool = True) -> List[str]:
        """The project modules an import statement loads (with their parent packages, first)."""
        target = self.absolute(info, binding)
        if target is None:
            return []
        loaded = (ancestors(target) if parents else []) + [target]
        if binding.kind is BindingKind.IMPORT_FROM and binding.imported_name:
            loaded.append(f"{target}.{binding.imported_name}")  # `from pkg import submodule`
        return [m for m in loaded if m in self.sources]

    def runtime_imports(self, info: ModuleInfo) -> Set[str]:
        """The project modules this one imports while it is being imported (not its own parents)."""
        own_parents = set(ancestors(info.name))
        found = set()
        for binding in info.structure.bindings:
            if binding.is_import and binding.context.at_module_level and not binding.context.type_checking:
                found.update(m for m in self.imported_modules(info, binding)
                             if m != info.name and m not in own_parents)
        return found

    # -- building ----------------------------------------------------------------

    def _add_edges(self, info: ModuleInfo) -> None:
        graph = self.graph
        name = info.name
        if name in self._with_edges:
            return
        self._with_edges.add(name)
        graph.add_node(name)
        own_parents = set(ancestors(name))
        for binding in info.structure.bindings:
            if not binding.is_import or not binding.context.at_module_level or binding.context.type_checking:
                continue
            for target in self.imported_modules(info, binding):
                # A module's own parent packages are always initialised before it: not a cycle.
                if target != name and target not in own_parents:
                    edge = graph.get_edge_data(name, target)
                    if edge is None:
                        graph.add_edge(name, target, bindings=[binding])
                    else:
                        edge["bindings"].append(binding)

    def import_edges(self, module: str) -> List[Tuple[str, Binding]]:
        """The modules `module` imports at import time (`load_import_closure` first), each with the first
        import statement that does, in source order."""
        # (`adj`, not `out_edges`: networkx caches an edge view that refers back to its graph, a reference
        # cycle that only the cyclic collector, paused during a run, could free)
        edges = [(target, data["bindings"][0]) for target, data in self.graph.adj[module].items()] \
            if module in self.graph else []
        return sorted(edges, key=lambda edge: edge[1].order)

    def import_cycle_through(self, module: str, first_step: str) -> Optional[List[str]]:
        """The shortest import-time cycle `module -> first_step -> ... -> module`, if any."""
        import networkx as nx

        try:
            path = nx.shortest_path(self.graph, first_step, module)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return None
        return [module, *path]
