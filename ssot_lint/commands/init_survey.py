"""What `init --discover` reads of each module: the text of all, and which of them to parse.

A proposal needs a module that is all legacy handing its symbol on (it defines no class or function at
column 0: nothing, or only `except ImportError` fallbacks), or an import fallback of its name. So:

1. every module's text is scanned (textscan.py: its `from` imports, the names it defines, a few signs);
2. the modules that may be all legacy (no `class`/`def` at column 0) are parsed, and those that are
   hand names on: the definitions those names resolve to, and the names defined in `except` clauses
   that catch import errors, are the *seed names* (the only names a proposal can have);
3. the modules that import a seed name (by any name it is renamed to on the way: `as`, `X = Name`),
   define it, or hand it on are what the evidence of a seed's definition is read from. Of those, only
   the ones that something imports a seed name *from* (the chains that resolution follows), that list
   `__all__`, or that define a seed name need parsing: a module that only imports is an importer, and
   what it imports is in its text (a `from` line resolved on parsed modules).

On the 4.2M-line monorepo this parses about a tenth of the files instead of all of them. What the text
finds is a superset of what the parser would (see textscan.py), so nothing that the evidence of a seed
depends on is left unparsed; the one thing read off the text alone, an unparsed importer's own `from`
lines, is what the parser would read there too, but for an import inside a string at the start of a
line (textscan.py keeps those out of triple-quoted strings).

The exact search (init_search.py) then checks a module with only what it needs of it: its imports,
read off the parsed facts (`imports_only`) or, for a module left unparsed, off the text (`text_facts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple

from ssot_lint.facts.model import Binding, BindingKind, Branch, BranchKind, Context, FileFacts, Span
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph, absolute_module
from ssot_lint.analysis.project import Project
from ssot_lint.files.textscan import TextImport, TextView, aliases, scan_files

# Names that are never a proposal (see init_search._proposable and init_search._duplicated_definitions).
_COMMON_NAMES = frozenset({"main", "setup", "run", "Meta", "Config", "Settings", "Error", "Base", "test", "cli"})


def seedable(name: str) -> bool:
    """Can a definition of this name be proposed, or compete with one?"""
    return not name.startswith(("_", "Test", "test")) and name not in _COMMON_NAMES


@dataclass(frozen=True)
class Import:
    """A `from` import of one module, its target made absolute."""

    importer: str
    target: Optional[str]  # None: a relative import beyond the top-level package
    text: TextImport


@dataclass
class Survey:
    """Every module's text, indexed: who imports which name from where."""

    graph: ProjectGraph
    views: Dict[str, TextView]  # by module (the file that holds the name, as the graph keeps it)
    imports_of: Dict[str, List[Import]] = field(default_factory=dict)  # by the name imported (not "*")
    stars_into: Dict[str, List[str]] = field(default_factory=dict)  # module -> modules that star-import it
    names_from: Dict[str, Set[str]] = field(default_factory=dict)  # module -> the names imported from it

    @staticmethod
    def of(graph: ProjectGraph, jobs: int, progress=None) -> "Survey":
        sources = sorted(graph.sources.values(), key=lambda s: s.relpath)
        views = {}
        for source, view in zip(sources, scan_files(sources, jobs, progress)):
            views[source.module] = view if view is not None else TextView((), (), True, False, (), False, False, False)
        survey = Survey(graph, views)
        for source in sources:
            for text in views[source.module].imports:
                target = absolute_module(source.module, source.is_package, text.level, text.module or None)
                if text.name == "*":
                    if target is not None:
                        survey.stars_into.setdefault(target, []).append(source.module)
                else:
                    survey.imports_of.setdefault(text.name, []).append(Import(source.module, target, text))
                    if target is not None:
                        survey.names_from.setdefault(target, set()).add(text.name)
        return survey

    def may_be_legacy(self) -> List[str]:
        """Modules that define no class or function at column 0, and either assign no value there (they
        may define nothing but imports) or define import fallbacks (they may define nothing else); a
        package only if it may warn (a package is all legacy only when deprecated)."""
        return sorted(m for m, view in self.views.items() if not view.defines_at_top
                      and (not view.assigns_at_top or view.fallback_names)
                      and (not self.graph.sources[m].is_package or view.warns))

    def fallback_names(self) -> Set[str]:
        return {name for view in self.views.values() for name in view.fallback_names if seedable(name)}

    def names_imported_from(self, module: str) -> Set[str]:
        return self.names_from.get(module, set())

    def stars_of(self, module: str) -> List[str]:
        source = self.graph.sources[module]
        return [target for t in self.views[module].imports if t.name == "*"
                for target in (absolute_module(module, source.is_package, t.level, t.module or None),) if target]

    def star_importers(self, modules: Iterable[str]) -> Set[str]:
        """Modules that star-import any of these, transitively (they hand on what those export)."""
        found: Set[str] = set()
        frontier = list(modules)
        while frontier:
            module = frontier.pop()
            for importer in self.stars_into.get(module, ()):
                if importer not in found:
                    found.add(importer)
                    frontier.append(importer)
        return found

    def definers(self, names: Set[str], module_level: bool, among: Optional[Iterable[str]] = None) -> Set[str]:
        """Modules whose text defines one of `names` with `class`/`def`; with `module_level`, only where
        no `class` or `def` line encloses it (read again from the file: a method is no module-level
        definition)."""
        found = set()
        for module in self.views if among is None else among:
            view = self.views.get(module)
            if view is None:
                continue
            named = names.intersection(view.defined)
            if named and (not module_level or _defined_at_module_level(self._read(module), named)):
                found.add(module)
        return found

    def _read(self, module: str) -> bytes:
        try:
            with open(self.graph.sources[module].absolute, "rb") as file:
                return file.read()
        except OSError:
            return b""

    def imports_of_module(self, module: str) -> List[Import]:
        source = self.graph.sources[module]
        return [Import(module, absolute_module(module, source.is_package, t.level, t.module or None), t)
                for t in self.views[module].imports if t.name != "*"]

    def aliases_of(self, module: str, names: Set[str]) -> Set[str]:
        """The names the module binds to one of `names` with `X = name` (or `X = name.attr`...: only
        the last name of the value is compared, as for a parsed module)."""
        if not names:
            return set()
        return {alias for alias, value in aliases(self._read(module), names) if value in names}


