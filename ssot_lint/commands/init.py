"""`ssot-lint init`: a starter configuration, and with `--discover`, proposals read off the code.

A proposal is a canonical symbol with its shims. A shim is declared for a whole module (`check` then
reports every import from it, whatever the name), so only a module that is all legacy is proposed as
one: it defines nothing itself, or only `except ImportError` fallbacks, or only wrappers that delegate
to the symbol, or it warns when imported that it is deprecated. A package re-exporting the symbol (its
public API) and a module with code of its own that passes it on are named in a comment instead. A
subclass is no shim (it extends the symbol rather than handing it on), and a test module that nothing
imports hands nothing on to anyone.

No module is parsed to begin with. Every module's text is scanned (textscan.py), and only what the
signs below can depend on is parsed (survey.py): a proposal needs a module that is all legacy handing
its symbol on, or an import fallback of its name, so the modules that may be all legacy (no class or
function at column 0) are parsed first; the names they hand on, and the names of import fallbacks, are
the seeds; then the modules through which a seed's names are imported, that list `__all__`, or that
define one at module level. A module that only imports is an importer: its `from` lines, read off its
text, are resolved on the parsed modules. The signs are then read off the resolved imports, in one
pass:

- the modules that hand the very symbol on: they bind it at module level and other modules import it
  through them, or they list it in `__all__`, or they define nothing themselves and import it with
  `# noqa: F401`;
- other definitions of its name: `except ImportError` fallbacks, and definitions outside the tests
  that something imports. The latter alone propose nothing: as often as not they are unrelated classes
  that share a name.

Each candidate earns points for these signs (`_DEPRECATED` and below); a deprecated module is the
strongest, a package re-exporting it the weakest. Only the best few candidates, a small multiple of
the number of proposals asked for, then go through the exact search, the one `check` runs: the
modules SSOT003 would report as undeclared shims (star imports included), counted from import
statements (not `m.Name` reads), and the classes and functions named like the symbol that delegate to
it; only the modules defining such a class or function at module level are read in full for it. So
the time does not grow with the number of candidates. A shim that hands several symbols on counts for
the best of them only, and proposes nothing more: declared once, it reports every import from it. The
proposals come out best first, as commented TOML to edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import AbstractSet, Callable, Dict, Iterable, List, Optional, Set, Tuple

from ssot_lint.files.cache import FactsCache
from ssot_lint.config import CanonicalSpec, Config, SymbolPath
from ssot_lint.files.discovery import discover
from ssot_lint.facts.model import Binding, BindingKind, BranchKind
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph, absolute_module
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import Definition
from ssot_lint.files.reader import SourceReader
from ssot_lint.commands.discover import Reading, Survey, imports_only, lookalike_pattern, read_what_can_matter, text_facts

STARTER = '''[tool.ssot-lint]
src = ["."]
exclude = []

# One table per class or function the codebase must have only one of:
# [[tool.ssot-lint.canonical]]
# symbol = "package.module:ClassName"     # the source of truth
# shims = ["package.legacy_module"]       # legacy paths being migrated off
# lookalikes = ["*ClassName"]             # names that smell like a second implementation
# products = []                           # what a canonical factory makes ("module:Name")
# allow = []                              # paths exempt from this symbol's rules
'''

DEFAULT_LIMIT = 5
# Candidates that go through the exact search, per proposal asked for: the cheap points rank the
# best ones well, not exactly.
EXACT_SEARCH_PER_PROPOSAL = 3


# Points for each sign that a symbol has more than one way in (see the module docstring).
_DEPRECATED = 20  # a module that hands it on warns when imported: the project itself calls the path legacy
_SHIM = 6  # a module that is all legacy hands it on: it defines nothing itself, or only import
# fallbacks, or only wrappers of the symbol
_SHIM_USED = 2  # for each doubling of the modules importing it through one of those (1, 2, 4, 8...): a path
# that many use is more to migrate, but a thousand importers tell how popular the symbol is more than
# how much of a shim the module is
_HANDED_ON = 1  # a module with code of its own hands it on too (perhaps only because it uses it)
_HANDED_ON_USED = 1  # for each doubling of the modules importing it through that one
_PUBLIC_API = 1  # a package hands it on, as packages are built to (its importers add nothing)
_FALLBACK = 6  # an `except ImportError` branch defines its name: a second implementation
_NAMESAKES = 1  # for each doubling of the other definitions of its name outside the tests that something
# imports (they may well be unrelated classes that share a name: forms' and models' `CharField`)


@dataclass(frozen=True)
class ModuleRole:
    """What a module is, as far as handing names on goes."""

    name: str
    is_package: bool
    definitions: int  # classes and functions it defines at module level
    defines_nothing: bool  # it binds only imports and aliases at module level (dunders aside): no class,
    # function or value of its own
    fallbacks_only: bool  # it defines classes and functions only inside `try` statements that fall back on
    # `except ImportError` (a compatibility ladder), or in those fallbacks
    warns: bool  # it defines nothing and warns when imported (`warnings.warn(...)` at module level): deprecated
    is_test: bool


@dataclass(frozen=True)
class Intermediary:
    """A module between importers and a proposed symbol: it re-exports the symbol, or wraps it."""

    role: ModuleRole
    importers: int  # modules importing the symbol through it (or importing its wrapper classes)
    wrappers: Tuple[str, ...] = ()  # its classes and functions, named like the symbol, that delegate to it

    @property
    def module(self) -> str:
        return self.role.name

    @property
    def is_legacy(self) -> bool:
        """Is the whole module legacy, so that it can be declared a shim? (Every import from a declared
        shim is reported, whatever the name: a package or a module with code of its own cannot be one.)"""
        role = self.role
        if role.warns:
            return True
        if role.is_package:
            return False
        return role.defines_nothing or role.fallbacks_only or 0 < role.definitions <= len(self.wrappers)

    @property
    def is_public_api(self) -> bool:
        """A package re-exporting the symbol, as packages are built to: the weakest sign."""
        return self.role.is_package and not self.is_legacy and not self.wrappers

    def points(self, claimed: bool = False) -> int:
        """What it says about the symbol having more than one way in. A module `claimed` by a better
        proposal (which it also hands on) earns only its importers: what it is counts once."""
        if self.is_public_api:
            return 0 if claimed else _PUBLIC_API
        doublings = self.importers.bit_length()
        if self.is_legacy:
            kind, used = (_DEPRECATED if self.role.warns else _SHIM), _SHIM_USED * doublings
        else:
            kind, used = _HANDED_ON, _HANDED_ON_USED * doublings
        return used if claimed else kind + used

    def note(self) -> str:
        """What it is and who uses it, for a comment beside it."""
        role = self.role
        if self.wrappers:
            how = f"its {' and '.join(self.wrappers)} delegate{'s' if len(self.wrappers) == 1 else ''} to it"
        elif role.warns:
            how = "deprecated: it warns when imported"
        elif role.is_package:
            how = "a package re-exporting it"
        elif role.defines_nothing:
            how = "it defines nothing itself"
        elif role.fallbacks_only:
            how = "it defines only import fallbacks"
        else:
            how = "it has code of its own"
        users = _count(self.importers, "module")
        verb = "imports" if self.importers == 1 else "import"
        return f"{how}; {users} {verb} {'the wrapper' if self.wrappers else 'it through this one'}"


@dataclass(frozen=True)
class Competitor:
    """Another module-level definition of a proposed symbol's name."""

    module: str
    importers: int
    fallback: bool  # defined in an `except ImportError:` branch

    @property
    def matters(self) -> bool:
        """Is it perhaps a second implementation, rather than a class that shares the name and that nobody
        uses, or that a test module defines for itself (the `Article` model of each test app)?"""
        return self.fallback or (self.importers > 0 and not _is_test_module(self.module))


