"""The prefilter: parse only the files that can matter, growing the set to a fixpoint.

A file can produce a violation only if its text names something tracked: a
canonical symbol, a lookalike, a product, a shim or canonical module, or, found
along the way, an alias, wrapper or re-exporting module of one of them. The
token set starts from the configuration; after parsing the files that mention
it, the bindings there that resolve to a tracked object add their names, and
the files that mention those are parsed in turn, until nothing new is found.

Import cycles through a canonical module pass only through modules it imports,
transitively; SSOT010 loads those itself (`ProjectGraph.load_import_closure`).

Modules outside the set are still read when resolution follows a chain
through them (`ProjectGraph.get`), so resolution stays exact; they are just
not checked, since they cannot mention anything tracked. The test suite checks
that results are identical with and without the prefilter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Optional, Sequence, Set, Tuple

from ssot_lint.analysis.depends import DependentAnswers
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import Resolver, TargetKind
from ssot_lint.config import Config
from ssot_lint.facts.model import Binding, BindingKind
from ssot_lint.files.discovery import SourceFile
from ssot_lint.files.reader import SourceReader
from ssot_lint.files.tokens import Tokens


@dataclass(frozen=True)
class PrefilterRun:
    """What the fixpoint did, for the run cache (engine/reuse.py): the token set each round checked files
    against (the first the configured one, each later one what that round added), and the round that let
    each checked file through, by path."""

    rounds: Tuple[Tokens, ...]
    round_of: Dict[str, int]


def check_matching(config: Config, graph: ProjectGraph, reader: SourceReader, files: Sequence[SourceFile], *,
                   missing: str, mentions: Callable[[str], bool],
                   answers: Optional[DependentAnswers] = None) -> Tuple[Project, PrefilterRun]:
    """Check the files that match the tokens, growing them to a fixpoint: after each round, the bindings
    of the checked modules that resolve to something tracked add their names, and the files that name
    those are checked in turn. Every round's project shares one resolver (resolution does not depend on
    which modules are checked); the last one's tokens are final."""
    resolver = Resolver(graph, answers)
    same = resolver.answers.one_of  # (one object per token set: its remembered searches outlive this run)
    tokens = same(initial_tokens(config))
    checked = reader.matching(files, tokens)
    add_checked(graph, reader, checked, tokens)
    round_of = {f.relpath: 0 for f in checked}
    rounds = [tokens]
    while True:
        project = Project(config, graph, resolver=resolver, tokens=tokens, mentions_configured_name=mentions,
                          reader=reader, missing=missing)
        grown = same(derive_tokens(project, tokens))
        if grown == tokens:
            return project, PrefilterRun(tuple(rounds), round_of)
        # A file that did not match the old tokens matches the grown set only through what is new.
        new = same(grown.difference(tokens))
        tokens = grown
        rounds.append(new)
        more = reader.matching([f for f in files if f.relpath not in graph.checked
                                and f.relpath not in graph.checked_unparsed], new)
        # A module checked on its view may name a new token where the view does not have it: read it all.
        named = reader.matching([info.file for info in graph.checked.values() if info.view_enough], new)
        for source, facts in zip(named, reader.facts_of(named)):
            graph.checked[source.relpath].complete(facts)
            graph.checked[source.relpath].view_enough = False
        add_checked(graph, reader, more, new)
        round_of.update({f.relpath: len(rounds) - 1 for f in more})


def add_checked(graph: ProjectGraph, reader: SourceReader, files: Sequence[SourceFile],
                tokens: Optional[Tokens]) -> None:
    """Add the files that matched `tokens` as checked modules, in order: on their module-level view where that
    holds all the rules could find in them (`SourceReader.view_suffices`), else on their full facts."""
    on_view = {f.relpath for f in files if tokens is not None and reader.view_suffices(f, tokens)}
    in_full = [f for f in files if f.relpath not in on_view]
    viewed = [f for f in files if f.relpath in on_view]
    facts = {**dict(zip((f.relpath for f in in_full), reader.facts_of(in_full))),
             **dict(zip((f.relpath for f in viewed), reader.facts_of(viewed, module_view=True)))}
    for source in files:
        graph.add_checked(source, facts[source.relpath])


def initial_tokens(config: Config) -> Tokens:
    """The tokens the configuration names."""
    names: Set[str] = set()
    patterns = []
    modules: Set[str] = set()
    for spec in config.canonicals:
        names.add(spec.symbol.name)
        modules.add(spec.symbol.module)
        modules.update(spec.shims)
        for product in spec.products:
            names.add(product.name)
        patterns.extend(spec.lookalikes)
    return Tokens(frozenset(names), tuple(sorted(set(patterns))), frozenset(modules))


