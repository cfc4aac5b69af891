"""What `init --discover` reads off a file's text, without parsing it: its `from` imports, the names
it defines with `class`/`def`, its `X = a.b` aliases, and a few signs (a class or function at column
0, a `__all__`, a `# noqa`, a warning).

Parsing every module of a large project costs several times a cold `check` (CPython's parser alone),
and most modules only ever matter to discovery as importers: which names they import from where.
That is in the text, found by C-speed regexes that start with a literal. Each regex may find more than
the parser would (an import statement inside a string at the start of a line of code, say) but not
less: what the text says decides only which modules are parsed, and what an import means is always
resolved on parsed modules. The one exception, a module's own import statements when the module is
not parsed, is read from here: from lines that start a statement, outside triple-quoted strings.
"""

from __future__ import annotations

import bisect
import re
from typing import Callable, List, NamedTuple, Optional, Sequence, Set, Tuple

from ssot_lint.files.discovery import SourceFile
from ssot_lint.parallel import process_map

_SEPARATOR = rb"(?:[ \t]|\\\r?\n)"  # a space, or a backslash line continuation
# `from <dots><module> import <names>`: the names run to the end of the line (with continuations), or
# to the closing parenthesis. `from` comes first, as a literal, for a fast scan; what comes before it
# is checked after the match (see `_starts_statement`).
_FROM_IMPORT = re.compile(rb"from(?![\w])" + _SEPARATOR + rb"*(\.*)" + _SEPARATOR + rb"*([\w.]*)" + _SEPARATOR
                          + rb"*import(?![\w])" + _SEPARATOR + rb"*(\([^)]*\)|(?:[^\n;#\\]|\\\r?\n)*)")
_COMMENT = re.compile(rb"#[^\n]*")
_TRIPLE_QUOTE = re.compile(rb"\"\"\"|'''")
# A class or function statement (at any indentation, and perhaps a word in a string: these find more
# names than the parser would, never fewer), and one at column 0, which is at module level.
_DEF = re.compile(rb"def[ \t]+(\w+)")
_CLASS = re.compile(rb"class[ \t]+(\w+)")
_TOP_DEFINITION = re.compile(rb"\n(?:async[ \t]+def|def|class)[ \t]")
_DEFINITION = re.compile(rb"\n([ \t]*)(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)")
# `X = a.b` (and `X: T = a.b`, `X = (a.b`): an alias, perhaps; the last name of the value is kept.
_ALIAS = re.compile(rb"\n[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*\(?[ \t]*((?:\w+\.)*\w+)[ \t]*\)?[ \t]*(?:#[^\n]*)?(?=\r?\n)")
# An `except` clause that catches import errors as the fact builder decides it (ImportError, ModuleNotFoundError,
# Exception, BaseException, or a bare `except:`).
_EXCEPT = re.compile(rb"\n([ \t]*)except\b([^\n]*)")
_IMPORT_ERRORS = re.compile(rb"ImportError|ModuleNotFoundError|Exception|^[ \t]*:")
_TYPE_CHECKING = re.compile(rb"[ \t]*(?:el)?if[ \t]+(?:[\w.]*\.)?TYPE_CHECKING[ \t]*:")
_WARNINGS = (b"warn", b"Warn", b"WARN", b"eprecat", b"EPRECAT")  # `in` tests: faster than any regex
_NOQAS = (b"noqa", b"NOQA", b"NoQA", b"Noqa")


class TextImport(NamedTuple):
    """`from <level dots><module> import <name> as <local>`, as written."""

    module: str  # without the dots ("" for `from . import x`)
    level: int
    name: str  # "*" for a star import
    local: str
    line: int
    type_checking: bool  # indented under `if TYPE_CHECKING:`, as far as the indentation tells


