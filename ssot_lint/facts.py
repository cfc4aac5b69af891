"""Facts: what one Python file says, as plain typed values.

Facts depend on the file's bytes alone (not on the configuration nor on other
files), so they can be cached by content hash. Everything the later stages need
is here: the bindings of every scope in source order, with the branch of code
they sit in (a `try` body, an `except ImportError` fallback, `if TYPE_CHECKING:`),
class bases, calls to dotted names, `global` singletons, dotted string
references, attribute chains off imported modules, `__all__` and `# noqa`.

They are read with CPython's own parser (`ast`), which is about thirty times
faster than LibCST and exact on positions; a file the running Python cannot
parse but LibCST can (newer syntax) is read by `facts_cst.py` into the same facts.
"""

from __future__ import annotations

import ast
import enum
import io
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Sequence, Set, Tuple


# Span and the facts a file has many of are named tuples rather than dataclasses: a tuple is
# smaller, and loads from the cache faster (a large project has millions of them).


class Span(NamedTuple):
    """A source range: 1-based lines and 1-based columns (in characters), end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class BranchKind(str, enum.Enum):
    TRY = "try"  # the body (or `else`) of a `try`: it completes if its imports and aliases resolve
    EXCEPT = "except"  # a handler of that `try`: runs if they do not
    TYPE_CHECKING = "type-checking"  # `if TYPE_CHECKING:`: never runs, read by type checkers
    CONDITIONAL = "conditional"  # any other `if`, loop or `match`: may or may not run


@dataclass(frozen=True)
class Branch:
    kind: BranchKind
    try_id: int = 0  # which `try` statement, for TRY and EXCEPT
    catches_import_error: bool = False  # EXCEPT: the handler catches ImportError (an import fallback)


@dataclass(frozen=True)
class Context:
    """Where a fact sits: its enclosing scopes and the branches of code around it."""

    scope: Tuple[Tuple[str, str], ...] = ()  # (("class", "Foo"), ("function", "bar")), () at module level
    branches: Tuple[Branch, ...] = ()  # since the innermost function's body began (it runs later, in none)
    # The branches around the definitions of the enclosing functions: the body of a function defined in an
    # `except ImportError:` fallback only ever runs where that fallback did, and sees what it bound.
    enclosing_branches: Tuple[Branch, ...] = ()

    @property
    def at_module_level(self) -> bool:
        return not self.scope

    @property
    def in_function(self) -> bool:
        return any(kind == "function" for kind, _ in self.scope)

    @property
    def qualname(self) -> str:
        return ".".join(name for _, name in self.scope)

    @property
    def all_branches(self) -> Tuple[Branch, ...]:
        """Every branch the code sits in, from the module level in."""
        return self.enclosing_branches + self.branches if self.enclosing_branches else self.branches

    @property
    def type_checking(self) -> bool:
        return any(b.kind is BranchKind.TYPE_CHECKING for b in self.branches)

    @property
    def in_import_fallback(self) -> bool:
        return any(b.kind is BranchKind.EXCEPT and b.catches_import_error for b in self.branches)

    @property
    def innermost_try(self) -> Optional[int]:
        for branch in reversed(self.branches):
            if branch.kind in (BranchKind.TRY, BranchKind.EXCEPT):
                return branch.try_id if branch.kind is BranchKind.TRY else None
        return None

    def describe(self) -> str:
        """A few words for messages: 'inside a function', 'under TYPE_CHECKING', ..."""
        words = []
        if self.in_function:
            words.append("inside a function")
        if self.type_checking:
            words.append("under TYPE_CHECKING")
        if self.in_import_fallback:
            words.append("in an except ImportError fallback")
        elif any(b.kind is BranchKind.TRY for b in self.branches):
            words.append("in a try block")
        return ", ".join(words)


class BindingKind(str, enum.Enum):
    IMPORT_FROM = "import-from"  # from M import N [as X]
    IMPORT_MODULE = "import-module"  # import a.b [as X]
    STAR = "star"  # from M import *
    CLASS = "class"
    FUNCTION = "function"
    ALIAS = "alias"  # X = dotted.name
    ASSIGN = "assign"  # X = anything else (shadows whatever X was)


IMPORT_KINDS = (BindingKind.IMPORT_FROM, BindingKind.IMPORT_MODULE, BindingKind.STAR)
STRUCTURE_KINDS = (*IMPORT_KINDS, BindingKind.ALIAS)  # a module's import structure (graph.ImportStructure)


class Binding(NamedTuple):
    """A name bound in some scope, in source order (`order`)."""

    name: str  # the local name ("*" for a star import; "a" for `import a.b`)
    kind: BindingKind
    span: Span  # of the bound name (the import alias, the class name, the assignment target)
    context: Context
    order: int
    module: Optional[str] = None  # IMPORT_FROM/STAR: module as written (no dots); IMPORT_MODULE: dotted module
    level: int = 0  # leading dots of a relative import
    imported_name: Optional[str] = None  # IMPORT_FROM: the name imported; IMPORT_MODULE: the module bound
    value: Optional[str] = None  # ALIAS: the dotted expression assigned
    statement: Optional[Span] = None  # IMPORT_*: the whole import statement

    @property
    def is_import(self) -> bool:
        return self.kind in IMPORT_KINDS

    @property
    def is_renaming(self) -> bool:
        """The binding gives its target a new local name (`as X`, `X = Y`)."""
        if self.kind is BindingKind.IMPORT_FROM:
            return self.name != self.imported_name
        if self.kind is BindingKind.ALIAS:
            return self.name != (self.value or "").rpartition(".")[2]
        return False


class ClassFact(NamedTuple):
    name: str
    qualname: str  # within the module, e.g. "Outer.Inner"
    span: Span  # of the class name
    context: Context
    bases: Tuple[str, ...]  # dotted base expressions as written


class FunctionFact(NamedTuple):
    name: str
    qualname: str
    span: Span  # of the function name
    context: Context
    is_method: bool


class CallFact(NamedTuple):
    """A call of a dotted name: `Foo(...)`, `mod.Foo(...)`."""

    callee: str
    span: Span
    context: Context
    assigned_to: Optional[str] = None  # `x = Foo()`: "x"; `self.x = Foo()`: "self.x"
    global_name: Optional[str] = None  # the call is assigned to a name declared `global` in its function

    @property
    def creates_shared_instance(self) -> bool:
        """`x = Foo()` at module level, or `global x; x = Foo()` in a function: one object for every user."""
        if self.global_name is not None:
            return True
        return self.context.at_module_level and self.assigned_to is not None and "." not in self.assigned_to


class StringRef(NamedTuple):
    """A string literal holding a whole dotted path (`"a.b.C"`, `"a.b:C"`): passed to a function that
    imports or patches by path, or standing anywhere else (a list of modules a test imports in a loop).
    Docstrings are not paths."""

    value: str
    span: Span
    context: Context
    callee: str  # the call it is the first argument of, e.g. "mock.patch"; "" anywhere else


class AttributeRef(NamedTuple):
    """`m.Name` (or `a.b.Name`) where the chain's root is a name bound by an import (perhaps a module)."""

    dotted: str
    span: Span
    context: Context
    written: bool = False  # assigned or deleted (`m.Name = ...`, `del m.Name`), not read