def derive_tokens(project: Project, tokens: Tokens) -> Tokens:
    """One step of the fixpoint: what the checked modules show to be tracked too."""
    resolver = project.resolver
    tracked = set()
    names: Set[str] = set()
    for canonical in project.canonicals:
        tracked.add(canonical.definition)
        tracked.update(canonical.products)
        # The names the definitions themselves have: `pkg.mod:A` may be bound to a class B (`A = B`), and
        # `X = B` elsewhere is then the canonical too.
        names.update(definition.qualname.rpartition(".")[2] for definition in (canonical.definition, *canonical.products))
        for wrapper in project.wrappers(canonical).values():
            tracked.add(wrapper.definition)
            names.add(wrapper.defined.name)  # (a private `_get_env` matches no token: its importers must be read)
    shims = {shim for c in project.canonicals for shim in c.shims}

    def is_tracked(resolution) -> bool:
        if resolution.kind is TargetKind.MODULE:
            return resolution.module in shims
        return resolution.definition in tracked

    # The module-level imports, aliases and star imports of each checked module (see `ModuleLevelReads`).
    modules = [project.per_module("module-level reads", info, tokens,
                                  lambda: ModuleLevelReads.of(project.graph, info, tokens))
               for info in list(project.graph.checked.values())]
    star_modules: Set[str] = set()
    done: Set[Tuple[int, int]] = set()  # (module, candidate) found tracked, or found to resolve to nothing tracked
    # Passes over the checked modules until nothing new turns up: an alias of an alias found in this
    # pass is then looked for in the same round, not one round (and one rescan of the files) later.
    changed = True
    while changed:
        changed = False
        current = tokens.grow(names, star_modules)
        added = set(current.names - tokens.names)  # what `current` has that `tokens` has not (see below)
        for number, reads in enumerate(modules):
            # In order, as if every candidate were looked at: one whose path the tokens do not mention is
            # skipped, while the names added to them are none of its module's `unmentioned` (the test of
            # `current.mentioned_in(path)`: its words are those of `tokens` and the names added since).
            every = bool(added) and not added.isdisjoint(reads.unmentioned)
            positions = range(len(reads.candidates)) if every else reads.worth_a_look
            step = 0
            while step < len(positions):
                position = positions[step]
                step += 1
                if (number, position) in done:
                    continue
                info, segment, binding, source, mentioned = reads.candidates[position]
                if binding.kind is BindingKind.STAR:
                    if source and current.mentioned_in(source) or (source or "").rpartition(".")[2] in \
                            current.star_modules:
                        if any(resolver.exports(source, n) and is_tracked(resolver.resolve_import(source, n))
                               for n in current.names):
                            star_modules.add(segment)
                            done.add((number, position))
                    continue
                if not (mentioned or added and not added.isdisjoint((source or "").split("."))):
                    continue
                done.add((number, position))  # (what it resolves to stays what it is: it is asked once)
                if is_tracked(resolver.resolve_binding(info, binding)):
                    if binding.name not in current.names or segment not in current.star_modules:
                        changed = changed or binding.name not in current.names
                        names.add(binding.name)
                        star_modules.add(segment)
                        current = current.grow([binding.name], [segment])  # (a new set: only when it grows)
                        added.update(current.names - tokens.names)
                        if not every and not added.isdisjoint(reads.unmentioned):
                            every, positions, step = True, range(position + 1, len(reads.candidates)), 0
    return tokens.grow(names, star_modules)


@dataclass(frozen=True)
class ModuleLevelReads:
    """A checked module's module-level imports, aliases and star imports (its candidates), each with its
    module's last name, what it reads (the absolute module of a star import, the dotted path of any other) and
    whether the round's tokens mention that; the positions of those worth a look at the start of the round
    (star imports, and what the tokens mention), and the names of the paths they do not mention: a name added
    to the tokens that is none of those mentions nothing new in the module."""

    candidates: Tuple[Tuple[ModuleInfo, str, Binding, Optional[str], bool], ...]
    worth_a_look: Tuple[int, ...]
    unmentioned: FrozenSet[str]

    @staticmethod
    def of(graph: ProjectGraph, info: ModuleInfo, tokens: Tokens) -> "ModuleLevelReads":
        found = []
        for binding in info.structure.bindings:
            if not binding.context.at_module_level:
                continue
            source = graph.absolute(info, binding) if binding.kind is BindingKind.STAR else \
                binding.value if binding.kind is BindingKind.ALIAS else \
                f"{binding.module or ''}.{binding.imported_name or ''}"
            found.append((info, info.name.rpartition(".")[2], binding, source, tokens.mentioned_in(source or "")))
        worth = tuple(position for position, (_, _, binding, _, mentioned) in enumerate(found)
                      if mentioned or binding.kind is BindingKind.STAR)
        unmentioned = frozenset(part for (_, _, binding, source, mentioned) in found
                                if not mentioned and binding.kind is not BindingKind.STAR
                                for part in (source or "").split("."))
        return ModuleLevelReads(tuple(found), worth, unmentioned)
