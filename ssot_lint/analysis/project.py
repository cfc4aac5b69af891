"""The analysed project: what every rule reads, and the only thing it reads.

A rule asks its questions of a `Project`: the canonical symbols located in it, the import sites and
wrappers of each, which modules re-export it, what a call, expression or string resolves to, the
import cycles through a module, whether a fix is safe. Each question is answered here once, without
side effects on the answers of the others (answers are remembered, and the graph only loads modules
it had not read yet), so that rules stay small and agree with each other. The graph and the resolver
behind it are for the engine and the commands.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Hashable, Iterator, List, Optional, Set, Tuple, TypeVar

from ssot_lint.analysis.canonical import Canonical, locate_canonicals
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph
from ssot_lint.analysis.resolve import Definition, Resolution, Resolver, TargetKind, assumption, star_may_bind
from ssot_lint.analysis.sites import ImportSite, Wrapper, module_import_sites, module_wrappers
from ssot_lint.config import Config
from ssot_lint.facts.model import AttributeRef, Binding, BindingKind, CallFact, Context, ParseError, Span
from ssot_lint.files.discovery import SourceFile
from ssot_lint.files.tokens import Tokens

if TYPE_CHECKING:
    from ssot_lint.files.reader import SourceReader

T = TypeVar("T")


class Project:
    """The project as the rules see it. `tokens`: the prefilter's token set (None without the prefilter):
    a dotted path that names none of them cannot lead to anything tracked (`may_matter`)."""

    def __init__(self, config: Config, graph: ProjectGraph, *, resolver: Optional[Resolver] = None,
                 tokens: Optional[Tokens] = None, mentions_configured_name: Optional[Callable[[str], bool]] = None,
                 reader: Optional["SourceReader"] = None, missing: str = "error"):
        """`missing="error"`: a canonical symbol, product or shim the project lacks is a ConfigError that
        names every one; `missing="skip"`: it is left out, with the reason in `missing` (see
        `locate_canonicals`). `resolver` may be shared with another project on the same graph: resolution
        does not depend on the configuration."""
        assert missing in ("error", "skip")
        self.config = config
        self.graph = graph
        self.resolver = resolver or Resolver(graph)
        self.tokens = tokens
        # Does a file's text name something the configuration tracks? (SSOT000 reports only such files.)
        self.mentions_configured_name = mentions_configured_name or (lambda relpath: True)
        self.reader = reader  # the SourceReader that loaded it: its cache, and what it read and parsed
        self.canonicals, self.missing = locate_canonicals(config, graph, self.resolver, strict=missing == "error")
        self._undeclared: Dict[str, Dict[str, Tuple[Binding, Tuple[str, ...]]]] = {}
        self._sites_outside: Dict[str, List[ImportSite]] = {}

    @property
    def checked_modules(self) -> List[ModuleInfo]:
        return list(self.graph.checked.values())

    def per_module(self, kind: str, info: ModuleInfo, key: Hashable, compute: Callable[[], T]) -> T:
        """A question about one module, answered once per project, and kept by a resident analysis until a
        module it read changes (analysis/depends.py). `key`: what else the answer depends on (the token set,
        the canonicals), besides the module's facts and what resolution reads."""
        return self.resolver.answers.per_module(kind, info.name, (info.file.relpath, key), compute)

    @cached_property
    def canonicals_key(self) -> Tuple[Hashable, ...]:
        """What the located canonicals are, for `per_module` answers that depend on them."""
        return tuple((c.symbol, c.definition, c.products) for c in self.canonicals)

    def modules_outside(self, canonical: Canonical) -> Iterator[ModuleInfo]:
        """Every checked module but the canonical's own, which is the source of truth."""
        for info in self.checked_modules:
            if not canonical.is_home(info.name):
                yield info

    def module(self, name: str) -> Optional[ModuleInfo]:
        """A module of the project by name (loaded if it was not yet), None if there is none."""
        return self.graph.get(name)

    def is_package(self, module: str) -> bool:
        info = self.graph.get(module)
        return info is not None and info.file.is_package

    def unparsed_checked(self) -> List[Tuple[SourceFile, ParseError]]:
        """The files to check that could not be read or parsed, by path."""
        graph = self.graph
        return [(graph.unparsed[relpath][0], graph.unparsed[relpath][1].parse_error)
                for relpath in sorted(graph.checked_unparsed)]

    # -- what may matter ----------------------------------------------------------------------------------

    def may_matter(self, dotted: str) -> bool:
        """Could a name read by this dotted path (`module.Name`) be something tracked? Always, without a
        prefilter; with one, only if the path mentions one of its final tokens (see `Tokens.mentioned_in`):
        an import that names nothing tracked cannot reach the canonical, a shim or a wrapper."""
        return self.tokens is None or self.tokens.mentioned_in(dotted)

    def follows_import(self, info: ModuleInfo, binding: Binding, source: Optional[str] = None) -> bool:
        """Do the rules follow this import of a checked module into the module it names (`import_sites`)? A
        star import, always; a from-import, when its path may matter; `import m`, never (they only ask
        whether m exists). `source`: the absolute module, if known."""
        if binding.kind is BindingKind.STAR:
            return True
        if binding.kind is not BindingKind.IMPORT_FROM:
            return False
        source = source or self.graph.absolute(info, binding)
        return self.may_matter(f"{source or binding.module or ''}.{binding.imported_name}.{binding.name}")

    # -- resolution ---------------------------------------------------------------------------------------

    def resolve_binding(self, info: ModuleInfo, binding: Binding) -> Resolution:
        """What a binding (of any scope) is bound to, with the chain of bindings it went through."""
        return self.resolver.resolve_binding(info, binding)

    def resolve_call(self, info: ModuleInfo, call: CallFact) -> Resolution:
        """What a call calls (remembered: every rule asks, for every canonical)."""
        # (two files of one content share fact objects; a ModuleInfo keeps its facts, even a replaced view,
        # alive as long as itself: an id is not reused while the answers keyed by it can be asked for)
        return self.resolver.answers.per_module(
            "call", info.name, (id(info), id(call)),
            lambda: self.resolver.resolve_dotted(info, call.callee, call.context.qualname,
                                                 assume=assumption(call.context)))

    def resolve_expression(self, info: ModuleInfo, dotted: str, context: Context,
                           before: Optional[int] = None) -> Resolution:
        """What a dotted expression is where it stands (in a scope of a module, in its `try` branches, at
        binding `before`); remembered: asked once per canonical."""
        # (the graph keeps every ModuleInfo alive, and its facts their interned contexts: ids are not reused)
        return self.resolver.answers.per_module(
            "expression", info.name, (id(info), dotted, id(context), before),
            lambda: self.resolver.resolve_dotted(info, dotted, context.qualname, before, assume=assumption(context)))

    def resolve_string_path(self, text: str) -> Tuple[Optional[str], Resolution]:
        """A dotted string like 'pkg.mod.Name' (or 'pkg.mod:Name'): its module part and what it names."""
        text = text.replace(":", ".")
        parts = text.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if self.graph.module_exists(module):
                resolution = Resolution(TargetKind.MODULE, module)
                for attribute in parts[cut:]:
                    if resolution.kind is not TargetKind.MODULE:
                        break
                    step = self.resolver.resolve_import(resolution.module or "", attribute)
                    resolution = replace(step, hops=resolution.hops + step.hops)
                return module, resolution
        return None, self.resolver.resolve_module(text)

    def definition_of(self, module: str, name: str) -> Optional[Definition]:
        """The definition `from module import name` gets, if it gets one."""
        return self.resolver.resolve_import(module, name).definition

    def same_objects(self, module: str, other: str, names: Tuple[str, ...]) -> bool:
        """Does `from other import N` get the very definition `from module import N` gets, for every N?"""
        return all(self.definition_of(module, name) is not None and
                   self.definition_of(module, name) == self.definition_of(other, name) for name in names)

    def public_names(self, module: str) -> Tuple[str, ...]:
        """The names a module binds at module level, but dunders and star imports."""
        info = self.graph.get(module)
        return tuple(name for name in info.namespace if not name.startswith("__") and name != "*") if info else ()

    def star_brings(self, canonical: Canonical, source: Optional[str]) -> bool:
        """Does `from source import *` bind the canonical under its name?"""
        return bool(source) and self.resolver.exports(source, canonical.name) and \
            canonical.is_canonical(self.resolver.resolve_import(source, canonical.name))

    def shim_read(self, canonical: Canonical, site: ImportSite) -> Optional[str]:
        """The declared shim an import site reads: the module it imports from, or the module it imports.
        (A shim package's `from . import sub` reads its own submodule, not the shim.)"""
        if site.source_module != site.info.name and canonical.is_shim(site.source_module):
            return site.source_module
        resolution = site.resolution
        if site.source_module != site.info.name and resolution.kind is TargetKind.MODULE and \
                canonical.is_shim(resolution.module):
            return resolution.module
        return None

    # -- import sites, wrappers, re-exports ------------------------------------------------------------------

    @cached_property
    def import_sites(self) -> Tuple[ImportSite, ...]:
        """Every import, and `m.Name` read off an imported module, in the checked modules, resolved; but only
        those that can matter (`may_matter`): most imports of a large project name nothing tracked."""
        sites: List[ImportSite] = []
        for info in self.checked_modules:
            sites.extend(self.per_module("import sites", info, (self.tokens, info.view_enough),
                                         lambda: module_import_sites(self, info)))
        return tuple(sites)

    def sites_in(self, canonical: Canonical) -> List[ImportSite]:
        """Import sites outside the canonical module."""
        if canonical.symbol not in self._sites_outside:
            self._sites_outside[canonical.symbol] = [s for s in self.import_sites if not canonical.is_home(s.info.name)]
        return self._sites_outside[canonical.symbol]

    @cached_property
    def _wrappers(self) -> Dict[str, Dict[Definition, Wrapper]]:
        """Per canonical symbol, the classes and functions outside its module that stand in for it."""
        result: Dict[str, Dict[Definition, Wrapper]] = {c.symbol: {} for c in self.canonicals}
        for info in self.checked_modules:
            found = self.per_module("wrappers", info, (self.canonicals_key, info.view_enough),
                                    lambda: module_wrappers(self, info))
            for symbol, wrapper in found:
                result[symbol][wrapper.definition] = wrapper
        return result

    def wrappers(self, canonical: Canonical) -> Dict[Definition, Wrapper]:
        """Classes and functions outside the canonical module that stand in for it (see `sites._wraps`), by
        their definition (module, qualname, line)."""
        return self._wrappers[canonical.symbol]

    @cached_property
    def _passing_on(self) -> List[Tuple[ModuleInfo, List[Binding], List[Binding]]]:
        """Per checked module, the module-level bindings that can hand on another module's object (imports
        and aliases, by name), and its star imports: what `reexports` resolves, for every canonical."""
        def passing_on(info: ModuleInfo) -> List[Binding]:
            return [b for named in info.namespace.values() for b in named if b.kind not in (
                BindingKind.CLASS, BindingKind.FUNCTION, BindingKind.ASSIGN, BindingKind.STAR,
                BindingKind.IMPORT_MODULE) and self.may_matter(self._path_of(info, b))]

        return [(info, self.per_module("passing on", info, self.tokens, lambda: passing_on(info)),
                  info.namespace.get("*", [])) for info in self.checked_modules]

    def _path_of(self, info: ModuleInfo, binding: Binding) -> str:
        """What an import or alias names, as a dotted path (for `may_matter`), its local name included."""
        return f"{self.path_named_by(info, binding)}.{binding.name}"

    def path_named_by(self, info: ModuleInfo, binding: Binding) -> str:
        """The dotted path an import or alias names (`pkg.mod.Name`, `a.b` for `X = a.b`), for `may_matter`."""
        if binding.kind is BindingKind.ALIAS:
            return binding.value or ""
        return f"{self.graph.absolute(info, binding) or binding.module or ''}.{binding.imported_name}"

    def reexports(self, canonical: Canonical) -> Dict[str, List[Binding]]:
        """Module-level bindings of the canonical in each module other than its own, by module."""
        found: Dict[str, List[Binding]] = {}
        for info, bindings, stars in self._passing_on:
            if canonical.is_home(info.name):
                continue
            for binding in bindings:
                if canonical.is_canonical(self.resolver.resolve_binding(info, binding)):
                    found.setdefault(info.name, []).append(binding)
            for star in stars:
                if self.star_brings(canonical, self.graph.absolute(info, star)):
                    found.setdefault(info.name, []).append(star)
        return found

    def undeclared_shims(self, canonical: Canonical) -> Dict[str, Tuple[Binding, Tuple[str, ...]]]:
        """Modules, not declared as shims, that re-export the canonical: they list it in `__all__`
        or other modules import it from them. Each with its first such binding and its importers."""
        key = canonical.symbol
        if key not in self._undeclared:
            self._undeclared[key] = self._find_undeclared_shims(canonical)
        return self._undeclared[key]

    def _find_undeclared_shims(self, canonical: Canonical) -> Dict[str, Tuple[Binding, Tuple[str, ...]]]:
        importers: Dict[str, Set[str]] = {}  # module -> modules importing the canonical through it
        used_names: Dict[str, Set[str]] = {}  # module -> its names those imports read
        for site in self.sites_in(canonical):
            if canonical.is_canonical(site.resolution):
                entered = set()
                for hop in site.resolution.hops:  # the name read from each module on the way: its first hop there
                    if hop.module in site.through and hop.module not in entered:
                        entered.add(hop.module)
                        importers.setdefault(hop.module, set()).add(site.info.name)
                        used_names.setdefault(hop.module, set()).add(hop.name)
            elif site.is_star and self.star_brings(canonical, site.source_module):
                importers.setdefault(site.source_module, set()).add(site.info.name)
                used_names.setdefault(site.source_module, set()).add(canonical.name)
        result = {}
        for module, bindings in self.reexports(canonical).items():
            if canonical.is_shim(module):
                continue
            facts = self.graph.get(module).rule_facts  # (`all_names`: the view has it)
            used, listed = used_names.get(module, set()), set(facts.all_names or ())
            reexported = [b for b in bindings if b.name in used
                          or (canonical.name if b.kind is BindingKind.STAR else b.name) in listed]
            if reexported:
                first = min(reexported, key=lambda b: b.order)
                result[module] = (first, tuple(sorted(importers.get(module, ()))))
        return result

    # -- import cycles -------------------------------------------------------------------------------------

    def import_cycles(self, module: str) -> Iterator[Tuple[Binding, List[str]]]:
        """Each import of `module` that runs at import time and starts an import cycle back to it, in
        source order, with the shortest such cycle (`module -> ... -> module`)."""
        graph = self.graph
        graph.load_import_closure(module)
        for target, binding in graph.import_edges(module):
            cycle = graph.import_cycle_through(module, target)
            if cycle is not None:
                yield binding, cycle

    # -- what a fix must know ---------------------------------------------------------------------------------

    @cached_property
    def _imported_names(self) -> Set[Tuple[Optional[str], Optional[str]]]:
        """(module, name) of every `from module import name` of the checked modules, and (module, "*") of
        every `from module import *`, whether it may matter or not (a fix must not remove what another
        module reads)."""
        def imported(info: ModuleInfo) -> FrozenSet[Tuple[Optional[str], Optional[str]]]:
            return frozenset((self.graph.absolute(info, b), "*" if b.kind is BindingKind.STAR else b.imported_name)
                             for b in info.rule_facts.bindings if b.kind in (BindingKind.IMPORT_FROM, BindingKind.STAR))

        found: Set[Tuple[Optional[str], Optional[str]]] = set()
        for info in self.checked_modules:
            found.update(self.per_module("imported names", info, info.view_enough, lambda: imported(info)))
        return found

    @cached_property
    def _attribute_refs_by_name(self) -> Dict[str, List[Tuple[ModuleInfo, AttributeRef]]]:
        """Every `a.b.c` of the checked modules, under each of its names after the first."""
        found: Dict[str, List[Tuple[ModuleInfo, AttributeRef]]] = {}
        for info in self.checked_modules:
            for ref in info.rule_facts.attribute_refs:
                for attribute in ref.dotted.split(".")[1:]:
                    found.setdefault(attribute, []).append((info, ref))
        return found

    def _read_off(self, module: str, name: str) -> bool:
        """Does some checked module read `name` off `module` (`m.name`, `a.module.name`)?"""
        for info, ref in self._attribute_refs_by_name.get(name, ()):
            parts = ref.dotted.split(".")
            step = self.resolver.lookup_in_scope(info, ref.context.qualname, parts[0], assume=assumption(ref.context))
            for attribute in parts[1:]:
                if step is None or step.kind is not TargetKind.MODULE:
                    break
                if (step.module, attribute) == (module, name):
                    return True
                step = self.resolver.resolve_import(step.module or "", attribute)
        return False

    def read_elsewhere(self, info: ModuleInfo, binding: Binding) -> bool:
        """Can other modules read this binding by its name: a module-level one that they import, or read off
        the module, or that `__all__` lists, or that a star import of the module brings them? (A fix that
        renames or rebinds it would then break them.)"""
        return binding.context.at_module_level and (
            binding.name in (info.facts.all_names or ()) or (info.name, binding.name) in self._imported_names
            or self._read_off(info.name, binding.name) or self.star_imported_with(info, binding.name))

    def star_imported_with(self, info: ModuleInfo, name: str) -> bool:
        """Does some checked module's `from <this module> import *` bind `name` there, were this module to
        bind it at module level? (A fix that renames it here would change that module too.)"""
        return (info.name, "*") in self._imported_names and star_may_bind(info.structure, name)

    def star_would_gain(self, info: ModuleInfo, name: str) -> bool:
        """Would a new module-level binding of `name` here bring a name into a module that star-imports this
        one that it did not get from here before (this module binding `name` at runtime nowhere else at
        module level)? A fix must not rebind what that module reads."""
        return self.star_imported_with(info, name) and \
            not any(not b.context.type_checking for b in info.namespace.get(name, ()))

    def canonical_bindings(self, info: ModuleInfo, canonical: Canonical) -> Optional[Tuple[Span, ...]]:
        """The bindings of the canonical's name in a module, if every one of them is the canonical itself
        (so a fix may bind that name there too); None if the name means something else anywhere in it."""
        def bindings() -> Optional[Tuple[Span, ...]]:
            bound = [b for b in info.facts.bindings if b.name == canonical.name]
            same = tuple(b.span for b in bound if canonical.is_canonical(self.resolver.resolve_binding(info, b)))
            clash = len(same) != len(bound) or info.facts.binds_elsewhere(canonical.name)
            return None if clash else same

        return self.resolver.answers.per_module("canonical bindings", info.name,
                                                (id(info), canonical.symbol, canonical.definition), bindings)