@dataclass
class Proposal:
    symbol: SymbolPath
    definition: Definition
    importers: int  # modules that import the definition, by any path
    handed_on_by: List[Intermediary] = field(default_factory=list)  # best first
    competing: List[Competitor] = field(default_factory=list)

    @property
    def shims(self) -> List[Intermediary]:
        """The modules to declare as its shims: those that are all legacy."""
        return [i for i in self.handed_on_by if i.is_legacy]

    def points(self, claimed: AbstractSet[str] = frozenset()) -> int:
        """Its points, with the modules `claimed` by better proposals counting less."""
        fallbacks = sum(c.fallback for c in self.competing)
        namesakes = sum(c.matters and not c.fallback for c in self.competing)
        return sum(i.points(i.module in claimed) for i in self.handed_on_by) + _FALLBACK * fallbacks + \
            _NAMESAKES * namesakes.bit_length()

    def has_evidence(self, claimed: AbstractSet[str] = frozenset()) -> bool:
        """Is there a shim to declare that better proposals have not `claimed` (one declared shim reports
        every import from it, whatever the name), or an import fallback competing with it? Modules with
        code of their own that pass it on, packages above all, are no reason to make it canonical; nor
        are other definitions of its name alone: as often as not, unrelated classes that share a name,
        like the `Command` of each Django management command."""
        return any(s.module not in claimed for s in self.shims) or any(c.fallback for c in self.competing)

    def reason(self) -> str:
        said = []
        if self.competing:
            said.append(f"{self.symbol.name} is defined in {len(self.competing) + 1} modules")
        if self.handed_on_by:
            deprecated = sum(i.role.warns for i in self.handed_on_by)
            said.append(f"handed on by {_count(len(self.handed_on_by), 'other module')}"
                        + (f" ({deprecated} deprecated)" if deprecated else ""))
        return "; ".join(said)


