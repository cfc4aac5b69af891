"""The analysed project: the graph, the resolver, and the canonical symbols resolved in it.

This is what every rule reads. It answers the questions several rules share
(where is each import site and what does it resolve to, which classes wrap a
canonical, which modules re-export it) once, so that rules stay small and agree
with each other.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Set, Tuple, Union

from ssot_lint.config import CanonicalSpec, Config, ConfigError
from ssot_lint.files.discovery import gitignore_spec
from ssot_lint.facts.model import AttributeRef, Binding, BindingKind, CallFact, ClassFact, Context, FunctionFact, Span
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph
from ssot_lint.analysis.resolve import Definition, Resolution, Resolver, TargetKind, assumption, star_may_bind

if TYPE_CHECKING:
    import pathspec


@dataclass(frozen=True)
class Canonical:
    """A configured canonical symbol, located in the project."""

    spec: CanonicalSpec
    definition: Definition  # what the configured symbol resolves to
    products: Tuple[Definition, ...]  # the same for each product class
    allow: "pathspec.PathSpec"

    @property
    def module(self) -> str:
        """Where the definition is (normally the configured module)."""
        return self.definition.module

    @property
    def qualname(self) -> str:
        return self.definition.qualname

    @property
    def symbol(self) -> str:
        return str(self.spec.symbol)

    @property
    def name(self) -> str:
        return self.spec.symbol.name

    @property
    def home(self) -> str:
        """The module to import it from."""
        return self.spec.symbol.module

    @property
    def shims(self) -> Tuple[str, ...]:
        return self.spec.shims

    def is_home(self, module: str) -> bool:
        """The canonical module itself: everything it defines or aliases is the source of truth."""
        return module in (self.home, self.module)

    def is_canonical(self, resolution: Resolution) -> bool:
        # Field by field, without building `resolution.definition`: rules ask this millions of times.
        module, qualname, line = self.definition
        return resolution.line == line and resolution.name == qualname and resolution.module == module \
            and resolution.kind is TargetKind.DEFINITION and not resolution.rest

    def is_product(self, resolution: Resolution) -> bool:
        return resolution.definition in self.products

    def looks_like(self, name: str) -> bool:
        return name == self.name or any(fnmatch.fnmatchcase(name, p) for p in self.spec.lookalikes)

    def stood_in_for_by(self, name: str) -> bool:
        """Could a definition of this name stand in for the canonical: named like it, a private `_name`
        included (`def _simplify(expr): return simplify(expr)`, a wrapper 'to avoid circular imports')?"""
        return self.looks_like(name) or self.looks_like(name.lstrip("_"))

    def is_shim(self, module: Optional[str]) -> bool:
        return module in self.spec.shims

    def allows(self, relpath: str) -> bool:
        return self.allow.match_file(relpath)


@dataclass(frozen=True)
class ImportSite:
    """A place that reads a name from another module: an import, or `m.Name` off an imported module."""

    info: ModuleInfo
    span: Span
    resolution: Resolution
    source_module: Optional[str]  # the module it reads from (absolute), None if unknown
    name: Optional[str]  # the name read from it (None for `import module`)
    local_name: str  # the name bound or written here
    binding: Optional[Binding] = None
    attribute: Optional[AttributeRef] = None

    @property
    def context(self):
        return self.binding.context if self.binding is not None else self.attribute.context

    @cached_property
    def through(self) -> Tuple[str, ...]:
        """Modules other than this one and the definition's, whose bindings the name went through."""
        return tuple(m for m in self.resolution.through_modules() if m != self.info.name)


@dataclass(frozen=True)
class Wrapper:
    """A class or function that stands in for a canonical: it subclasses it, or is named like it and
    calls or constructs it in its body."""

    info: ModuleInfo
    defined: Union[ClassFact, FunctionFact]
    how: str  # "subclasses" or "delegates to"

    @property
    def kind(self) -> str:
        return "class" if isinstance(self.defined, ClassFact) else "function"

    @property
    def definition(self) -> Definition:
        """Its identity, as `Resolution.definition` gives it."""
        return Definition(self.info.name, self.defined.qualname, self.defined.span.line)