class NoqaComment(NamedTuple):
    line: int
    span: Span
    codes: Optional[Tuple[str, ...]]  # None for a blanket `# noqa`


@dataclass(frozen=True)
class ParseError:
    message: str
    line: int
    column: int


@dataclass(frozen=True)
class FileFacts:
    bindings: Tuple[Binding, ...] = ()
    classes: Tuple[ClassFact, ...] = ()
    functions: Tuple[FunctionFact, ...] = ()
    calls: Tuple[CallFact, ...] = ()
    strings: Tuple[StringRef, ...] = ()
    attribute_refs: Tuple[AttributeRef, ...] = ()
    noqa: Tuple[NoqaComment, ...] = ()
    all_names: Optional[Tuple[str, ...]] = None  # literal `__all__`, None when absent
    all_is_dynamic: bool = False  # `__all__` built in a way we cannot read
    parse_error: Optional[ParseError] = None
    local_names: Tuple[str, ...] = ()  # names of function locals left out of `bindings` (nothing looks them up), sorted
    # Names an import binds that the file reads or deletes whole (`f(m)`, `del m`), not only as `m.attr`,
    # sorted: a fix that rebinds or removes such a name would change what those uses get.
    bare_names: Tuple[str, ...] = ()
    # Only the module-level view (see `extract_module_view`): module-level bindings, the imports and
    # aliases of every scope, `__all__`, the module-level calls; the other fields are left empty.
    module_view_only: bool = False

    def binds_elsewhere(self, name: str) -> bool:
        """Does some function bind `name` as a local that `bindings` leaves out (perhaps as well as binding
        it in ways `bindings` has)? A fix that renames to it, or renames it, would have to know."""
        return name in self.local_names

    def module_bindings(self) -> Tuple[Binding, ...]:
        return tuple(b for b in self.bindings if b.context.at_module_level)