def best_first(proposals: Iterable[Proposal], count: int) -> List[Proposal]:
    """The `count` best proposals, best first. A module that hands several symbols on counts in full for
    the best of them only, so that the next proposals show other shims rather than the same redirect once
    for each name it re-exports; a proposal left with no shim of its own and no import fallback is dropped."""
    remaining = [p for p in proposals if p.has_evidence()]
    chosen: List[Proposal] = []
    claimed: Set[str] = set()
    while remaining and len(chosen) < count:
        best = min(remaining, key=lambda p: (-p.points(claimed), -p.importers, str(p.symbol)))
        remaining.remove(best)
        chosen.append(best)
        claimed.update(s.module for s in best.handed_on_by)
        remaining = [p for p in remaining if p.has_evidence(claimed)]
    return chosen


@dataclass
class _Evidence:
    """What the cheap pass found out about one definition."""

    importers: Set[str] = field(default_factory=set)  # modules that import it, by any path
    through: Dict[str, Set[str]] = field(default_factory=dict)  # module handing it on -> its importers there
    listed_by: Set[str] = field(default_factory=set)  # modules that bind it and list it in `__all__`
    marked_by: Set[str] = field(default_factory=set)  # modules defining nothing that import it `# noqa: F401`


@dataclass
class Discovery:
    """What `discover_proposals` starts from: the project, none of its modules parsed yet, and the text
    of every one (survey.py)."""

    project: Project
    survey: Survey


def discovery_project(config: Config, jobs: Optional[int] = None, use_cache: bool = True,
                      progress: Optional[Callable[[int, int], None]] = None,
                      parse_progress: Optional[Callable[[int, int], None]] = None) -> Discovery:
    """Every module of the project known by name and read as text (in parallel); none parsed yet.
    `progress` follows the reading of the text, `parse_progress` each batch of modules parsed later."""
    reader = SourceReader(FactsCache(config.root, enabled=use_cache), jobs, parse_progress)
    graph = ProjectGraph(discover(config), load_many=reader.facts_of)
    return Discovery(Project(config, graph, reader=reader), Survey.of(graph, reader.jobs, progress))


def discover_proposals(discovery: Discovery, limit: int = DEFAULT_LIMIT) -> List[Proposal]:
    """The `limit` best-supported proposals, best first (`discovery`: see `discovery_project`)."""
    project, survey = discovery.project, discovery.survey
    roles = _Roles(project)
    reading = read_what_can_matter(project, survey, lambda module: Intermediary(roles[module], 0).is_legacy)
    evidence = _gather_evidence(project, survey, reading, roles)
    candidates = best_first(_candidates(project, reading, evidence, roles), EXACT_SEARCH_PER_PROPOSAL * limit)
    proposals = best_first(_search_exactly(project, survey, reading, candidates, evidence, roles), limit)
    assert project.reader is not None
    project.reader.cache.save()
    return proposals


class _Roles:
    """Each module's role, worked out when first asked."""

    def __init__(self, project: Project):
        self._project = project
        self._known: Dict[str, ModuleRole] = {}

    def __getitem__(self, module: str) -> ModuleRole:
        if module not in self._known:
            info = self._project.graph.get(module)
            self._known[module] = _role(module, info) if info is not None else \
                ModuleRole(module, False, 0, False, False, False, _is_test_module(module))
        return self._known[module]