class TextView(NamedTuple):
    """What the text of one file says (see the module docstring)."""

    imports: Tuple[TextImport, ...]
    defined: Tuple[str, ...]  # names after `class`/`def`, at any indentation (methods included)
    defines_at_top: bool  # a `class` or `def` at column 0, outside triple-quoted strings: at module level
    # Only for a module that does not (`defines_at_top` is False): the signs that it may be all legacy.
    assigns_at_top: bool  # `NAME = <not a dotted name>` at column 0, outside strings and brackets
    fallback_names: Tuple[str, ...]  # classes and functions defined in an `except` catching import errors
    has_all: bool
    has_noqa: bool
    warns: bool  # its text says "warn" or "deprecat" somewhere


def scan(data: bytes) -> TextView:
    """A file's `TextView`."""
    strings = _triple_quoted(data)
    text = b"\n" + data  # every statement of interest follows a line break
    imports: List[TextImport] = []
    line, counted = 1, 0
    for match in _FROM_IMPORT.finditer(data):
        start = match.start()
        if not _starts_statement(data, start) or _inside(strings, start):
            continue
        level, module = len(match.group(1)), match.group(2).decode("ascii", "replace")
        line, counted = line + data.count(b"\n", counted, start), start
        checking = _under_type_checking(data, start)
        body = _COMMENT.sub(b"", match.group(3)).replace(b"\\\n", b" ").replace(b"\\\r\n", b" ").strip(b"() \t\r\n")
        for part in body.split(b","):
            words = part.split()  # `name` or `name as local`, across lines inside parentheses
            if len(words) == 1 or (len(words) == 3 and words[1] == b"as"):
                name = words[0].decode("ascii", "replace")
                imports.append(TextImport(module, level, name, words[-1].decode("ascii", "replace"), line, checking))
    defines_at_top = _defines_at_top(text, strings)
    assigns_at_top = not defines_at_top and _assigns_at_top(text, strings)
    return TextView(
        imports=tuple(imports),
        defined=tuple(sorted({name.decode("ascii", "replace") for name in (*_DEF.findall(data), *_CLASS.findall(data))})),
        defines_at_top=defines_at_top,
        assigns_at_top=assigns_at_top,
        fallback_names=_fallback_names(text) if b"except" in data else (),
        has_all=b"__all__" in data,
        has_noqa=not defines_at_top and any(word in data for word in _NOQAS),
        warns=not defines_at_top and any(word in data for word in _WARNINGS),
    )


def aliases(data: bytes, names: Set[str]) -> List[Tuple[str, str]]:
    """(name, last name of the value) of each `X = a.b` of a file whose value ends with one of `names`:
    read only where needed (a regex tried at every line of every file is slow)."""
    if not any(name.encode() in data for name in names):
        return []
    return [(name.decode(), value.rpartition(b".")[2].decode()) for name, value in _ALIAS.findall(b"\n" + data)]


def scan_files(sources: Sequence[SourceFile], jobs: int,
               progress: Optional[Callable[[int, int], None]] = None) -> List[Optional[TextView]]:
    """Each file's `TextView` (None for a file that cannot be read), in worker processes when many."""
    views = []
    for view in process_map(_scan_file, [s.absolute for s in sources], jobs=jobs, threshold=256, chunks_per_job=8):
        views.append(view)
        if progress is not None and (len(views) % 100 == 0 or len(views) == len(sources)):
            progress(len(views), len(sources))
    return views


def _scan_file(path: str) -> Optional[TextView]:
    try:
        with open(path, "rb") as file:
            return scan(file.read())
    except OSError:
        return None


def _starts_statement(data: bytes, start: int) -> bool:
    """Does the text at `start` begin a statement: only spaces before it on its line, or after a `;` or
    the `:` of a compound statement (`try: import x`)?"""
    index = start - 1
    while index >= 0 and data[index] in b" \t":
        index -= 1
    return index < 0 or data[index] in b"\n\r;:"


