"""What the language server sends, made from what the analysis found: positions, diagnostics, hovers,
text edits, and the diagnostics of a configuration error. Pure functions of their arguments.

Positions: a violation's lines and columns are 1-based and count characters; LSP's are 0-based and count
the code units of the encoding agreed at initialisation (UTF-16 unless the client offers another), on
lines split at `\\r\\n`, `\\r` and `\\n` only (as both LSP and Python's tokenizer split them).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Type

from lsprotocol import types

from ssot_lint.config import Config
from ssot_lint.files.discovery import SourceFile
from ssot_lint.rule import Rule, Severity, Violation

SOURCE = "ssot-lint"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_TOML_ERROR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def split_lines(text: str) -> List[str]:
    """The lines of a document as LSP counts them (a text ending in a line break has an empty last line)."""
    return _LINE_BREAK.split(text)


def units(text: str, encoding: str) -> int:
    """How many code units of `encoding` ("utf-8", "utf-16" or "utf-32") `text` takes."""
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def characters(line: str, count: int, encoding: str) -> int:
    """How many characters of `line` the first `count` code units of `encoding` cover (the reverse of
    `units`; a position inside a character counts it)."""
    if encoding == types.PositionEncodingKind.Utf32:
        return min(count, len(line))
    total = 0
    for index, char in enumerate(line):
        if total >= count:
            return index
        total += units(char, encoding)
    return len(line)


def position(lines: Sequence[str], line: int, column: int, encoding: str) -> types.Position:
    """The LSP position of a 1-based line and 1-based character column, kept inside the document."""
    index = min(max(line - 1, 0), len(lines) - 1)
    text = lines[index]
    if line - 1 > index:  # past the end (a parse error at the end of the file): the end of the last line
        return types.Position(index, units(text, encoding))
    return types.Position(index, units(text[:max(column - 1, 0)], encoding))


def violation_range(lines: Sequence[str], violation: Violation, encoding: str) -> types.Range:
    start = position(lines, violation.line, violation.column, encoding)
    end = position(lines, violation.end_line, violation.end_column, encoding)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start, end)


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Do the ranges share a position? (An empty range, a cursor, overlaps the range it is in or touches.)"""
    def key(p: types.Position) -> Tuple[int, int]:
        return (p.line, p.character)
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def encode_source(text: str) -> bytes:
    """An editor's text as the bytes of a Python file: in the encoding its coding cookie declares, if it
    declares one that can hold it, else UTF-8."""
    head = text.encode("utf-8", "replace")
    for line in head.splitlines()[:2]:
        match = _CODING.match(line)
        if match:
            try:
                return text.encode(match.group(1).decode("ascii"), "strict")
            except (LookupError, UnicodeError):
                break
    return text.encode("utf-8", "replace")


def text_edits(old: str, new: str, encoding: str) -> List[types.TextEdit]:
    """The edits that turn `old` into `new`, whole lines at a time (so a client's cursor and folds outside
    them stay where they were)."""
    a, b = _lines_with_breaks(old), _lines_with_breaks(new)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(types.TextEdit(types.Range(_line_start(a, i1, encoding), _line_start(a, i2, encoding)),
                                        "".join(b[j1:j2])))
    return edits


def _lines_with_breaks(text: str) -> List[str]:
    parts = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text)
    lines = [part + brk for part, brk in zip(parts, breaks)]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _line_start(lines: Sequence[str], index: int, encoding: str) -> types.Position:
    """Where line `index` starts; past the last line, the end of the document."""
    if index < len(lines) or not lines:
        return types.Position(index, 0)
    last = lines[-1]
    if _LINE_BREAK.search(last[-1:]):  # the text ends with a line break: the empty line after it
        return types.Position(len(lines), 0)
    return types.Position(len(lines) - 1, units(last, encoding))


# Diagnostics.

@dataclass(frozen=True)
class Related:
    """Where the modules a violation's chain names are, for its related information."""

    files: Mapping[str, SourceFile]  # by module name
    read: Callable[[SourceFile], Optional[str]]  # a file's text (an editor's buffer, or the disk's)
    shims: Mapping[str, Tuple[str, ...]]  # by canonical symbol ('pkg.mod:Name'): its declared shims

    @classmethod
    def of(cls, config: Config, files: Iterable[SourceFile], read: Callable[[SourceFile], Optional[str]]) -> "Related":
        return cls({f.module: f for f in files}, read, {str(c.symbol): c.shims for c in config.canonicals})


def diagnostic(violation: Violation, lines: Sequence[str], encoding: str, related: Optional[Related],
               uri_of: Callable[[SourceFile], str]) -> types.Diagnostic:
    information = related_information(violation, related, encoding, uri_of) if related is not None else []
    fix = violation.fix
    return types.Diagnostic(
        range=violation_range(lines, violation, encoding),
        message=violation.message,
        severity=types.DiagnosticSeverity.Warning if violation.severity is Severity.WARNING
        else types.DiagnosticSeverity.Error,
        code=violation.code,
        source=SOURCE,
        related_information=information or None,
        tags=[types.DiagnosticTag.Unnecessary] if violation.code == "SSOT100" else None,
        data={"fingerprint": violation.fingerprint, "rule": violation.rule,
              "fix": None if fix is None else {"applicability": fix.applicability.value, "message": fix.message}},
    )