def _role(module: str, info: ModuleInfo) -> ModuleRole:
    bindings = [b for named in info.namespace.values() for b in named if not b.name.startswith("__")]
    definitions = [b for b in bindings if b.kind in (BindingKind.CLASS, BindingKind.FUNCTION)]
    defines_nothing = any(b.is_import for b in bindings) and \
        not definitions and not any(b.kind is BindingKind.ASSIGN for b in bindings)
    ladders = {branch.try_id for b in bindings for branch in b.context.branches
               if branch.kind is BranchKind.EXCEPT and branch.catches_import_error}
    fallbacks_only = bool(definitions) and all(
        any(branch.kind in (BranchKind.TRY, BranchKind.EXCEPT) and branch.try_id in ladders
            for branch in b.context.branches) for b in definitions)
    warns = defines_nothing and any(_is_warning(call.callee) for call in info.module_level_calls)
    return ModuleRole(module, info.file.is_package, len(definitions), defines_nothing, fallbacks_only, warns,
                      _is_test_module(module))


def _is_warning(callee: str) -> bool:
    """`warnings.warn`, `warn`, `sympy_deprecation_warning`, `warn_deprecated`..."""
    last = callee.rpartition(".")[2].lower()
    return "warn" in last or "deprecat" in last


def _is_test_module(module: str) -> bool:
    """`tests.x`, `pkg.test_x`, `x_test`, `test_framework.mocks`, `conftest` (not `pkg.testing`: a library's
    test utilities are imported by its users)."""
    return any(part in ("test", "tests", "conftest") or part.startswith("test_") or part.endswith(("_test", "_tests"))
               for part in module.split("."))


def _importable(module: str) -> bool:
    """A name an import statement can spell (a migration file `0001_initial.py` is not one)."""
    return all(part.isidentifier() for part in module.split("."))


def _modules(project: Project) -> List[ModuleInfo]:
    """Every module parsed (survey.read_what_can_matter, and what resolution loaded on the way)."""
    return list(project.graph.modules.values())


def _module_bindings(info: ModuleInfo) -> List[Binding]:
    return [binding for named in info.namespace.values() for binding in named]


def _gather_evidence(project: Project, survey: Survey, reading: Reading, roles: _Roles) -> Dict[Definition, _Evidence]:
    """One pass over the resolved imports of every name a seed goes by (parsed modules' from their
    facts, the others' from their text), `__all__` lists and redirect modules. Complete for every
    definition named like a seed, since every module importing one of those names is looked at."""
    evidence: Dict[Definition, _Evidence] = {}
    resolver, graph = project.resolver, project.graph

    def note(importer: str, resolution) -> None:
        definition = resolution.definition
        if definition is None or definition.module == importer:
            return
        found = evidence.setdefault(definition, _Evidence())
        found.importers.add(importer)
        through = resolution.through_modules
        entered: Set[str] = set()
        for hop in resolution.hops:  # as `Project.undeclared_shims` counts them
            if hop.module != importer and hop.module in through and hop.module not in entered:
                entered.add(hop.module)
                found.through.setdefault(hop.module, set()).add(importer)

    parsed_importers = set()
    for name in sorted(reading.names):
        for found in survey.imports_of.get(name, ()):
            info = graph.modules.get(found.importer)
            if info is not None and info.file == graph.sources[found.importer]:
                parsed_importers.add(found.importer)
            elif found.target is not None:  # (star imports are left to the exact search)
                note(found.importer, resolver.resolve_import(found.target, name, not found.text.type_checking))
    for module in sorted(parsed_importers):
        info = graph.modules[module]
        for binding in info.structure.bindings:
            if binding.kind is BindingKind.IMPORT_FROM and binding.imported_name in reading.names:
                note(module, resolver.resolve_binding(info, binding))
    marked_in = _marked_lines(project, survey, [info for info in _modules(project) if roles[info.name].defines_nothing])
    for info in _modules(project):
        listed = set(info.structure.all_names or ())
        marked = marked_in.get(info.name, set())
        if not listed and not marked:
            continue
        for binding in _module_bindings(info):
            if binding.kind not in (BindingKind.IMPORT_FROM, BindingKind.ALIAS):
                continue
            named = binding.imported_name if binding.kind is BindingKind.IMPORT_FROM else \
                (binding.value or "").rpartition(".")[2]
            if named not in reading.names:
                continue  # (it cannot reach a definition named like a seed)
            is_listed = binding.name in listed
            span = binding.statement or binding.span
            is_marked = any(line in marked for line in range(span.line, span.end_line + 1))
            if not is_listed and not is_marked:
                continue
            definition = resolver.resolve_binding(info, binding).definition
            if definition is None or definition.module == info.name:
                continue
            found = evidence.setdefault(definition, _Evidence())
            if is_listed:
                found.listed_by.add(info.name)
            if is_marked:
                found.marked_by.add(info.name)
    return evidence


