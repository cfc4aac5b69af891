"""A file's text as the ast reader needs it: character columns for ast's UTF-8 byte offsets, the
spans ast does not give (a class or function name, an import alias on Python 3.9, a star), and the
`# noqa` comments, which ast drops (a `#` outside every string literal the reader saw)."""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from typing import Dict, List, Sequence, Tuple

from ssot_lint.facts.model import NoqaComment, Span, noqa_codes

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DEFINITION_KEYWORD = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+")
_HAS_ALIAS_POSITIONS = sys.version_info >= (3, 10)


def decode_source(source: bytes) -> str:
    """A Python file's text, in the encoding its cookie or BOM declares (UTF-8 otherwise, and when the
    declaration is unreadable, as when a stray byte sits in a first-line comment CPython parses anyway)."""
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(source).readline)[0]
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    return source.decode(encoding, "replace")


class SourceText:
    def __init__(self, source: bytes):
        self.lines = _LINE_BREAK.split(decode_source(source))
        self._all_ascii = source.isascii()  # (most files: ast's byte offsets are then the columns)
        self._utf8_lines: Dict[int, bytes] = {}
        # The string literals' (line, byte offset, end line, end byte offset), as the reader meets them.
        self.string_spans: List[Tuple[int, int, int, int]] = []

    def column(self, line: int, byte_offset: int) -> int:
        """ast's UTF-8 byte offset on a line, as a 1-based character column."""
        if self._all_ascii:
            return byte_offset + 1
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        encoded = self._utf8_lines.get(line)
        if encoded is None:
            encoded = self._utf8_lines[line] = text.encode("utf-8")
        return len(encoded[:byte_offset].decode("utf-8", "replace")) + 1

    def span(self, node: ast.AST) -> Span:
        if self._all_ascii:
            return Span(node.lineno, node.col_offset + 1, node.end_lineno, node.end_col_offset + 1)
        return Span(node.lineno, self.column(node.lineno, node.col_offset),
                    node.end_lineno, self.column(node.end_lineno, node.end_col_offset))

    def definition_name_span(self, node: ast.AST, name: str) -> Span:
        """The span of the name after `class`, `def` or `async def`."""
        line = node.lineno
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        start = self.column(line, node.col_offset) - 1
        keyword = _DEFINITION_KEYWORD.match(text, start)
        index = keyword.end() if keyword and text.startswith(name, keyword.end()) else text.find(name, start)
        index = start if index < 0 else index
        return Span(line, index + 1, line, index + 1 + len(name))

    def alias_spans(self, statement: ast.stmt, aliases: Sequence[ast.alias]) -> List[Span]:
        if _HAS_ALIAS_POSITIONS:
            return [self.span(alias) for alias in aliases]
        return self._find_alias_spans(statement, aliases)  # Python 3.9: aliases carry no position

    def _statement_text(self, node: ast.stmt) -> Tuple[str, List[Tuple[int, int]]]:
        """The statement's text, and the (line, 1-based column) of each of its characters."""
        text, where = [], []
        for line in range(node.lineno, node.end_lineno + 1):
            content = self.lines[line - 1]
            first = self.column(line, node.col_offset) - 1 if line == node.lineno else 0
            last = self.column(line, node.end_col_offset) - 1 if line == node.end_lineno else len(content)
            for index in range(first, last):
                text.append(content[index])
                where.append((line, index + 1))
            text.append("\n")
            where.append((line, last + 1))
        return "".join(text), where

    def _find_alias_spans(self, node: ast.stmt, aliases: Sequence[ast.alias]) -> List[Span]:
        text, where = self._statement_text(node)
        cursor = re.search(r"\bimport\b", text)
        position = cursor.end() if cursor else 0
        spans = []
        for alias in aliases:
            dotted = r"\s*\.\s*".join(re.escape(part) for part in alias.name.split("."))
            pattern = rf"(?<![\w.]){dotted}(?:\s+as\s+{re.escape(alias.asname)})?(?!\w)" if alias.asname \
                else rf"(?<![\w.]){dotted}(?![\w.])"
            match = re.compile(pattern).search(text, position)
            if match is None:
                spans.append(Span(node.lineno, self.column(node.lineno, node.col_offset), node.lineno,
                                  self.column(node.lineno, node.col_offset)))
                continue
            start, end = where[match.start()], where[match.end() - 1]
            spans.append(Span(start[0], start[1], end[0], end[1] + 1))
            position = match.end()
        return spans

    def star_span(self, node: ast.ImportFrom) -> Span:
        text, where = self._statement_text(node)
        cursor = re.search(r"\bimport\b", text)
        index = text.find("*", cursor.end() if cursor else 0)
        line, column = where[index] if index >= 0 else (node.lineno, self.column(node.lineno, node.col_offset))
        return Span(line, column, line, column + 1)

    def noqa_comments(self) -> List[NoqaComment]:
        """`# noqa` comments: a `#` on a line, outside any string literal."""
        found = []
        for number, text in enumerate(self.lines, start=1):
            if "noqa" not in text.lower() or "#" not in text:
                continue
            start = 0
            while True:
                index = text.find("#", start)
                if index < 0:
                    break
                if not self._inside_string(number, index):
                    comment = text[index:].rstrip()
                    is_noqa, codes = noqa_codes(comment)
                    if is_noqa:
                        span = Span(number, index + 1, number, index + 1 + len(comment))
                        found.append(NoqaComment(number, span, codes))
                    break
                start = index + 1
        return found

    def _inside_string(self, line: int, char_index: int) -> bool:
        byte_offset = len(self.lines[line - 1][:char_index].encode("utf-8"))
        for start_line, start, end_line, end in self.string_spans:
            after_start = line > start_line or (line == start_line and byte_offset >= start)
            before_end = line < end_line or (line == end_line and byte_offset < end)
            if after_start and before_end:
                return True
        return False