def _defined_at_module_level(data: bytes, names: Set[str]) -> bool:
    pattern = re.compile(rb"\n([ \t]*)(?:async[ \t]+)?(?:def|class)[ \t]+(?:" +
                         b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\b")
    text = b"\n" + data
    for match in pattern.finditer(text):
        if _enclosing_headers_are_blocks(text, match.start(), len(match.group(1))):
            return True
    return False


_HEADER_OF_SCOPE = re.compile(rb"[ \t]*(?:async[ \t]+)?(?:def|class)\b")


def _enclosing_headers_are_blocks(text: bytes, position: int, indent: int) -> bool:
    """Is the line after `position` enclosed only by `if`/`try`/... blocks, no `class` or `def`: each line
    above it with less indentation than the last, up to column 0."""
    while indent > 0 and position > 0:
        above = text.rfind(b"\n", 0, position)
        line = text[above + 1:position]
        stripped = line.lstrip(b" \t")
        if stripped.strip() and not stripped.startswith((b"#", b"@")) and len(line) - len(stripped) < indent:
            if _HEADER_OF_SCOPE.match(line):
                return False
            indent = len(line) - len(stripped)
        position = above
    return True


@dataclass
class Reading:
    """What the staged reading decided: the seed names, every name they go by, and which modules were
    parsed (the others' `from` lines are read off the text)."""

    seeds: Set[str]  # names of the definitions a proposal can be for
    names: Set[str]  # the seeds and the names they are bound under elsewhere (`as`, aliases)
    parsed: Set[str] = field(default_factory=set)


def read_what_can_matter(project: Project, survey: Survey, legacy) -> Reading:
    """Parse the modules the evidence of the seeds depends on (see the module docstring), in a few
    parallel batches. `legacy(module)`: is the parsed module all legacy (init_proposals' roles)?"""
    graph, resolver = project.graph, project.resolver
    maybe = survey.may_be_legacy()
    _parse(graph, maybe)
    seeds = set(survey.fallback_names())
    handing = [m for m in maybe if m in graph.modules and legacy(m)]
    passing_on = survey.star_importers(handing)
    _parse(graph, sorted(passing_on))
    _parse_chains(graph, survey, [(m, n) for m in {*handing, *passing_on} for n in survey.names_imported_from(m)]
                  + [(i.target, i.text.name) for m in handing for i in survey.imports_of_module(m) if i.target])
    for module in handing:
        info = graph.modules[module]
        for binding in module_bindings(info):
            if binding.kind in (BindingKind.IMPORT_FROM, BindingKind.ALIAS):
                definition = resolver.resolve_binding(info, binding).definition
                if definition is not None and definition.module != module:
                    seeds.add(definition.qualname)
    for module in {*handing, *passing_on}:  # names handed on through star imports
        for name in survey.names_imported_from(module):
            found = resolver.resolve_import(module, name)
            if found.definition is not None and found.definition.module != module:
                seeds.add(found.definition.qualname)
    seeds = {name for name in seeds if seedable(name) and "." not in name}
    reading = Reading(seeds, set(seeds), set(graph.modules))
    definers = survey.definers(seeds, module_level=True)
    while True:
        imports = [i for name in reading.names for i in survey.imports_of.get(name, ())]
        importers = {i.importer for i in imports}
        targets = {i.target for i in imports if i.target in graph.sources}  # (not outside the project)
        # What resolution looks into: the modules something imports these names from, star-imports
        # (if they import one of them), or that import from themselves (`from . import x` in a package).
        looked_into = targets | (importers & set(survey.stars_into)) | {i.importer for i in imports if i.target == i.importer}
        # (and the modules star-importing those that something imports from or star-imports in turn)
        looked_into |= survey.star_importers(looked_into | definers) & (survey.stars_into.keys() | survey.names_from.keys())
        listing = {m for m in importers if survey.views[m].has_all}
        wanted = (looked_into | listing | definers) - reading.parsed
        _parse(graph, sorted(wanted))
        _parse_around(graph, sorted(wanted))
        reading.parsed |= wanted
        renamed = {i.text.local for i in imports if i.text.local != i.text.name}
        for module in looked_into | definers | (importers & survey.names_from.keys()):  # `X = Name` in a module
            info = graph.modules.get(module)  # others import from: parsed, or read off the text
            if info is not None:
                renamed.update(b.name for b in module_bindings(info)
                               if b.kind is BindingKind.ALIAS and (b.value or "").rpartition(".")[2] in reading.names)
            else:
                locals_ = {i.text.local for i in survey.imports_of_module(module) if i.text.name in reading.names}
                renamed.update(survey.aliases_of(module, locals_))
        new = renamed - reading.names
        if not new:
            return reading
        reading.names |= new


def _parse(graph: ProjectGraph, modules: List[str]) -> None:
    graph.preload(modules)


def _parse_around(graph: ProjectGraph, modules: List[str]) -> None:
    """Parse, a batch per step, what resolution looks into when it reads these modules besides where
    their names come from: the modules they star-import, and those their `try` bodies import from
    (whether the `try` succeeds decides which binding counts). Otherwise loaded one at a time."""
    for _ in range(4):
        following = set()
        for module in modules:
            info = graph.modules.get(module)
            for binding in info.structure.bindings if info is not None else ():
                if binding.kind is BindingKind.STAR or (binding.is_import and binding.context.innermost_try):
                    following.update(graph.imported_modules(info, binding))
        modules = sorted(m for m in following if m not in graph.modules)
        if not modules:
            return
        _parse(graph, modules)


def _parse_chains(graph: ProjectGraph, survey: Survey, pairs: List[Tuple[str, str]]) -> None:
    """Parse, a batch per step, the modules resolution will pass through to resolve these (module, name)
    pairs, as their text tells: the module, then where it imports the name from (or star-imports)."""
    seen: Set[Tuple[str, str]] = set()
    frontier = [p for p in pairs if p[0] in graph.sources]
    for _ in range(8):  # (what is left is loaded one module at a time, on the way)
        frontier = [p for p in frontier if p not in seen]
        if not frontier:
            return
        seen.update(frontier)
        _parse(graph, sorted({module for module, _ in frontier}))
        following = []
        for module, name in frontier:
            for found in survey.imports_of_module(module):
                if found.text.local == name and found.target in graph.sources:
                    following.append((found.target, found.text.name))
            following.extend((star, name) for star in survey.stars_of(module) if star in graph.sources)
        frontier = following


def text_facts(survey: Survey, module: str, names: Set[str]) -> FileFacts:
    """What `check` would read of an importer that is not parsed, for the exact search: its `from`
    imports of these names, and its star imports (all of them at module level, or under
    `TYPE_CHECKING` where the text says so)."""
    bindings = []
    source = survey.graph.sources[module]
    for order, text in enumerate(survey.views[module].imports):
        if text.name != "*" and text.name not in names:
            continue
        if text.name == "*" and absolute_module(module, source.is_package, text.level, text.module or None) \
                not in survey.graph.modules:
            continue  # it hands on none of `names` (or it would have been parsed)
        span = Span(text.line, 1, text.line, 1)
        context = _TYPE_CHECKING if text.type_checking else _MODULE_LEVEL
        kind = BindingKind.STAR if text.name == "*" else BindingKind.IMPORT_FROM
        bindings.append(Binding("*" if kind is BindingKind.STAR else text.local, kind, span, context, order,
                                module=text.module, level=text.level,
                                imported_name=None if kind is BindingKind.STAR else text.name, statement=span))
    return FileFacts(bindings=tuple(bindings))


_MODULE_LEVEL = Context()
_TYPE_CHECKING = Context(branches=(Branch(BranchKind.TYPE_CHECKING),))


def imports_only(info: ModuleInfo, names: Set[str], graph: ProjectGraph) -> FileFacts:
    """A parsed module's facts as the exact search reads them: its module-level bindings and the imports
    and aliases of every scope (what the module-level view has), less the imports that bind none of
    `names` and that no alias reads (resolving them could not reach a candidate, and loaded the modules
    they name one at a time), and nothing else: the search counts the modules that import a symbol
    through another, as the cheap pass does, not `m.Name` reads. (Resolution's view of a `try` comes
    from the module's import structure, which this leaves as it was.)"""
    module_level = module_bindings(info)
    seen = {id(b) for b in module_level}
    bindings = [*module_level, *(b for b in info.structure.bindings if id(b) not in seen)]
    read = {(b.value or "").split(".", 1)[0] for b in bindings if b.kind is BindingKind.ALIAS}

    def star_targets_parsed(star: Binding) -> bool:  # else it hands on none of `names`: see text_facts
        return graph.absolute(info, star) in graph.modules

    kept = [b for b in bindings if (b.kind is not BindingKind.IMPORT_FROM and b.kind is not BindingKind.STAR)
            or (b.kind is BindingKind.IMPORT_FROM and (b.name in names or b.imported_name in names or b.name in read))
            or (b.kind is BindingKind.STAR and star_targets_parsed(b))]
    return FileFacts(bindings=tuple(sorted(kept, key=lambda b: b.order)), all_names=info.structure.all_names,
                     all_is_dynamic=info.structure.all_is_dynamic)


def module_bindings(info: ModuleInfo) -> List[Binding]:
    """Every binding of the module's namespace, name by name."""
    return [binding for named in info.namespace.values() for binding in named]