def _marked_lines(project: Project, survey: Survey, modules: List[ModuleInfo]) -> Dict[str, Set[int]]:
    """Per module, the lines whose `# noqa` silences F401 (imported but unused): the import is there to
    be re-exported. Comments are in the full facts only: read (in one batch, kept out of the graph) for
    the few modules defining nothing whose text has a `noqa`."""
    sources = [info.file for info in modules if survey.views[info.name].has_noqa]
    assert project.reader is not None
    return {source.module: {n.line for n in facts.noqa if n.codes is None or "F401" in n.codes}
            for source, facts in zip(sources, project.reader.facts_of(sources))}


def _candidates(project: Project, reading: Reading, evidence: Dict[Definition, _Evidence],
                roles: _Roles) -> List[Proposal]:
    """A proposal for each definition named like a seed that is handed on, or whose name other
    definitions compete for, with the intermediaries the cheap pass found."""
    proposals: Dict[Definition, Proposal] = {}
    for definition, found in evidence.items():
        if definition.qualname not in reading.seeds:
            continue  # (its evidence may be partial: only the importers of the seeds' names were read)
        modules = set(found.through) | found.listed_by | found.marked_by
        handed_on_by = _kept(Intermediary(roles[m], len(found.through.get(m, ()))) for m in modules)
        if handed_on_by:
            proposals[definition] = Proposal(_symbol(definition), definition, len(found.importers), handed_on_by)
    for definitions in _duplicated_definitions(project, reading.seeds).values():
        importers = {d: len(evidence[d].importers) if d in evidence else 0 for d, _ in definitions}
        ranked = sorted(definitions, key=lambda item: (-importers[item[0]], item[0]))
        best = ranked[0][0]
        if not importers[best]:
            continue  # nobody imports any of them: nothing to choose a source of truth from
        proposal = proposals.get(best) or Proposal(_symbol(best), best, importers[best])
        proposal.competing = [Competitor(d[0], importers[d], fallback) for d, fallback in ranked[1:]]
        proposals[best] = proposal
    return [p for p in proposals.values() if _proposable(project, p)]


def _symbol(definition: Definition) -> SymbolPath:
    return SymbolPath(definition.module, definition.qualname)


def _proposable(project: Project, proposal: Proposal) -> bool:
    """Can the configuration name it: an importable module, where its name is that definition once the
    module has run (not rebound by a decorator's result, or by a later definition of the same name)?"""
    module, name, _ = proposal.definition
    if not _importable(module) or _is_test_module(module) or "." in name or name.startswith("_"):
        return False  # (a class of a test module is that test's business, not a source of truth)
    found = project.resolver.lookup(module, name)
    return found is not None and found.definition == proposal.definition


def _duplicated_definitions(project: Project, names: AbstractSet[str]) -> Dict[str, List[Tuple[Definition, bool]]]:
    """Of these class and function names, those defined at module level in more than one module: each
    definition, and whether it is an `except ImportError` fallback. (Every module defining one of them
    at module level was parsed: survey.read_what_can_matter.)"""
    by_name: Dict[str, List[Tuple[Definition, bool]]] = {}
    for info in _modules(project):
        for binding in _module_bindings(info):
            name = binding.name
            if binding.kind not in (BindingKind.CLASS, BindingKind.FUNCTION) or name not in names:
                continue
            by_name.setdefault(name, []).append((Definition(info.name, name, binding.span.line),
                                                 binding.context.in_import_fallback))
    # One definition per module: the last (`@overload`s, or a name redefined, leave only that one bound)
    # unless the others are import fallbacks, each its own implementation.
    kept = {}
    for name, definitions in by_name.items():
        last: Dict[str, Tuple[Definition, bool]] = {}
        fallbacks = [item for item in definitions if item[1]]
        for definition, fallback in definitions:
            if not fallback:
                last[definition.module] = (definition, fallback)  # a later one replaces an earlier one
        chosen = [*last.values(), *fallbacks]
        if len({definition.module for definition, _ in chosen}) > 1:
            kept[name] = chosen
    return kept


