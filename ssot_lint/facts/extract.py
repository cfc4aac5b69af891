"""Reading one file's facts: CPython's parser first, LibCST for syntax the running Python cannot parse.

CPython's `ast` (read_ast.py) is about thirty times faster than LibCST and exact on
positions; a file the running Python cannot parse but LibCST can (newer syntax) is
read by read_cst.py into the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ssot_lint.facts.model import FileFacts, ParseError
from ssot_lint.facts.read_ast import AstCollector, ModuleViewCollector, parse_python


def extract_facts(source: bytes) -> FileFacts:
    """Read one file's facts. A file that does not parse gives only `parse_error`."""
    return _extract(source, AstCollector)


def extract_module_view(source: bytes) -> FileFacts:
    """What resolution reads of a module it only passes through, and nothing else: its module-level
    bindings, the imports and aliases of every scope, and `__all__`, each exactly as `extract_facts`
    gives them; and its module-level calls (what runs on import: `init --discover` looks for a
    deprecation warning). Most of a file is function bodies, whose expressions this does not even walk."""
    return _extract(source, ModuleViewCollector)


def _extract(source: bytes, collector_class: type) -> FileFacts:
    try:
        tree = parse_python(source)
    except SyntaxError as error:
        python_error = _python_error(source, error)
        if python_error.fatal:
            return FileFacts(parse_error=python_error.error)
        # Perhaps syntax newer than this Python: LibCST has a parser of its own (imported only now: 0.2 s).
        from ssot_lint.facts.read_cst import extract_with_libcst

        facts = extract_with_libcst(source)
        return FileFacts(parse_error=python_error.error) if facts.parse_error is not None else facts
    except ValueError as error:  # "source code string cannot contain null bytes" (before 3.12)
        message = _nul_byte_error(source) if b"\0" in source else ParseError(_one_line(str(error)), 1, 1)
        return FileFacts(parse_error=message)
    except (RecursionError, MemoryError) as error:
        return FileFacts(parse_error=ParseError(f"too deeply nested to parse ({type(error).__name__})", 1, 1))
    collector = collector_class(source)
    try:
        collector.skip_docstring(tree.body)
        collector.visit_body(tree.body)
    except RecursionError:
        return FileFacts(parse_error=ParseError("too deeply nested to analyse (RecursionError)", 1, 1))
    return collector.facts()


@dataclass(frozen=True)
class _PythonError:
    error: ParseError
    fatal: bool  # do not hand the file to LibCST at all


def _python_error(source: bytes, error: SyntaxError) -> _PythonError:
    """CPython's verdict, and whether it is final: nesting too deep and NUL bytes are (LibCST's
    native parser crashes on the one), a plain syntax error is not (the code may be newer than this Python)."""
    message = _one_line(error.msg or "invalid syntax")
    if b"\0" in source and ("null" in message.lower() or not error.lineno):
        return _PythonError(_nul_byte_error(source), fatal=True)
    fatal = "too many nested" in message or "too deeply nested" in message
    return _PythonError(ParseError(message, error.lineno or 1, max(error.offset or 1, 1)), fatal)


def _nul_byte_error(source: bytes) -> ParseError:
    offset = source.index(b"\0")
    line = source.count(b"\n", 0, offset) + 1
    column = offset - (source.rfind(b"\n", 0, offset) + 1) + 1
    return ParseError("source contains a NUL byte", line, column)


def _one_line(message: str) -> str:
    return " ".join(message.split())