# Calls whose first string argument is a dotted path to something importable.
STRING_PATH_CALLEES = frozenset({"patch", "import_module", "__import__", "setattr", "resolve_name", "find_spec",
                                 "import_string", "delattr"})
_DOTTED_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_.]*)?$")


def is_dotted_path(text: str) -> bool:
    """A whole dotted path with at least one dot: `a.b`, `a.b.C`, `a.b:C` (no spaces: not prose)."""
    return "." in text.split(":")[0] and _DOTTED_PATH.match(text) is not None


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:[,\s]+[A-Za-z]+[0-9]+)*))?", re.IGNORECASE)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def decode_source(source: bytes) -> str:
    """A Python file's text, in the encoding its cookie or BOM declares (UTF-8 otherwise, and when the
    declaration is unreadable, as when a stray byte sits in a first-line comment CPython parses anyway)."""
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(source).readline)[0]
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    return source.decode(encoding, "replace")


def parse_python(source: bytes) -> ast.Module:
    """`ast.parse`, without the warnings CPython prints about the code it reads (an invalid escape, `1if`):
    they are the linted code's business, and would clutter ssot-lint's output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def extract_facts(source: bytes) -> FileFacts:
    """Read one file's facts. A file that does not parse gives only `parse_error`."""
    return _extract(source, _AstCollector)


def extract_module_view(source: bytes) -> FileFacts:
    """What resolution reads of a module it only passes through, and nothing else: its module-level
    bindings, the imports and aliases of every scope, and `__all__`, each exactly as `extract_facts`
    gives them; and its module-level calls (what runs on import: `init --discover` looks for a
    deprecation warning). Most of a file is function bodies, whose expressions this does not even walk."""
    return _extract(source, _ModuleViewCollector)


def _extract(source: bytes, collector_class: type) -> FileFacts:
    try:
        tree = parse_python(source)
    except SyntaxError as error:
        python_error = _python_error(source, error)
        if python_error.fatal:
            return FileFacts(parse_error=python_error.error)
        # Perhaps syntax newer than this Python: LibCST has a parser of its own (imported only now: 0.2 s).
        from ssot_lint.facts_cst import extract_with_libcst

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




def assemble_facts(collector, noqa: Sequence[NoqaComment]) -> FileFacts:
    """The facts a collector gathered (either extractor's), less what no later question can need:
    `m.Name` chains whose root no import binds, and a function's local names that no call, alias,
    attribute chain or base ever looks up (most local variables: a third of a file's facts)."""
    imported = {b.name for b in collector.bindings if b.kind in (BindingKind.IMPORT_MODULE, BindingKind.IMPORT_FROM)}
    attribute_refs = tuple(r for r in collector.attribute_refs if r.dotted.split(".", 1)[0] in imported)
    looked_up = {call.callee.split(".", 1)[0] for call in collector.calls}
    looked_up.update(ref.dotted.split(".", 1)[0] for ref in attribute_refs)
    looked_up.update(b.value.split(".", 1)[0] for b in collector.bindings if b.kind is BindingKind.ALIAS)
    looked_up.update(base.split(".", 1)[0] for cls in collector.classes for base in cls.bases)
    bindings = tuple(b for b in collector.bindings if b.kind is not BindingKind.ASSIGN
                     or not b.context.in_function or b.name in looked_up)
    left_out = {b.name for b in collector.bindings if b.kind is BindingKind.ASSIGN and b.context.in_function
                and b.name not in looked_up}
    return FileFacts(
        local_names=tuple(sorted(left_out)),
        bare_names=tuple(sorted(collector.bare_names & imported)),
        bindings=bindings,
        classes=tuple(collector.classes),
        functions=tuple(collector.functions),
        calls=tuple(collector.calls),
        strings=tuple(collector.strings),
        attribute_refs=attribute_refs,
        noqa=tuple(noqa),
        all_names=tuple(collector.all_names) if collector.all_names is not None else None,
        all_is_dynamic=collector.all_is_dynamic,
    )


