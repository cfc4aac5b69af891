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

import bisect
import fnmatch
import hashlib
import re
from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, List, Optional, Set, Tuple

from ssot_lint.config import Config
from ssot_lint.facts.model import BindingKind
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind

_SEPARATOR = rb"(?:[ \t]|\\\r?\n)+"  # spaces, or a backslash line continuation

# Bytes of an identifier: where a lookalike pattern's match is widened to the whole name.
_IDENTIFIER_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# A relative import: `from .`, `from ..sub`.
_RELATIVE_IMPORT = re.compile(rb"(?<![A-Za-z0-9_.])from" + _SEPARATOR + rb"\.")
# `import *`, and the `from <path>` that ends right before it (a `from` in a comment or a string, or one
# that starts no statement, only makes the prefilter generous).
_IMPORT_STAR = re.compile(rb"import" + _SEPARATOR + rb"\*")
# An import statement to its end (`import a.b as c`, `from .m import (A,\n B)`; not past a `;` or a comment),
# with the module of a `from`.
_IMPORT_STATEMENT = re.compile(rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+)?import[ \t]+(?:\([^)]*\)|[^\r\n;#]*)", re.M)
# What stands right before and after a name in a type annotation: `hass: T,`, `-> T:`, `list[T]`, `T | None`.
_ANNOTATION_BEFORE = re.compile(rb"(?:->|:|\[|\|)[ \t]*\Z")
_ANNOTATION_AFTER = re.compile(rb"[ \t]*(?:[,)=:|\]]|\r?\n|\Z)")
# `noqa` in any case, as facts.py reads noqa comments.
_ANY_NOQA = re.compile(rb"[nN][oO][qQ][aA]")
# More patterns than this, and a search through git is slower than Python's scan.
_MOST_SEARCH_PATTERNS = 64
_FROM_PATH = re.compile(rb"(?<![A-Za-z0-9_.])from" + _SEPARATOR + rb"([\w.]*)" + _SEPARATOR + rb"\Z")


def _identifier_regex(pattern: str) -> Tuple[bytes, "re.Pattern[bytes]"]:
    """A literal every match contains, and a regex finding a whole identifier that matches the
    fnmatch `pattern` (a plain name is a pattern without wildcards).

    The regex starts with a literal wherever it can, since Python's re then finds candidates with a
    fast literal scan: a leading or trailing `*` needs no boundary on that side, and the boundary
    before a literal prefix is checked after it (`Tr(?<![A-Za-z0-9_]Tr)`, not `(?<![A-Za-z0-9_])Tr`:
    twenty times faster for a short name that is common inside other words)."""
    body = _regex_body(pattern)
    end = b"" if body.endswith("\x00") else rb"(?![A-Za-z0-9_])"
    prefix = re.match(r"[^*?\[]*", pattern).group()  # type: ignore[union-attr]
    if body.startswith("\x00"):
        regex = _wildcards(body.strip("\x00"))
    elif prefix:
        escaped = re.escape(prefix.encode())
        regex = escaped + rb"(?<![A-Za-z0-9_]" + escaped + b")" + _wildcards(_regex_body(pattern[len(prefix):]))
    else:
        regex = rb"(?<![A-Za-z0-9_])" + _wildcards(body)
    fragments = [f for f in re.split(r"[*?]|\[[^\]]*\]", pattern) if f]
    literal = max(fragments, key=len).encode() if fragments else b""
    return literal, re.compile(regex.rstrip(b"\x00").replace(b"\x00", b"[A-Za-z0-9_]*") + end)


def _regex_body(pattern: str) -> str:
    """fnmatch's regex for `pattern`, with `.*` marked \\x00 and `.` marked \\x01 (identifier characters)."""
    translated = fnmatch.translate(pattern)  # e.g. '(?s:.*ExecutionEngineFactory)\\Z'
    return translated[len("(?s:"):translated.rindex(")")].replace(".*", "\x00").replace(".", "\x01")


def _wildcards(body: str) -> bytes:
    return body.replace("\x01", "[A-Za-z0-9_]").encode()


@dataclass(frozen=True)
class Tokens:
    """What makes a file worth parsing."""

    names: FrozenSet[str]  # identifiers naming something tracked
    patterns: Tuple[str, ...] = ()  # lookalike patterns (fnmatch, over whole identifiers)
    modules: FrozenSet[str] = frozenset()  # tracked modules (canonical and shims), dotted
    star_modules: FrozenSet[str] = frozenset()  # modules whose star import brings in something tracked
    _compiled: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def module_segments(self) -> FrozenSet[str]:
        if "segments" not in self._compiled:
            self._compiled["segments"] = frozenset(m.rpartition(".")[2] for m in self.modules)
        return self._compiled["segments"]

    @property
    def patterns_regex(self) -> Optional["re.Pattern[str]"]:
        """One regex for all the lookalike patterns (fnmatch, over a whole identifier)."""
        if "patterns" not in self._compiled:
            self._compiled["patterns"] = re.compile("|".join(fnmatch.translate(p) for p in self.patterns)) \
                if self.patterns else None
        return self._compiled["patterns"]

    @property
    def key(self) -> str:
        """A hash of the set, naming it in the cache (asked once per file: computed once)."""
        if "key" not in self._compiled:
            text = repr((sorted(self.names), self.patterns, sorted(self.modules), sorted(self.star_modules)))
            self._compiled["key"] = hashlib.sha256(text.encode()).hexdigest()[:16]
        return self._compiled["key"]

    def mentioned_in(self, dotted: str) -> bool:
        """Does a name of the dotted path `dotted` match the tokens? (Generous: it only decides what is
        worth resolving. At the fixpoint, every name bound to something tracked is a token, and every
        module path that leads to a tracked module ends in one's last name.)"""
        known = self._compiled.get("mentioned")
        if known is None:
            known = self._compiled["mentioned"] = {}  # (asked of the same few paths thousands of times)
        found = known.get(dotted)
        if found is None:
            words = self._compiled.get("words")
            if words is None:
                words = self._compiled["words"] = self.names | self.module_segments
            parts = dotted.split(".")
            patterns = self.patterns_regex
            found = known[dotted] = not words.isdisjoint(parts) or (
                patterns is not None and any(patterns.match(part) for part in parts))
        return found

    def difference(self, older: "Tokens") -> "Tokens":
        """What this set adds to an older one it grew from (the configured ones are not repeated)."""
        return Tokens(self.names - older.names, (), frozenset(), self.star_modules - older.star_modules)

    def grow(self, names: Iterable[str] = (), star_modules: Iterable[str] = ()) -> "Tokens":
        return Tokens(self.names | frozenset(names), self.patterns, self.modules,
                      self.star_modules | frozenset(star_modules))

    def _regexes(self):
        if "identifiers" not in self._compiled:  # (other entries may be there already)
            # One search per name: Python's re scans for a literal fast, but not for an alternation.
            self._compiled["identifiers"] = [_identifier_regex(p) for p in (*sorted(self.names), *self.patterns)]
            self._compiled["star"] = frozenset(m.encode() for m in self.star_modules)
        return self._compiled

    def _star_imports_one(self, data: bytes) -> bool:
        """Is there a `from a.b.module import *` with one of the star modules among the path's names?

        Found from `import *` back to its `from`, rather than by a search for each module's name: those
        names are many (a module for every re-export found) and common words, while star imports are few."""
        wanted = self._compiled["star"]
        for found in _IMPORT_STAR.finditer(data):
            statement = _FROM_PATH.search(data, max(0, found.start() - 400), found.start())
            if statement is None:
                continue
            if any(part in wanted for part in statement.group(1).split(b".")):
                return True
        return False

    def matches(self, data: bytes, module: str = "") -> bool:
        """Could the text of `module` name something tracked?"""
        regexes = self._regexes()
        if any(literal in data and regex.search(data) for literal, regex in regexes["identifiers"]):
            return True
        if b"noqa" in data and b"SSOT" in data:  # a noqa comment that may be unused (SSOT100)
            return True
        if any(self._names_module(data, tracked, module) for tracked in self.modules):
            return True
        return bool(regexes["star"]) and b"*" in data and self._star_imports_one(data)

    def search_patterns(self, module: str) -> Optional[FrozenSet[bytes]]:
        """Extended regular expressions (POSIX, one line each) one of which the text of `module` must match
        to match the tokens (`matches`), so that a file matching none need not be read: a search of the whole
        tree for them is fast (`SourceReader.matching`). None when there is no such short list: inside a
        tracked package a relative import is enough, and a search for hundreds of names is slow."""
        regexes = self._regexes()
        needed = {b"SSOT"}  # (a noqa comment names a code)
        if regexes["star"]:  # `import *`, or `import` and a line continuation before the `*`
            needed.update((b"import[ \t]+\\*", b"import[ \t]*\\\\.?$"))
        for literal, _ in regexes["identifiers"]:
            if not literal:  # a lookalike pattern of wildcards only
                return None
            needed.add(re.escape(literal))
        for tracked in self.modules:  # what `_names_module` cannot do without
            if module.startswith(tracked + "."):
                return None
            parent, _, name = tracked.rpartition(".")
            inside_parent = not parent or module == parent or module.startswith(parent + ".")
            needed.add(re.escape((name if inside_parent else parent.rpartition(".")[2]).encode()))
        return frozenset(needed) if len(needed) <= _MOST_SEARCH_PATTERNS else None

    def view_suffices(self, data: bytes, module: str) -> bool:
        """Does the module-level view of this matching text (facts.py: its imports and aliases of every scope,
        module-level names and calls, `__all__`) hold all that the rules could find in it?

        Yes when it names tracked things only where the view has them: in import statements (a tracked
        module only as the `from` part: a module bound to a name could be read as `m.X`), and tracked names
        otherwise only in annotations (`hass: HomeAssistant`, `-> T:`, `list[T]`); no call, attribute,
        class statement, string or noqa comment. Most files of a large project that name a hot symbol name it
        so, and the view is much cheaper to extract. Any doubt reads the file in full."""
        if _ANY_NOQA.search(data) or any(module == m or module.startswith(m + ".") for m in self.modules):
            return False
        statements: Optional[List[Tuple[int, int, int]]] = None  # (start, end, end of the `from` module part)
        for literal, regex in self._regexes()["identifiers"]:
            if literal not in data:
                continue
            for found in regex.finditer(data):
                statements = _import_statements(data) if statements is None else statements
                start, end = _whole_identifier(data, *found.span())  # (a pattern's match may start inside it)
                if not _in_import(statements, start, end) and not (
                        _ANNOTATION_BEFORE.search(data, max(0, start - 64), start)
                        and _ANNOTATION_AFTER.match(data, end)):
                    return False
        for tracked in self.modules:
            name = tracked.rpartition(".")[2]
            if name.encode() not in data:
                continue
            word = self._compiled.get(("word", name))
            if word is None:
                word = self._compiled[("word", name)] = _identifier_regex(name)[1]
            for found in word.finditer(data):
                statements = _import_statements(data) if statements is None else statements
                if not _in_import(statements, *found.span(), from_part=True):
                    return False
        return True

    def _names_module(self, data: bytes, tracked: str, module: str) -> bool:
        """A module `a.b.name` is named `b.name` (imports, strings, attributes: `a.b.name`, `b.name`
        after `from a import b`), `from a.b import name`, or relatively (`from .name import`, `from .
        import name`) inside `a.b`. Its last name alone is often a common word (a shim called `list` or
        `api`), and so is `.name` after any other package (`pandas.core` is no `homeassistant.core`):
        neither counts on its own."""
        parent, _, name = tracked.rpartition(".")
        if module.startswith(tracked + ".") and _RELATIVE_IMPORT.search(data):
            return True  # inside the tracked package, `from .. import x` reads it without spelling its name
        if name.encode() not in data:
            return False
        regexes = self._compiled.get(("module", tracked))
        if regexes is None:
            parent_last = parent.rpartition(".")[2].encode()
            regexes = self._compiled[("module", tracked)] = (
                re.compile(re.escape(parent_last) + rb"(?<![A-Za-z0-9_]" + re.escape(parent_last) + rb")[ \t]*\.[ \t]*"
                           + re.escape(name.encode()) + rb"(?![A-Za-z0-9_])") if parent else None,
                _identifier_regex(name)[1],
                _identifier_regex(parent.rpartition(".")[2])[1],
            )
        qualified, word, parent_word = regexes
        if qualified is not None and qualified.search(data):
            return True
        if not word.search(data):
            return False
        # a relative import (`from .name import`, `from . import name`) can only come from inside the parent
        return not parent or module == parent or module.startswith(parent + ".") or bool(parent_word.search(data))


def _import_statements(data: bytes) -> List[Tuple[int, int, int]]:
    """Where the import statements of a text are: (start, end, end of the `from` module part or start)."""
    return [(m.start(), m.end(), m.end(1) if m.group(1) is not None else m.start())
            for m in _IMPORT_STATEMENT.finditer(data)]


def _whole_identifier(data: bytes, start: int, end: int) -> Tuple[int, int]:
    while start > 0 and data[start - 1] in _IDENTIFIER_BYTES:
        start -= 1
    while end < len(data) and data[end] in _IDENTIFIER_BYTES:
        end += 1
    return start, end


def _in_import(statements: List[Tuple[int, int, int]], start: int, end: int, from_part: bool = False) -> bool:
    """Is [start, end) inside one of the import statements (inside its `from` module part, with `from_part`)?"""
    index = bisect.bisect_right(statements, (start, float("inf"), 0)) - 1
    if index < 0:
        return False
    first, last, from_end = statements[index]
    return end <= (from_end if from_part else last)


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

    # The module-level imports, aliases and star imports of the checked modules, each with what it reads: the
    # absolute module of a star import, the dotted path of any other.
    candidates = [(info, info.name.rpartition(".")[2], binding,
                   project.graph.absolute(info, binding) if binding.kind is BindingKind.STAR else
                   binding.value if binding.kind is BindingKind.ALIAS else
                   f"{binding.module or ''}.{binding.imported_name or ''}")
                  for info in list(project.graph.checked.values())
                  for binding in info.structure.bindings if binding.context.at_module_level]
    star_modules: Set[str] = set()
    done: Set[int] = set()  # the candidates found tracked already
    # Passes over the checked modules until nothing new turns up: an alias of an alias found in this
    # pass is then looked for in the same round, not one round (and one rescan of the files) later.
    changed = True
    while changed:
        changed = False
        current = tokens.grow(names, star_modules)
        for index, (info, segment, binding, source) in enumerate(candidates):
            if index in done:
                continue
            if binding.kind is BindingKind.STAR:
                if source and current.mentioned_in(source) or (source or "").rpartition(".")[2] in \
                        current.star_modules:
                    if any(resolver.exports(source, n) and is_tracked(resolver.resolve_import(source, n))
                           for n in current.names):
                        star_modules.add(segment)
                        done.add(index)
                continue
            if current.mentioned_in(source or "") and is_tracked(resolver.resolve_binding(info, binding)):
                done.add(index)
                if binding.name not in current.names or segment not in current.star_modules:
                    changed = changed or binding.name not in current.names
                    names.add(binding.name)
                    star_modules.add(segment)
                    current = current.grow([binding.name], [segment])  # (a new set: only when it grows)
    return tokens.grow(names, star_modules)