def _search_exactly(project: Project, survey: Survey, reading: Reading, candidates: List[Proposal],
                    evidence: Dict[Definition, _Evidence], roles: _Roles) -> List[Proposal]:
    """The candidates with the shims `check` would find for them: the modules SSOT003 reports as
    undeclared shims (star imports included), the compatibility wrappers (classes and functions named
    like the symbol that delegate to it), and the redirects that mark it as re-exported. Never a
    subclass: it extends the symbol, it does not hand it on."""
    if not candidates:
        return []
    _check(project, survey, reading, _can_matter(project, survey, candidates, evidence), candidates)
    specs = tuple(CanonicalSpec(p.symbol, lookalikes=(f"*{p.symbol.name}",)) for p in candidates)
    trial = Project(replace(project.config, canonicals=specs), project.graph, resolver=project.resolver)
    importers_of = _importers_of_wrappers(project, survey, trial)
    searched = []
    for canonical, proposal in zip(trial.canonicals, candidates):
        found: Dict[str, Intermediary] = {}
        for module, (_, users) in trial.undeclared_shims(canonical).items():
            found[module] = Intermediary(roles[module], len(users))
        for wrapper in trial.wrappers(canonical).values():
            if wrapper.how != "delegates to":
                continue
            module = wrapper.info.name
            users = len(importers_of.get(wrapper.definition, set()) - {module})
            known = found.get(module, Intermediary(roles[module], 0))
            found[module] = replace(known, importers=max(users, known.importers),
                                    wrappers=(*known.wrappers, wrapper.defined.name))
        for cheap in proposal.handed_on_by:  # a marked re-export that nothing here imports through
            if cheap.module not in found and cheap.module in evidence[proposal.definition].marked_by:
                found[cheap.module] = cheap
        searched.append(replace(proposal, handed_on_by=_kept(found.values())))
    return searched


def _importers_of_wrappers(project: Project, survey: Survey, trial: Project) -> Dict[Definition, Set[str]]:
    """The modules importing each wrapper the exact search found, by any path (their names were no
    seeds: their importers are found now, as the cheap pass finds a seed's)."""
    wrappers = {w.definition for canonical in trial.canonicals for w in trial.wrappers(canonical).values()}
    importers: Dict[Definition, Set[str]] = {}
    resolver = project.resolver
    for name in sorted({definition.qualname for definition in wrappers}):
        for found in survey.imports_of.get(name, ()):
            if found.target is None:
                continue
            resolution = resolver.resolve_import(found.target, name, not found.text.type_checking)
            if resolution.definition in wrappers and resolution.definition.module != found.importer:
                importers.setdefault(resolution.definition, set()).add(found.importer)
    return importers


def _can_matter(project: Project, survey: Survey, candidates: List[Proposal],
                evidence: Dict[Definition, _Evidence]) -> Set[str]:
    """The modules the exact search checks for the candidates, as `check`'s prefilter would for them:
    their importers, the modules handing them on, other definitions of their names, modules defining
    a class or function named like theirs at module level (a wrapper), and the star importers of those."""
    relevant: Set[str] = set()
    for proposal in candidates:
        found = evidence.get(proposal.definition, _Evidence())
        relevant |= found.importers | set(found.through) | found.listed_by | found.marked_by
        relevant.update(c.module for c in proposal.competing)
    relevant |= survey.definers(_named_like(survey, candidates), module_level=True)  # (read in full: `_check`)
    handing = set(relevant)
    for module in handing:
        relevant.update(survey.stars_into.get(module, ()))
    return relevant


def _named_like(survey: Survey, candidates: List[Proposal]) -> Set[str]:
    """The names defined with `class`/`def` anywhere that are named like a candidate (`*Name`)."""
    like = lookalike_pattern(p.symbol.name for p in candidates)
    return {name for name in {n for view in survey.views.values() for n in view.defined} if like.match(name)}