def related_information(violation: Violation, related: Related, encoding: str,
                        uri_of: Callable[[SourceFile], str]) -> List[types.DiagnosticRelatedInformation]:
    """The modules of the violation's chain that are files of the project (but the violation's own), and the
    canonical definition, each at the line that names the symbol when one does."""
    module, _, name = (violation.symbol or "").partition(":")
    shims = related.shims.get(violation.symbol or "", ())
    wanted: List[Tuple[str, str]] = []
    for step in violation.chain:
        if step == module:
            wanted.append((step, f"the canonical definition: {violation.symbol}"))
        elif step in shims:
            wanted.append((step, f"declared shim: {step}"))
        else:
            wanted.append((step, f"on the chain: {step}"))
    if module and module not in violation.chain:
        wanted.append((module, f"the canonical definition: {violation.symbol}"))
    result, seen = [], set()
    for step, message in wanted:
        source = related.files.get(step)
        if source is None or source.relpath == violation.path or step in seen:
            continue
        seen.add(step)
        text = related.read(source)
        where = _symbol_range(text, name, defined=step == module, encoding=encoding) if text is not None and name \
            else None
        result.append(types.DiagnosticRelatedInformation(
            types.Location(uri_of(source), where or types.Range(types.Position(0, 0), types.Position(0, 0))), message))
    return result


def _symbol_range(text: str, name: str, *, defined: bool, encoding: str) -> Optional[types.Range]:
    """The name where the module defines it (`class Name`, `def Name`), or first names it."""
    pattern = (rf"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+({re.escape(name)})\b" if defined
               else rf"\b({re.escape(name)})\b")
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        return None
    starts = [0, *(brk.end() for brk in _LINE_BREAK.finditer(text, 0, match.start(1)))]
    line = len(starts) - 1
    start = units(text[starts[-1]:match.start(1)], encoding)
    return types.Range(types.Position(line, start), types.Position(line, start + units(name, encoding)))


def hover(violations: Sequence[Violation], rules: Mapping[str, Type[Rule]], markdown: bool) -> types.MarkupContent:
    """What an editor shows over a diagnostic: each violation's message and fix, and its rule's
    documentation (as `ssot-lint explain` prints it)."""
    parts = []
    for violation in violations:
        rule = rules.get(violation.code)
        title = f"{violation.code} {violation.rule}" + (f": {rule.summary}" if rule is not None else "")
        lines = [f"**{title}**" if markdown else title, "", violation.message]
        if violation.fix is not None:
            safety = "" if violation.fix.is_safe else " (unsafe)"
            lines += ["", f"Quick fix{safety}: {violation.fix.message}"]
        if rule is not None:
            lines += ["", rule.documentation()]
        parts.append("\n".join(lines))
    separator = "\n\n---\n\n" if markdown else "\n\n"
    return types.MarkupContent(types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
                               separator.join(parts))


# A configuration error.

def config_diagnostics(problems: Sequence[str], path: Path, text: Optional[str],
                       encoding: str) -> List[types.Diagnostic]:
    """One diagnostic per problem, on the line of the key it names when it can be found (else line 1),
    with the message as the command line prints it, less the file's name."""
    lines = split_lines(text or "")
    result = []
    for problem in problems:
        message = _without_path(problem, path)
        line = _problem_line(message, lines)
        result.append(types.Diagnostic(
            range=types.Range(types.Position(line, 0), types.Position(line, units(lines[line], encoding))),
            message=message, severity=types.DiagnosticSeverity.Error, source=SOURCE))
    return result


def _without_path(problem: str, path: Path) -> str:
    for spelling in (str(path), path.name):
        if problem.startswith(spelling + ": "):
            return problem[len(spelling) + 2:]
    return problem


def _problem_line(message: str, lines: Sequence[str]) -> int:
    """The 0-based line a problem is about: TOML's own error position, or where the key it names is."""
    at = _TOML_ERROR_AT.search(message)
    if at is not None:
        return min(int(at.group(1)) - 1, len(lines) - 1)
    if message.endswith("(at end of document)"):
        return max((i for i, line in enumerate(lines) if line.strip()), default=0)
    key = message.partition(": ")[0]
    return key_line(lines, key) or 0


def key_line(lines: Sequence[str], key: str) -> Optional[int]:
    """The 0-based line of a key as errors spell it (`tool.ssot-lint.canonical[0].shims`,
    `tool.ssot-lint.srcs`, `canonical[1].symbol`), found by reading the lines (a guess, good for the
    tables and keys people write; None when not found)."""
    inside = key[len("tool.ssot-lint."):] if key.startswith("tool.ssot-lint.") else key
    entry = re.match(r"canonical\[(\d+)\](?:\.(.+))?$", inside)
    header = re.compile(r"^\s*\[")
    if entry is not None:
        tables = [i for i, line in enumerate(lines)
                  if re.match(r"^\s*\[\[\s*(?:tool\.ssot-lint\.)?canonical\s*\]\]", line)]
        index = int(entry.group(1))
        if index >= len(tables):
            return None
        start, name = tables[index], entry.group(2)
    else:
        sections = [i for i, line in enumerate(lines) if re.match(r"^\s*\[\s*tool\.ssot-lint\s*\]", line)]
        start, name = (sections[0] if sections else -1), inside
    if name:
        bare = re.split(r"[.\[]", name, maxsplit=1)[0].strip('"')
        for index in range(start + 1, len(lines)):
            if header.match(lines[index]):
                break
            if re.match(rf"^\s*\"?{re.escape(bare)}\"?\s*=", lines[index]):
                return index
    return start if start >= 0 else None


def rules_by_code(rules: Iterable[Type[Rule]]) -> Dict[str, Type[Rule]]:
    return {rule.code: rule for rule in rules}
