"""Finding `init --discover`'s proposals: the signs read off the code, the candidates, the exact search.

No module is parsed to begin with: init_survey.py reads the text of every one, and parses only what
the signs below can depend on (the seeds: the names a proposal can have). A module that only imports is
an importer: its `from` lines, read off its text, are resolved on the parsed modules. The signs are then
read off the resolved imports, in one pass:

- the modules that hand the very symbol on: they bind it at module level and other modules import it
  through them, or they list it in `__all__`, or they define nothing themselves and import it with
  `# noqa: F401`;
- other definitions of its name: `except ImportError` fallbacks, and definitions outside the tests
  that something imports. The latter alone propose nothing: as often as not they are unrelated classes
  that share a name.

Each candidate earns points for these signs (init_proposals.py). Only the best few candidates, a small
multiple of the number of proposals asked for, then go through the exact search, the one `check` runs:
the modules SSOT003 would report as undeclared shims (star imports included), counted from import
statements (not `m.Name` reads), and the classes and functions named like the symbol that delegate to
it; only the modules defining such a class or function at module level are read in full for it. So
the time does not grow with the number of candidates. The proposals come out best first.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace
from typing import AbstractSet, Callable, Dict, List, Optional, Set, Tuple

from ssot_lint.files.cache import FactsCache
from ssot_lint.config import CanonicalSpec, Config, SymbolPath
from ssot_lint.files.discovery import discover
from ssot_lint.facts.model import BindingKind
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph, absolute_module
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import Definition
from ssot_lint.files.reader import SourceReader
from ssot_lint.commands.init_proposals import (
    Competitor, Intermediary, Proposal, Roles, best_first, importable, is_test_module, worth_naming,
)
from ssot_lint.commands.init_survey import (
    Reading, Survey, imports_only, module_bindings, read_what_can_matter, text_facts,
)

DEFAULT_LIMIT = 5
# Candidates that go through the exact search, per proposal asked for: the cheap points rank the
# best ones well, not exactly.
EXACT_SEARCH_PER_PROPOSAL = 3


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
    of every one (init_survey.py)."""

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
    roles = Roles(project)
    reading = read_what_can_matter(project, survey, lambda module: Intermediary(roles[module], 0).is_legacy)
    evidence = _gather_evidence(project, survey, reading, roles)
    candidates = best_first(_candidates(project, reading, evidence, roles), EXACT_SEARCH_PER_PROPOSAL * limit)
    proposals = best_first(_search_exactly(project, survey, reading, candidates, evidence, roles), limit)
    assert project.reader is not None
    project.reader.cache.save()
    return proposals


def _modules(project: Project) -> List[ModuleInfo]:
    """Every module parsed (init_survey.read_what_can_matter, and what resolution loaded on the way)."""
    return list(project.graph.modules.values())


def _gather_evidence(project: Project, survey: Survey, reading: Reading, roles: Roles) -> Dict[Definition, _Evidence]:
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
        for binding in module_bindings(info):
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
                roles: Roles) -> List[Proposal]:
    """A proposal for each definition named like a seed that is handed on, or whose name other
    definitions compete for, with the intermediaries the cheap pass found."""
    proposals: Dict[Definition, Proposal] = {}
    for definition, found in evidence.items():
        if definition.qualname not in reading.seeds:
            continue  # (its evidence may be partial: only the importers of the seeds' names were read)
        modules = set(found.through) | found.listed_by | found.marked_by
        handed_on_by = worth_naming(Intermediary(roles[m], len(found.through.get(m, ()))) for m in modules)
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
    if not importable(module) or is_test_module(module) or "." in name or name.startswith("_"):
        return False  # (a class of a test module is that test's business, not a source of truth)
    found = project.resolver.lookup(module, name)
    return found is not None and found.definition == proposal.definition


def _duplicated_definitions(project: Project, names: AbstractSet[str]) -> Dict[str, List[Tuple[Definition, bool]]]:
    """Of these class and function names, those defined at module level in more than one module: each
    definition, and whether it is an `except ImportError` fallback. (Every module defining one of them
    at module level was parsed: init_survey.read_what_can_matter.)"""
    by_name: Dict[str, List[Tuple[Definition, bool]]] = {}
    for info in _modules(project):
        for binding in module_bindings(info):
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
                    evidence: Dict[Definition, _Evidence], roles: Roles) -> List[Proposal]:
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
        searched.append(replace(proposal, handed_on_by=worth_naming(found.values())))
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
    like = re.compile("|".join(fnmatch.translate(f"*{p.symbol.name}") for p in candidates))
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