def noqa_codes(comment: str) -> Tuple[bool, Optional[Tuple[str, ...]]]:
    """(is it a `# noqa` comment, its codes upper-cased or None for a blanket one)."""
    match = _NOQA.search(comment)
    if not match:
        return False, None
    codes = match.group("codes")
    return True, (tuple(c.upper() for c in re.split(r"[,\s]+", codes.strip())) if codes else None)


# -- reading facts off CPython's ast ---------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DEFINITION_KEYWORD = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+")
_HAS_ALIAS_POSITIONS = sys.version_info >= (3, 10)


def ast_dotted_name(node: ast.AST) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _ast_string(node: Optional[ast.AST]) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _alias_value(node: ast.AST) -> Optional[str]:
    """The dotted name an assignment aliases, or None for any other value."""
    return ast_dotted_name(node)  # None, True and False are constants, not names


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for item in types:
        name = ast_dotted_name(item)
        if name and name.rpartition(".")[2] in _IMPORT_ERRORS:
            return True
    return False


def _base_name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Subscript):  # Generic[T], Base[Any]
        node = node.value
    return ast_dotted_name(node)


# Node classes with nothing inside that a fact could come from: not worth a visit (a set of the
# concrete classes, since `type(x) in set` is much cheaper than `isinstance` against base classes).
_LEAF_TYPES = frozenset(cls for base in (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
                        for cls in base.__subclasses__()) | {ast.Name}
# Fields that never hold a node, whatever the class: the walk does not even look at them.
_SCALAR_FIELDS = frozenset({"id", "ctx", "op", "attr", "arg", "name", "module", "level", "asname", "kind",
                            "type_comment", "is_async", "conversion", "simple", "tag", "lineno"})


def _visit_plan(kind: type) -> Tuple[object, Tuple[str, ...]]:
    """A node class's visit_ method (or None) and the fields that may hold child nodes, looked up once."""
    fields = tuple(f for f in kind._fields if f not in _SCALAR_FIELDS and not (kind is ast.Constant and f == "value"))
    return getattr(_AstCollector, f"visit_{kind.__name__}", None), fields


_PLANS: Dict[type, Tuple[object, Tuple[str, ...]]] = {}


class _AstCollector:
    """Walks an ast in source order, as the LibCST collector does, and collects the facts."""

    module_view_only = False  # skip the expressions inside classes and functions (_ModuleViewCollector)

    def __init__(self, source: bytes):
        self.lines = _LINE_BREAK.split(decode_source(source))
        self._all_ascii = source.isascii()  # (most files: ast's byte offsets are then the columns)
        self._utf8_lines: Dict[int, bytes] = {}
        self.scope: List[Tuple[str, str]] = []
        self.branches: List[Branch] = []
        self.enclosing_branches: Tuple[Branch, ...] = ()
        self.globals_stack: List[Set[str]] = []
        self.try_count = 0
        self.order = 0
        self.bindings: List[Binding] = []
        self.classes: List[ClassFact] = []
        self.functions: List[FunctionFact] = []
        self.calls: List[CallFact] = []
        self.strings: List[StringRef] = []
        self.attribute_refs: List[AttributeRef] = []
        self.bare_names: Set[str] = set()  # every name read or deleted whole (kept: those an import binds)
        self.all_names: Optional[List[str]] = None
        self.all_is_dynamic = False
        self._assigned_call: Dict[int, Tuple[str, Optional[str]]] = {}
        self._string_spans: List[Tuple[int, int, int, int]] = []
        self._not_paths: Set[int] = set()  # ids of string nodes that are no standalone path (see visit_Constant)
        self._contexts: Dict[Tuple[tuple, tuple, tuple], Context] = {}
        self._context: Optional[Context] = None  # the current one, until the scope or the branches change

    # -- results -----------------------------------------------------------------

    def facts(self) -> FileFacts:
        return assemble_facts(self, self._noqa_comments())

    # -- positions -----------------------------------------------------------------

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

    def context(self) -> Context:
        if self._context is not None:
            return self._context
        # One object per distinct context: the cache then stores and loads each once.
        key = (tuple(self.scope), tuple(self.branches), self.enclosing_branches)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = Context(*key)
        self._context = context
        return context

    def bind(self, name: str, kind: BindingKind, span: Span, **extra) -> None:
        self.bindings.append(Binding(name=name, kind=kind, span=span, context=self.context(), order=self.order,
                                     **extra))
        self.order += 1

    # -- traversal -----------------------------------------------------------------

    def skip_docstring(self, body: Sequence[ast.stmt]) -> None:
        """A docstring is prose, even when it is one dotted word."""
        if body and isinstance(body[0], ast.Expr) and _ast_string(body[0].value) is not None:
            self._not_paths.add(id(body[0].value))

    def visit_body(self, statements: Sequence[ast.stmt]) -> None:
        for statement in statements:
            self.visit(statement)

    def visit_in(self, branch: Optional[Branch], nodes: Sequence[Optional[ast.AST]]) -> None:
        if branch is not None:
            self.branches.append(branch)
            self._context = None
        for node in nodes:
            if node is not None:
                self.visit(node)
        if branch is not None:
            self.branches.pop()
            self._context = None

    def visit(self, node: ast.AST) -> None:
        if self.module_view_only and self.scope and isinstance(node, ast.expr):
            return  # (tested here, not in an override: a second frame per level would halve the depth we reach)
        kind = type(node)
        plan = _PLANS.get(kind)
        if plan is None:
            plan = _PLANS[kind] = _visit_plan(kind)
        method, fields = plan
        if method is not None and method(self, node) is False:
            return
        for field_name in fields:  # ast.iter_child_nodes, inlined: this loop is the hot path
            value = getattr(node, field_name, None)
            if type(value) is list:
                for item in value:
                    if type(item) is ast.Name:  # a leaf: only its name is wanted (visit_Name, inlined)
                        if type(item.ctx) is not ast.Store:
                            self.bare_names.add(item.id)
                    elif type(item) not in _LEAF_TYPES and isinstance(item, ast.AST):
                        self.visit(item)
            elif type(value) is ast.Name:
                if type(value.ctx) is not ast.Store:
                    self.bare_names.add(value.id)
            elif value is not None and type(value) not in _LEAF_TYPES and isinstance(value, ast.AST):
                self.visit(value)

    def visit_Name(self, node: ast.Name) -> None:  # a name visited directly: a base, a test, an iterable
        if type(node.ctx) is not ast.Store:
            self.bare_names.add(node.id)

    # -- scopes --------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> bool:
        qualname = ".".join([n for _, n in self.scope] + [node.name])
        span = self.definition_name_span(node, node.name)
        bases = tuple(filter(None, (_base_name(base) for base in node.bases)))
        self.classes.append(ClassFact(node.name, qualname, span, self.context(), bases))
        self.bind(node.name, BindingKind.CLASS, span)
        self.visit_in(None, [*node.decorator_list, *node.bases, *node.keywords])
        self.scope.append(("class", node.name))
        self._context = None
        self.skip_docstring(node.body)
        self.visit_body(node.body)
        self.scope.pop()
        self._context = None
        return False

    def visit_FunctionDef(self, node) -> bool:
        qualname = ".".join([n for _, n in self.scope] + [node.name])
        is_method = bool(self.scope) and self.scope[-1][0] == "class"
        span = self.definition_name_span(node, node.name)
        self.functions.append(FunctionFact(node.name, qualname, span, self.context(), is_method))
        self.bind(node.name, BindingKind.FUNCTION, span)
        self.visit_in(None, [*node.decorator_list, node.args, node.returns])
        self.scope.append(("function", node.name))
        self.globals_stack.append(set())
        outer_branches, self.branches = self.branches, []  # a function body runs later, in no branch
        outer_enclosing = self.enclosing_branches
        self.enclosing_branches = outer_enclosing + tuple(outer_branches)
        self._context = None
        params = node.args
        for param in (*params.posonlyargs, *params.args, *params.kwonlyargs, params.vararg, params.kwarg):
            if param is not None:  # a parameter shadows outer names
                self.bind(param.arg, BindingKind.ASSIGN,
                          Span(param.lineno, self.column(param.lineno, param.col_offset), param.lineno,
                               self.column(param.lineno, param.col_offset) + len(param.arg)))
        self.skip_docstring(node.body)
        self.visit_body(node.body)
        self.branches = outer_branches
        self.enclosing_branches = outer_enclosing
        self.globals_stack.pop()
        self.scope.pop()
        self._context = None
        return False

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Global(self, node: ast.Global) -> None:
        if self.globals_stack:
            self.globals_stack[-1].update(node.names)

    # -- branches ------------------------------------------------------------------

    def visit_Try(self, node) -> bool:
        self.try_count += 1
        try_id = self.try_count
        body_branch = Branch(BranchKind.TRY, try_id) if node.handlers else None  # try/finally: always runs
        self.visit_in(body_branch, node.body)
        for handler in node.handlers:
            branch = Branch(BranchKind.EXCEPT, try_id, _catches_import_error(handler))
            self.visit_in(branch, [handler.type, *handler.body])
        self.visit_in(body_branch, node.orelse)  # `else` runs when the body succeeded
        self.visit_in(None, node.finalbody)
        return False

    visit_TryStar = visit_Try

    def visit_If(self, node: ast.If) -> bool:
        self.visit(node.test)
        name = ast_dotted_name(node.test)
        if name and name.rpartition(".")[2] == "TYPE_CHECKING":
            self.visit_in(Branch(BranchKind.TYPE_CHECKING), node.body)
            self.visit_in(None, node.orelse)  # runs at runtime, always
        else:
            self.visit_in(Branch(BranchKind.CONDITIONAL), [*node.body, *node.orelse])
        return False

    def visit_While(self, node: ast.While) -> bool:
        self.visit_in(Branch(BranchKind.CONDITIONAL), [node.test, *node.body, *node.orelse])
        return False

    def visit_For(self, node) -> bool:
        self._bind_targets(node.target)
        self.visit_in(Branch(BranchKind.CONDITIONAL), [node.target, node.iter, *node.body, *node.orelse])
        return False

    visit_AsyncFor = visit_For

    def visit_Match(self, node) -> bool:
        self.visit_in(Branch(BranchKind.CONDITIONAL), [node.subject, *node.cases])
        return False

    # -- imports -------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> bool:
        statement = self.span(node)
        spans = self._alias_spans(node, node.names)
        for alias, span in zip(node.names, spans):
            if alias.asname is not None:  # `import a.b as m` binds m to a.b
                local, bound = alias.asname, alias.name
            else:  # `import a.b` binds a to package a
                local = bound = alias.name.split(".", 1)[0]
            self.bind(local, BindingKind.IMPORT_MODULE, span, module=alias.name, imported_name=bound,
                      statement=statement)
        return False

    def visit_ImportFrom(self, node: ast.ImportFrom) -> bool:
        statement = self.span(node)
        module = node.module or ""
        if len(node.names) == 1 and node.names[0].name == "*":
            self.bind("*", BindingKind.STAR, self._star_span(node), module=module, level=node.level,
                      statement=statement)
            return False
        for alias, span in zip(node.names, self._alias_spans(node, node.names)):
            self.bind(alias.asname or alias.name, BindingKind.IMPORT_FROM, span, module=module, level=node.level,
                      imported_name=alias.name, statement=statement)
        return False

    def _alias_spans(self, statement: ast.stmt, aliases: Sequence[ast.alias]) -> List[Span]:
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

    def _star_span(self, node: ast.ImportFrom) -> Span:
        text, where = self._statement_text(node)
        cursor = re.search(r"\bimport\b", text)
        index = text.find("*", cursor.end() if cursor else 0)
        line, column = where[index] if index >= 0 else (node.lineno, self.column(node.lineno, node.col_offset))
        return Span(line, column, line, column + 1)

    # -- assignments ---------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        value_name = _alias_value(node.value)
        for target in node.targets:
            self._bind_assignment(target, node.value, value_name)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind_assignment(node.target, node.value, _alias_value(node.value))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == "__all__" and not self.scope:
            self._extend_all(node.value)

    def _bind_assignment(self, target: ast.AST, value: ast.AST, value_name: Optional[str]) -> None:
        if isinstance(target, ast.Name):
            if target.id == "__all__" and not self.scope:
                self.all_names = []
                self._extend_all(value)
            if value_name is not None:
                self.bind(target.id, BindingKind.ALIAS, self.span(target), value=value_name)
            else:
                self.bind(target.id, BindingKind.ASSIGN, self.span(target))
        else:
            self._bind_targets(target)
        if isinstance(value, ast.Call):
            assigned = ast_dotted_name(target)
            declared = self.globals_stack[-1] if self.globals_stack else set()
            global_name = assigned if isinstance(target, ast.Name) and assigned in declared else None
            if assigned is not None:
                self._assigned_call[id(value)] = (assigned, global_name)

    def _bind_targets(self, target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, BindingKind.ASSIGN, self.span(target))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_targets(element)
        elif isinstance(target, ast.Starred):
            self._bind_targets(target.value)

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._bind_targets(node.optional_vars)

    def _change_all(self, method: str, argument: Optional[ast.AST]) -> None:
        """`__all__.extend([...])`, `.append("x")`, `.remove("x")`; anything else makes it dynamic."""
        if method == "extend" and argument is not None:
            self._extend_all(argument)
        elif method == "append" and argument is not None:
            self._extend_all(ast.List(elts=[argument]))
        elif method == "remove" and argument is not None and _ast_string(argument) in (self.all_names or []):
            self.all_names.remove(_ast_string(argument))
        else:
            self.all_is_dynamic = True

    def _extend_all(self, value: ast.AST) -> None:
        if self.all_names is None:
            self.all_names = []
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:
                text = _ast_string(element)
                if text is None:
                    self.all_is_dynamic = True
                else:
                    self.all_names.append(text)
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            self._extend_all(value.left)
            self._extend_all(value.right)
        else:
            self.all_is_dynamic = True

    # -- calls, strings, attributes --------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        callee = ast_dotted_name(node.func)
        if callee is None:
            return
        first = node.args[0] if node.args else (node.keywords[0].value if node.keywords else None)
        if not self.scope and callee.startswith("__all__."):
            self._change_all(callee.rsplit(".", 1)[1], first)
        assigned, global_name = self._assigned_call.pop(id(node), (None, None))
        self.calls.append(CallFact(callee, self.span(node), self.context(), assigned, global_name))
        if callee.rpartition(".")[2] in STRING_PATH_CALLEES and first is not None:
            text = _ast_string(first)
            if text and is_dotted_path(text):
                self.strings.append(StringRef(text, self.span(first), self.context(), callee))
                self._not_paths.add(id(first))  # recorded with its callee

    def visit_Attribute(self, node: ast.Attribute) -> bool:
        dotted = ast_dotted_name(node)
        if dotted is not None:
            self.attribute_refs.append(AttributeRef(dotted, self.span(node), self.context(),
                                                    type(node.ctx) is not ast.Load))
            return False  # the inner chains are prefixes of this one
        return True

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, (str, bytes)) and node.end_lineno is not None:
            self._string_spans.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
            # A whole dotted path wherever it stands (`paths = ["a.legacy", ...]`), but not prose.
            if type(value) is str and "." in value and " " not in value and id(node) not in self._not_paths \
                    and is_dotted_path(value):
                self.strings.append(StringRef(value, self.span(node), self.context(), ""))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._string_spans.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
        self._not_paths.update(id(part) for part in node.values)  # the text of an f-string is no whole path

    # -- comments ------------------------------------------------------------------

    def _noqa_comments(self) -> List[NoqaComment]:
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
        for start_line, start, end_line, end in self._string_spans:
            after_start = line > start_line or (line == start_line and byte_offset >= start)
            before_end = line < end_line or (line == end_line and byte_offset < end)
            if after_start and before_end:
                return True
        return False


class _ModuleViewCollector(_AstCollector):
    """`extract_module_view`'s walk: every statement, as `_AstCollector` walks them (so that bindings get
    the same order, spans and contexts), but no expression inside a class or function (they only give
    calls, attribute chains and strings). Module-level expressions are walked: `__all__.extend(...)`."""

    module_view_only = True

    def facts(self) -> FileFacts:
        return FileFacts(
            bindings=tuple(b for b in self.bindings if not b.context.scope or b.kind in STRUCTURE_KINDS),
            calls=tuple(c for c in self.calls if not c.context.scope),  # `warnings.warn(...)` on import
            all_names=tuple(self.all_names) if self.all_names is not None else None,
            all_is_dynamic=self.all_is_dynamic,
            module_view_only=True,
        )