def _check(project: Project, survey: Survey, reading: Reading, modules: Set[str], candidates: List[Proposal]) -> None:
    """Add these modules to the graph as checked, each with what the exact search reads of it: the full
    facts of those that define a class or function named like a candidate (a wrapper, perhaps), the
    imports of the others, parsed or (for an importer that was not) read off its text."""
    graph = project.graph
    named_like = _named_like(survey, candidates)
    in_full = sorted(survey.definers(named_like, module_level=True, among=modules))
    sources = [graph.sources[m] for m in in_full]
    assert project.reader is not None
    full = project.reader.facts_of(sources)
    # What the search resolves in those, besides the names a seed goes by: every import (a wrapper's
    # body may call what any of them binds). Parsed in one batch, not one at a time on the way.
    graph.preload(sorted({target for facts, source in zip(full, sources) for b in facts.bindings if b.is_import
                          for target in [absolute_module(source.module, source.is_package, b.level, b.module)
                                         if b.kind is not BindingKind.IMPORT_MODULE else b.module] if target}))
    for source, facts in zip(sources, full):
        graph.add_checked(source, replace(facts, attribute_refs=()))  # (imports are counted, not `m.Name`)
    for module in sorted(modules - set(in_full)):
        source = graph.sources.get(module)
        if source is None:
            continue
        info = graph.modules.get(module)
        if info is not None and info.file == source:
            graph.add_checked(source, imports_only(info, reading.names, graph))
        else:
            graph.add_checked(source, text_facts(survey, module, reading.names))


def _kept(intermediaries: Iterable[Intermediary]) -> List[Intermediary]:
    """Best first: deprecated modules, then the others that are all legacy, each by importers. Without
    the test modules that nothing imports through (they hand nothing on to anyone) and the modules that
    no import statement can name."""
    kept = [i for i in intermediaries if (i.importers or not i.role.is_test) and _importable(i.module)]
    return sorted(kept, key=lambda i: (not i.role.warns, not i.is_legacy, -i.importers, i.module))


def render_proposals(proposals: List[Proposal], config: Config, section: str = "tool.ssot-lint") -> str:
    lines = ["[tool.ssot-lint]", f"src = {list(config.src)!r}".replace("'", '"'), "exclude = []", ""]
    if not proposals:
        lines.append("# ssot-lint found no shim to propose (a module that only hands on what others define, or that")
        lines.append("# warns it is deprecated) and no except ImportError fallback of a class or function.")
        lines.append(STARTER.split("\n", 4)[4])
    for proposal in proposals:
        verb = "imports" if proposal.importers == 1 else "import"
        lines.append(f"# {proposal.reason()}; {_count(proposal.importers, 'module')} {verb} {proposal.symbol}.")
        lines.extend(_competitor_lines(proposal.competing))
        for other in proposal.handed_on_by:
            if not other.is_legacy:  # `check` reports it (SSOT003) and the imports through it (SSOT002)
                lines.append(f"#   also handed on by {other.module} ({other.note()}): not a shim, other imports "
                             "from it are fine")
        lines.append("[[tool.ssot-lint.canonical]]")
        lines.append(f'symbol = "{proposal.symbol}"')
        if proposal.shims:
            lines.append("shims = [")
            for shim in proposal.shims:
                lines.append(f'  "{shim.module}",  # {shim.note()}')
            lines.append("]")
        else:
            lines.append("shims = []")
        if any(c.matters for c in proposal.competing):
            lines.append(f'lookalikes = ["*{proposal.symbol.name}"]')
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    return text if section == "tool.ssot-lint" else _top_level(text)


# Other definitions listed one by one; past this many, the ones that do not matter are only counted.
_COMPETITORS_LISTED = 10


def _competitor_lines(competing: Iterable[Competitor]) -> List[str]:
    competing = sorted(competing, key=lambda c: (not c.matters, -c.importers, c.module))
    lines = []
    for competitor in competing:
        if not competitor.matters and len(lines) >= _COMPETITORS_LISTED:
            rest = len(competing) - len(lines)
            lines.append(f"#   and in {_count(rest, 'other module')}, unused or only by their tests")
            break
        how = ", an except ImportError fallback" if competitor.fallback else ""
        lines.append(f"#   also defined in {competitor.module} (imported by {competitor.importers}{how})")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def starter(section: str) -> str:
    return STARTER if section == "tool.ssot-lint" else _top_level(STARTER)


def _top_level(text: str) -> str:
    """The same configuration for ssot-lint.toml, where the keys sit at the top level."""
    return text.replace("[tool.ssot-lint]\n", "").replace("[[tool.ssot-lint.canonical]]", "[[canonical]]")
