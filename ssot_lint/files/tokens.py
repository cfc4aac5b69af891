"""The token set: what makes a file's text worth parsing, and the text searches that decide it.

A file can produce a violation only if its text names something tracked: a canonical symbol, a
lookalike, a product, a shim or canonical module, or, found along the way, an alias, wrapper or
re-exporting module of one of them (engine/prefilter.py grows the set to a fixpoint). `Tokens`
answers, for a file's bytes, whether it can match, whether its module-level view holds all the rules
could find in it, and which patterns a search of the whole tree must find first.
"""

from __future__ import annotations

import bisect
import fnmatch
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple


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
# `noqa` in any case, as the fact readers read noqa comments.
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
    """What makes a file worth parsing. The compiled searches are computed once per set, on first use
    (`cached_property`: they are no part of its value, and `strip` leaves them out of what is pickled)."""

    names: FrozenSet[str]  # identifiers naming something tracked
    patterns: Tuple[str, ...] = ()  # lookalike patterns (fnmatch, over whole identifiers)
    modules: FrozenSet[str] = frozenset()  # tracked modules (canonical and shims), dotted
    star_modules: FrozenSet[str] = frozenset()  # modules whose star import brings in something tracked

    def strip(self) -> "Tokens":
        """The same set without its compiled searches (for the cache)."""
        return Tokens(self.names, self.patterns, self.modules, self.star_modules)

    @cached_property
    def module_segments(self) -> FrozenSet[str]:
        return frozenset(m.rpartition(".")[2] for m in self.modules)

    @cached_property
    def patterns_regex(self) -> Optional["re.Pattern[str]"]:
        """One regex for all the lookalike patterns (fnmatch, over a whole identifier)."""
        return re.compile("|".join(fnmatch.translate(p) for p in self.patterns)) if self.patterns else None

    @cached_property
    def key(self) -> str:
        """A hash of the set, naming it in the cache (asked once per file: computed once)."""
        text = repr((sorted(self.names), self.patterns, sorted(self.modules), sorted(self.star_modules)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @cached_property
    def _words(self) -> FrozenSet[str]:
        return self.names | self.module_segments

    @cached_property
    def _mentioned(self) -> Dict[str, bool]:
        return {}  # `mentioned_in`'s answers: it is asked of the same few paths thousands of times

    def mentioned_in(self, dotted: str) -> bool:
        """Does a name of the dotted path `dotted` match the tokens? (Generous: it only decides what is
        worth resolving. At the fixpoint, every name bound to something tracked is a token, and every
        module path that leads to a tracked module ends in one's last name.)"""
        known = self._mentioned
        found = known.get(dotted)
        if found is None:
            parts = dotted.split(".")
            patterns = self.patterns_regex
            found = known[dotted] = not self._words.isdisjoint(parts) or (
                patterns is not None and any(patterns.match(part) for part in parts))
        return found

    def difference(self, older: "Tokens") -> "Tokens":
        """What this set adds to an older one it grew from (the configured ones are not repeated)."""
        return Tokens(self.names - older.names, (), frozenset(), self.star_modules - older.star_modules)

    def grow(self, names: Iterable[str] = (), star_modules: Iterable[str] = ()) -> "Tokens":
        return Tokens(self.names | frozenset(names), self.patterns, self.modules,
                      self.star_modules | frozenset(star_modules))

    @cached_property
    def _identifiers(self) -> List[Tuple[bytes, "re.Pattern[bytes]"]]:
        # One search per name: Python's re scans for a literal fast, but not for an alternation.
        return [_identifier_regex(p) for p in (*sorted(self.names), *self.patterns)]

    @cached_property
    def _star(self) -> FrozenSet[bytes]:
        return frozenset(m.encode() for m in self.star_modules)

    @cached_property
    def _module_words(self) -> Dict[str, "re.Pattern[bytes]"]:
        """A whole-identifier search for the last name of each tracked module."""
        return {name: _identifier_regex(name)[1] for name in {m.rpartition(".")[2] for m in self.modules}}

    @cached_property
    def _module_searches(self) -> Dict[str, tuple]:
        """For each tracked module `a.b.name`: a search for `b.name`, for `name` and for `b` (see `_names_module`)."""
        searches = {}
        for tracked in self.modules:
            parent, _, name = tracked.rpartition(".")
            parent_last = parent.rpartition(".")[2].encode()
            searches[tracked] = (
                re.compile(re.escape(parent_last) + rb"(?<![A-Za-z0-9_]" + re.escape(parent_last) + rb")[ \t]*\.[ \t]*"
                           + re.escape(name.encode()) + rb"(?![A-Za-z0-9_])") if parent else None,
                _identifier_regex(name)[1],
                _identifier_regex(parent.rpartition(".")[2])[1],
            )
        return searches

    def _star_imports_one(self, data: bytes) -> bool:
        """Is there a `from a.b.module import *` with one of the star modules among the path's names?

        Found from `import *` back to its `from`, rather than by a search for each module's name: those
        names are many (a module for every re-export found) and common words, while star imports are few."""
        wanted = self._star
        for found in _IMPORT_STAR.finditer(data):
            statement = _FROM_PATH.search(data, max(0, found.start() - 400), found.start())
            if statement is None:
                continue
            if any(part in wanted for part in statement.group(1).split(b".")):
                return True
        return False

    def matches(self, data: bytes, module: str = "") -> bool:
        """Could the text of `module` name something tracked?"""
        if any(literal in data and regex.search(data) for literal, regex in self._identifiers):
            return True
        if b"noqa" in data and b"SSOT" in data:  # a noqa comment that may be unused (SSOT100)
            return True
        if any(self._names_module(data, tracked, module) for tracked in self.modules):
            return True
        return bool(self._star) and b"*" in data and self._star_imports_one(data)

    def search_patterns(self, module: str) -> Optional[FrozenSet[bytes]]:
        """Extended regular expressions (POSIX, one line each) one of which the text of `module` must match
        to match the tokens (`matches`), so that a file matching none need not be read: a search of the whole
        tree for them is fast (`SourceReader.matching`). None when there is no such short list: inside a
        tracked package a relative import is enough, and a search for hundreds of names is slow."""
        needed = {b"SSOT"}  # (a noqa comment names a code)
        if self._star:  # `import *`, or `import` and a line continuation before the `*`
            needed.update((b"import[ \t]+\\*", b"import[ \t]*\\\\.?$"))
        for literal, _ in self._identifiers:
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
        """Does the module-level view of this matching text (facts/extract.py: its imports and aliases of every scope,
        module-level names and calls, `__all__`) hold all that the rules could find in it?

        Yes when it names tracked things only where the view has them: in import statements (a tracked
        module only as the `from` part: a module bound to a name could be read as `m.X`), and tracked names
        otherwise only in annotations (`hass: HomeAssistant`, `-> T:`, `list[T]`); no call, attribute,
        class statement, string or noqa comment. Most files of a large project that name a hot symbol name it
        so, and the view is much cheaper to extract. Any doubt reads the file in full."""
        if _ANY_NOQA.search(data) or any(module == m or module.startswith(m + ".") for m in self.modules):
            return False
        statements: Optional[List[Tuple[int, int, int]]] = None  # (start, end, end of the `from` module part)
        for literal, regex in self._identifiers:
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
            for found in self._module_words[name].finditer(data):
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
        qualified, word, parent_word = self._module_searches[tracked]
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