class Project:
    """What the rules read. `mentions_configured_name(path)` tells whether a file's text names
    something the configuration tracks (SSOT000 reports only such files)."""

    def __init__(self, config: Config, graph: ProjectGraph,
                 mentions_configured_name: Optional[Callable[[str], bool]] = None, reader=None,
                 missing: str = "error", resolver: Optional[Resolver] = None):
        """`missing="error"`: a canonical symbol, product or shim the project lacks is a ConfigError that
        names every one. `missing="skip"` (`report --history`, at a commit before they existed): a canonical
        whose symbol is missing is left out, with the reason in `self.missing`; a missing product is left
        out of its canonical (the history's figures do not depend on products); shims are not looked for."""
        assert missing in ("error", "skip")
        self.config = config
        self.graph = graph
        # (resolution does not depend on the configuration: another project on the same graph may share it)
        self.resolver = resolver or Resolver(graph)
        self.mentions_configured_name = mentions_configured_name or (lambda relpath: True)
        self.reader = reader  # the SourceReader that loaded it: its cache, and what it read and parsed
        self.tokens = None  # the prefilter's final token set: a file outside `graph` that matches none is not read
        self.token_rounds = None  # the token set of each round of the prefilter's fixpoint, in order
        self.round_of = None  # the round that let each checked file through, by path
        self.missing: Dict[str, str] = {}  # canonical symbol -> why the project has no figures for it
        self.canonicals: Tuple[Canonical, ...] = self._locate(strict=missing == "error")
        self.refresh()

    def refresh(self) -> None:
        """Forget the answers that depend on which modules are checked (after more were added)."""
        self._undeclared: Dict[str, Dict[str, Tuple[Binding, Tuple[str, ...]]]] = {}
        self._sites_outside: Dict[str, List[ImportSite]] = {}
        self._calls: Dict[Tuple[str, int], Resolution] = {}
        self._expressions: Dict[Tuple[int, str, str], Resolution] = {}
        self._canonical_bindings: Dict[Tuple[str, str], Optional[Tuple[Span, ...]]] = {}
        self.__dict__.pop("import_sites", None)
        self.__dict__.pop("_imported_names", None)
        self.__dict__.pop("_attribute_refs_by_name", None)
        self.__dict__.pop("_wrappers", None)
        self.__dict__.pop("_passing_on", None)

    @property
    def checked_modules(self) -> List[ModuleInfo]:
        return list(self.graph.checked.values())

    # -- canonical symbols --------------------------------------------------------

    def _locate(self, strict: bool) -> Tuple[Canonical, ...]:
        """The configured canonicals found in the project; with `strict`, a ConfigError naming, one line
        each and as the config file spells the key, every symbol, product and shim it does not find."""
        located: List[Canonical] = []
        problems: List[str] = []
        for index, spec in enumerate(self.config.canonicals):
            key = f"canonical[{index}]"
            definition = self._definition(spec.symbol.module, spec.symbol.name)
            if isinstance(definition, str):
                if not strict:
                    self.missing[str(spec.symbol)] = definition
                    continue
                problems.append(f"{self.config.where(key + '.symbol')}: {spec.symbol}: {definition}"
                                f"{self._hint(spec.symbol.module, spec.symbol.name)}")
            products = []
            for product in spec.products:
                found = self._definition(product.module, product.name)
                if not isinstance(found, str):
                    products.append(found)
                elif strict:
                    problems.append(f"{self.config.where(key + '.products')}: {product}: {found}"
                                    f"{self._hint(product.module, product.name)}")
            for shim in spec.shims if strict else ():
                if not self.graph.module_exists(shim):
                    # Deleting a shim is how a migration ends: say what to do then, as well as for a typo.
                    close = self._close_module(shim)
                    problems.append(f"{self.config.where(key + '.shims')}: module {shim} is not in the project"
                                    f" ({f'did you mean {close}? ' if close else ''}"
                                    "if the shim was deleted, remove it from `shims`)")
            if not isinstance(definition, str):
                located.append(Canonical(spec, definition, tuple(products), gitignore_spec(spec.allow)))
        if problems:
            raise ConfigError(*problems)
        return tuple(located)

    def _definition(self, module: str, name: str):
        """The definition `module:name` resolves to, or why there is none."""
        if self.graph.get(module) is None:
            unparsed = [s.relpath for s, _ in self.graph.unparsed.values() if s.module == module]
            if unparsed:
                return f"its module {unparsed[0]} does not parse"
            return f"module {module} is not in the project"
        resolution = self.resolver.lookup(module, name)
        if resolution is None or resolution.definition is None:
            return f"{module} does not define a class or function {name}"
        return resolution.definition

    def _hint(self, module: str, name: str) -> str:
        """What to try when `module:name` is not found: a close name, or `src`."""
        info = self.graph.get(module)
        if info is None:
            if any(s.module == module for s, _ in self.graph.unparsed.values()):
                return ""
            close = self._close_module(module)
            return f" (did you mean {close}? or check `src`)" if close else " (check `src`)"
        close_names = difflib.get_close_matches(name, sorted(info.namespace), n=1, cutoff=0.7)
        return f" (did you mean {module}:{close_names[0]}?)" if close_names else ""

    def _close_module(self, module: str) -> Optional[str]:
        """The project's module most like `module` (a typo): among its siblings first, then anywhere."""
        names = sorted({*self.graph.sources, *self.graph.packages})
        parent = module.rpartition(".")[0]
        siblings = [n for n in names if n.rpartition(".")[0] == parent]
        close = difflib.get_close_matches(module, siblings, n=1, cutoff=0.8) or \
            difflib.get_close_matches(module, names, n=1, cutoff=0.8)
        return close[0] if close else None

    # -- shared questions ---------------------------------------------------------

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

    @cached_property
    def import_sites(self) -> Tuple[ImportSite, ...]:
        """Every import, and `m.Name` read off an imported module, in the checked modules, resolved;
        but only those that can matter (`may_matter`): most imports of a large project name nothing
        tracked, and resolving them was most of the rules' time."""
        sites: List[ImportSite] = []
        resolver = self.resolver
        for info in self.checked_modules:
            module_aliases = set()
            for binding in info.rule_facts.bindings:
                if not binding.is_import:
                    continue
                source = self.graph.absolute(info, binding)
                if binding.kind is BindingKind.IMPORT_MODULE:
                    module_aliases.add(binding.name)
                    sites.append(ImportSite(info, binding.span, resolver.resolve_module(binding.module or ""),
                                            binding.module, None, binding.name, binding=binding))
                elif binding.kind is BindingKind.STAR:
                    sites.append(ImportSite(info, binding.span, resolver.resolve_import_binding(info, binding),
                                            source, None, "*", binding=binding))
                elif self.follows_import(info, binding, source):
                    sites.append(ImportSite(info, binding.span, resolver.resolve_binding(info, binding),
                                            source, binding.imported_name, binding.name, binding=binding))
            roots = self._roots_that_may_matter(info)
            for ref in info.rule_facts.attribute_refs:
                if roots is not None and ref.dotted.split(".", 1)[0] not in roots and not self.may_matter(ref.dotted):
                    continue
                site = self._attribute_site(info, ref)
                if site is not None:
                    sites.append(site)
        return tuple(sites)

    def _roots_that_may_matter(self, info: ModuleInfo) -> Optional[Set[str]]:
        """The names a module binds (in any scope) by an import or alias whose path may matter: `m.X` off
        one of them may read something tracked even when `m.X` names nothing tracked itself. None: any."""
        if self.tokens is None:
            return None
        roots = set()
        for binding in info.structure.bindings:
            if binding.kind is BindingKind.ALIAS:
                path = binding.value or ""
            elif binding.kind is BindingKind.STAR:
                continue
            else:
                path = f"{self.graph.absolute(info, binding) or binding.module or ''}.{binding.imported_name}"
            if self.may_matter(path):
                roots.add(binding.name)
        return roots

    def _attribute_site(self, info: ModuleInfo, ref: AttributeRef) -> Optional[ImportSite]:
        """`m.Name` where `m` is a module: the site of reading Name off that module."""
        parts = ref.dotted.split(".")
        resolution = self.resolver.lookup_in_scope(info, ref.context.qualname, parts[0],
                                                   assume=assumption(ref.context))
        if resolution is None or resolution.kind is not TargetKind.MODULE or \
                not self.may_matter(f"{resolution.module}.{'.'.join(parts[1:])}"):
            return None
        for index, attribute in enumerate(parts[1:], start=1):
            if resolution.kind is not TargetKind.MODULE:
                return None
            module = resolution.module or ""
            step = self.resolver.resolve_import(module, attribute)
            step = replace(step, hops=resolution.hops + step.hops)
            if step.kind is not TargetKind.MODULE:
                return ImportSite(info, ref.span, step, module, attribute, ".".join(parts[: index + 1]),
                                  attribute=ref)
            resolution = step
        return None

    def resolve_call(self, info: ModuleInfo, call: CallFact) -> Resolution:
        """What a call calls (remembered: every rule asks, for every canonical)."""
        key = (info.name, id(call))  # two files of one content share fact objects
        if key not in self._calls:
            self._calls[key] = self.resolver.resolve_dotted(info, call.callee, call.context.qualname,
                                                            assume=assumption(call.context))
        return self._calls[key]

    def resolve_expression(self, info: ModuleInfo, dotted: str, context: Context,
                           before: Optional[int] = None) -> Resolution:
        """What a dotted expression is where it stands (in a scope of a module, in its `try` branches, at
        binding `before`); remembered: asked once per canonical."""
        # (the graph keeps every ModuleInfo alive, and its facts their interned contexts: ids are not reused)
        key = (id(info), dotted, id(context), before)
        if key not in self._expressions:
            self._expressions[key] = self.resolver.resolve_dotted(info, dotted, context.qualname, before,
                                                                  assume=assumption(context))
        return self._expressions[key]

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

    @cached_property
    def _wrappers(self) -> Dict[str, Dict[Definition, Wrapper]]:
        result: Dict[str, Dict[Definition, Wrapper]] = {c.symbol: {} for c in self.canonicals}
        for info in self.checked_modules:
            facts = info.rule_facts
            functions = [f for f in facts.functions if not f.is_method]
            for canonical in self.canonicals:
                if canonical.is_home(info.name):
                    continue
                for defined in (*facts.classes, *functions):
                    how = self._wraps(info, defined, canonical)
                    if how:
                        wrapper = Wrapper(info, defined, how)
                        result[canonical.symbol][wrapper.definition] = wrapper
        return result

    def _wraps(self, info: ModuleInfo, defined: Union[ClassFact, FunctionFact], canonical: Canonical) -> Optional[str]:
        """How a class or function stands in for the canonical, if it does.

        A subclass stands in for it only where it is meant to replace it: in a declared shim, or named
        like it, or when the canonical is declared `final`; any other subclass is an ordinary use of a
        class designed to be subclassed. A class or function named like the canonical delegates to it
        when its body calls or constructs it."""
        named_like = canonical.stood_in_for_by(defined.name)
        if isinstance(defined, ClassFact) and defined.bases and \
                (named_like or canonical.spec.final or canonical.is_shim(info.name)):  # (else no stand-in)
            before = self._order_of(info, defined)
            for base in defined.bases:
                if canonical.is_canonical(self.resolve_expression(info, base, defined.context, before)):
                    return "subclasses"
        if not named_like or defined.name.startswith(("Test", "test")):
            return None  # a test case or test function is no stand-in
        inside, branches = defined.qualname + ".", defined.context.all_branches
        for call in info.rule_facts.calls:
            # In its body: below its name, and in the same branch (a fallback of the same name is another body).
            if (call.context.qualname + ".").startswith(inside) and \
                    call.context.all_branches[:len(branches)] == branches and \
                    canonical.is_canonical(self.resolve_call(info, call)):
                return "delegates to"
        return None

    @staticmethod
    def _order_of(info: ModuleInfo, defined: ClassFact) -> Optional[int]:
        """The source order of a class statement: its bases are evaluated before it binds its name."""
        for binding in info.scopes.get(defined.context.qualname, ()):
            if binding.kind is BindingKind.CLASS and binding.span == defined.span:
                return binding.order
        return None

    def wrappers(self, canonical: Canonical) -> Dict[Definition, Wrapper]:
        """Classes and functions outside the canonical module that stand in for it (see `_wraps`), by
        their definition (module, qualname, line)."""
        return self._wrappers[canonical.symbol]

    @cached_property
    def _passing_on(self) -> List[Tuple[ModuleInfo, List[Binding], List[Binding]]]:
        """Per checked module, the module-level bindings that can hand on another module's object (imports
        and aliases, by name), and its star imports: what `reexports` resolves, for every canonical."""
        found = []
        for info in self.checked_modules:
            bindings = [b for named in info.namespace.values() for b in named if b.kind not in (
                BindingKind.CLASS, BindingKind.FUNCTION, BindingKind.ASSIGN, BindingKind.STAR,
                BindingKind.IMPORT_MODULE) and self.may_matter(self._path_of(info, b))]
            found.append((info, bindings, info.namespace.get("*", [])))
        return found

    def _path_of(self, info: ModuleInfo, binding: Binding) -> str:
        """What an import or alias names, as a dotted path (for `may_matter`), its local name included."""
        if binding.kind is BindingKind.ALIAS:
            return f"{binding.value}.{binding.name}"
        return f"{self.graph.absolute(info, binding) or binding.module or ''}.{binding.imported_name}.{binding.name}"

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
                source = self.graph.absolute(info, star)
                if source and self.resolver.exports(source, canonical.name) and \
                        canonical.is_canonical(self.resolver.resolve_import(source, canonical.name)):
                    found.setdefault(info.name, []).append(star)
        return found

    @cached_property
    def _imported_names(self) -> Set[Tuple[Optional[str], Optional[str]]]:
        """(module, name) of every `from module import name` of the checked modules, and (module, "*") of
        every `from module import *`, whether it may matter or not (a fix must not remove what another
        module reads)."""
        return {(self.graph.absolute(info, b), "*" if b.kind is BindingKind.STAR else b.imported_name)
                for info in self.checked_modules for b in info.rule_facts.bindings
                if b.kind in (BindingKind.IMPORT_FROM, BindingKind.STAR)}

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
            or self._read_off(info.name, binding.name) or self.star_brings(info, binding.name))

    def star_brings(self, info: ModuleInfo, name: str) -> bool:
        """Does some checked module's `from <this module> import *` bind `name` there, were this module to
        bind it at module level? (A fix that renames it here would change that module too.)"""
        return (info.name, "*") in self._imported_names and star_may_bind(info.structure, name)

    def star_would_gain(self, info: ModuleInfo, name: str) -> bool:
        """Would a new module-level binding of `name` here bring a name into a module that star-imports this
        one that it did not get from here before (this module binding `name` at runtime nowhere else at
        module level)? A fix must not rebind what that module reads."""
        return self.star_brings(info, name) and \
            not any(not b.context.type_checking for b in info.namespace.get(name, ()))

    def canonical_bindings(self, info: ModuleInfo, canonical: Canonical) -> Optional[Tuple[Span, ...]]:
        """The bindings of the canonical's name in a module, if every one of them is the canonical itself
        (so a fix may bind that name there too); None if the name means something else anywhere in it."""
        key = (info.name, canonical.symbol)
        if key not in self._canonical_bindings:
            bound = [b for b in info.facts.bindings if b.name == canonical.name]
            same = tuple(b.span for b in bound if canonical.is_canonical(self.resolver.resolve_binding(info, b)))
            clash = len(same) != len(bound) or info.facts.binds_elsewhere(canonical.name)
            self._canonical_bindings[key] = None if clash else same
        return self._canonical_bindings[key]

    def modules_outside(self, canonical: Canonical) -> Iterator[ModuleInfo]:
        """Every module but the canonical's own, which is the source of truth."""
        for info in self.checked_modules:
            if not canonical.is_home(info.name):
                yield info

    def sites_in(self, canonical: Canonical) -> List[ImportSite]:
        """Import sites outside the canonical module."""
        if canonical.symbol not in self._sites_outside:
            self._sites_outside[canonical.symbol] = [s for s in self.import_sites if not canonical.is_home(s.info.name)]
        return self._sites_outside[canonical.symbol]

    def undeclared_shims(self, canonical: Canonical) -> Dict[str, Tuple[Binding, Tuple[str, ...]]]:
        """Modules, not declared as shims, that re-export the canonical: they list it in `__all__`
        or other modules import it from them. Each with its first such binding and its importers."""
        key = canonical.symbol
        if key not in self._undeclared:
            self._undeclared[key] = self._find_undeclared_shims(canonical)
        return self._undeclared[key]

    def _find_undeclared_shims(self, canonical: Canonical) -> Dict[str, Tuple[Binding, Tuple[str, ...]]]:
        importers: Dict[str, set] = {}  # module -> modules importing the canonical through it
        used_names: Dict[str, set] = {}  # module -> its names those imports read
        for site in self.sites_in(canonical):
            if canonical.is_canonical(site.resolution):
                entered = set()
                for hop in site.resolution.hops:  # the name read from each module on the way: its first hop there
                    if hop.module in site.through and hop.module not in entered:
                        entered.add(hop.module)
                        importers.setdefault(hop.module, set()).add(site.info.name)
                        used_names.setdefault(hop.module, set()).add(hop.name)
            elif site.local_name == "*" and site.source_module and \
                    self.resolver.exports(site.source_module, canonical.name) and \
                    canonical.is_canonical(self.resolver.resolve_import(site.source_module, canonical.name)):
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

    def describe_module(self, canonical: Canonical, module: str) -> str:
        """'shim a.b', 'package a', 'module a.c': how messages name a module on a chain."""
        if canonical.is_shim(module):
            return f"shim {module}"
        info = self.graph.get(module)
        if info is not None and info.file.is_package:
            return f"package {module}"
        return f"module {module}"

    def describe_chain(self, canonical: Canonical, modules: Tuple[str, ...]) -> str:
        """The modules a name went through, the middle of a long chain elided (the JSON `chain` has all)."""
        if len(modules) > 5:
            shown = [*(self.describe_module(canonical, m) for m in modules[:2]),
                     f"... {len(modules) - 3} more modules ...", self.describe_module(canonical, modules[-1])]
            shims = [self.describe_module(canonical, m) for m in modules[2:-1] if canonical.is_shim(m)]
            if shims:  # a shim on the way is what the reader must know about
                shown[2] = f"... {len(modules) - 3} more modules, including {', '.join(shims)} ..."
            return " -> ".join(shown)
        return " -> ".join(self.describe_module(canonical, m) for m in modules)