def _triple_quoted(data: bytes) -> List[Tuple[int, int]]:
    """The spans of triple-quoted strings, from their delimiters (a delimiter inside another kind of
    string or a comment is rare enough to be taken as one: it only makes the scan generous)."""
    spans, opened, kind = [], -1, b""
    for match in _TRIPLE_QUOTE.finditer(data):
        if opened < 0:
            before = data[data.rfind(b"\n", 0, match.start()) + 1:match.start()]
            if before.count(b'"') % 2 or before.count(b"'") % 2 or b"#" in before:
                continue  # inside a one-line string (`"'''" in s`) or a comment
            opened, kind = match.start(), match.group()
        elif match.group() == kind and data[match.start() - 1:match.start()] != b"\\":
            spans.append((opened, match.end()))
            opened = -1
    if opened >= 0:
        spans.append((opened, len(data)))
    return spans


def _defines_at_top(text: bytes, strings: List[Tuple[int, int]]) -> bool:
    """A `class` or `def` at column 0 outside triple-quoted strings? (`text` has a line break in front:
    a match's start there is where its line starts in the file.)"""
    return any(not _inside(strings, match.start()) for match in _TOP_DEFINITION.finditer(text))


_TOP_ASSIGNMENT = re.compile(rb"\n([A-Za-z_]\w*)[ \t]*(?::[^\n=]*)?=(?!=)[ \t]*([^\n]*)")
_DOTTED_VALUE = re.compile(rb"\(?[ \t]*[\w.]+[ \t]*\)?[ \t]*(?:#.*)?\r?")
_CONTINUED = (b"(", b"[", b"{", b",", b"\\", b"=")  # a line ending so is continued by the next one


def _assigns_at_top(text: bytes, strings: List[Tuple[int, int]]) -> bool:
    """A module-level assignment of a value (not an alias `X = a.b`) to a name that is no dunder, at
    column 0, outside triple-quoted strings, and not after a line that leaves a bracket open (a keyword
    argument at column 0)?"""
    for match in _TOP_ASSIGNMENT.finditer(text):
        name, value = match.group(1), match.group(2)
        if name.startswith(b"__") or _DOTTED_VALUE.fullmatch(value) or _inside(strings, match.start()):
            continue
        before = text[:match.start()].rstrip()
        last_line = before[before.rfind(b"\n") + 1:]
        if not last_line.split(b"#", 1)[0].rstrip().endswith(_CONTINUED):
            return True
    return False


def _inside(spans: List[Tuple[int, int]], position: int) -> bool:
    index = bisect.bisect_left(spans, (position,)) - 1  # the last span starting before `position`
    return index >= 0 and position < spans[index][1]


def _under_type_checking(data: bytes, start: int) -> bool:
    """Is the indented line at `start` in the body of an `if TYPE_CHECKING:` (the first line above it
    with less indentation)?"""
    line_start = data.rfind(b"\n", 0, start) + 1
    indent = start - line_start
    if indent == 0:
        return False
    position = line_start - 1
    while position > 0:
        above = data.rfind(b"\n", 0, position) + 1
        line = data[above:position]
        stripped = line.lstrip(b" \t")
        if stripped and not stripped.startswith(b"#") and len(line) - len(stripped) < indent:
            return _TYPE_CHECKING.match(line) is not None
        position = above - 1
    return False


def _fallback_names(text: bytes) -> Tuple[str, ...]:
    """Names of the classes and functions in the body of an `except` clause that catches import
    errors (the lines below it indented more deeply)."""
    found = set()
    for match in _EXCEPT.finditer(text):
        indent, clause = match.group(1), match.group(2)
        if _IMPORT_ERRORS.search(clause) is None:
            continue
        end = _block_end(text, match.end(), len(indent))
        found.update(name.decode() for found_indent, name in _DEFINITION.findall(text, match.end(), end)
                     if len(found_indent) > len(indent))
    return tuple(sorted(found))


def _block_end(text: bytes, position: int, indent: int) -> int:
    """Where the block below the line ending at `position` ends: the next line that is neither blank, a
    comment, nor indented more than `indent`."""
    while True:
        following = text.find(b"\n", position + 1)
        if following < 0:
            return len(text)
        line = text[position + 1:following] if position + 1 < following else b""
        stripped = line.lstrip(b" \t")
        if stripped.strip() and not stripped.startswith(b"#") and len(line) - len(stripped) <= indent:
            return position
        position = following
