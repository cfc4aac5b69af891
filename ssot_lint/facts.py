"""Facts: what one Python file says, read with LibCST, as plain typed values.

Facts depend on the file's bytes alone (not on the configuration nor on other
files), so they can be cached by content hash. Everything the later stages need
is here: the bindings of every scope in source order, with the branch of code
they sit in (a `try` body, an `except ImportError` fallback, `if TYPE_CHECKING:`),
class bases, calls to dotted names, `global` singletons, dotted string
references, attribute chains off imported modules, `__all__` and `# noqa`.
"""

from __future__ import annotations

import ast
import enum
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


@dataclass(frozen=True)
class Span:
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
    branches: Tuple[Branch, ...] = ()

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


@dataclass(frozen=True)
class Binding:
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
        return self.kind in (BindingKind.IMPORT_FROM, BindingKind.IMPORT_MODULE, BindingKind.STAR)

    @property
    def is_renaming(self) -> bool:
        """The binding gives its target a new local name (`as X`, `X = Y`)."""
        if self.kind is BindingKind.IMPORT_FROM:
            return self.name != self.imported_name
        if self.kind is BindingKind.ALIAS:
            return self.name != (self.value or "").rpartition(".")[2]
        return False


@dataclass(frozen=True)
class ClassFact:
    name: str
    qualname: str  # within the module, e.g. "Outer.Inner"
    span: Span  # of the class name
    context: Context
    bases: Tuple[str, ...]  # dotted base expressions as written


@dataclass(frozen=True)
class FunctionFact:
    name: str
    qualname: str
    span: Span  # of the function name
    context: Context
    is_method: bool


@dataclass(frozen=True)
class CallFact:
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


@dataclass(frozen=True)
class StringRef:
    """A string literal holding a dotted path, passed to a function that imports or patches by path."""

    value: str
    span: Span
    context: Context
    callee: str  # the call it is passed to, e.g. "mock.patch", "importlib.import_module"


@dataclass(frozen=True)
class AttributeRef:
    """`m.Name` (or `a.b.Name`) where the chain's root is a name bound by an import (perhaps a module)."""

    dotted: str
    span: Span
    context: Context


@dataclass(frozen=True)
class NoqaComment:
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

    def module_bindings(self) -> Tuple[Binding, ...]:
        return tuple(b for b in self.bindings if b.context.at_module_level)


# Calls whose first string argument is a dotted path to something importable.
STRING_PATH_CALLEES = frozenset({"patch", "import_module", "__import__", "setattr", "resolve_name", "find_spec",
                                 "import_string", "delattr"})
_DOTTED_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_.]*)?$")
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:[,\s]+[A-Za-z]+[0-9]+)*))?", re.IGNORECASE)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def extract_facts(source: bytes) -> FileFacts:
    """Read one file's facts. A file that does not parse gives only `parse_error`.

    CPython's own parser runs first: it is fast, its messages are the ones users
    know, and it refuses nesting that would crash LibCST's native parser.
    """
    python_error = _python_syntax_error(source)
    if python_error is not None and python_error.fatal:
        return FileFacts(parse_error=python_error.error)
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        fallback = ParseError(_one_line(exc.message), exc.raw_line, exc.raw_column + 1)
        return FileFacts(parse_error=python_error.error if python_error else fallback)
    except (RecursionError, MemoryError) as exc:
        return FileFacts(parse_error=ParseError(f"too deeply nested to parse ({type(exc).__name__})", 1, 1))
    except (UnicodeDecodeError, SyntaxError, ValueError) as exc:  # a bad encoding cookie
        fallback = ParseError(_one_line(str(exc)), 1, 1)
        return FileFacts(parse_error=python_error.error if python_error else fallback)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = _FactCollector()
    try:
        wrapper.visit(collector)
    except RecursionError:
        return FileFacts(parse_error=ParseError("too deeply nested to analyse (RecursionError)", 1, 1))
    return collector.facts()


@dataclass(frozen=True)
class _PythonError:
    error: ParseError
    fatal: bool  # do not hand the file to LibCST at all


def _python_syntax_error(source: bytes) -> Optional[_PythonError]:
    """CPython's verdict on the source, or None if it parses.

    A plain syntax error is not final (the code may be newer than this Python,
    and LibCST may still read it); nesting too deep, NUL bytes and undecodable
    text are.
    """
    try:
        ast.parse(source)
        return None
    except SyntaxError as error:
        message = _one_line(error.msg or "invalid syntax")
        if b"\0" in source and ("null" in message.lower() or not error.lineno):
            return _PythonError(_nul_byte_error(source), fatal=True)
        fatal = "too many nested" in message or "too deeply nested" in message
        return _PythonError(ParseError(message, error.lineno or 1, max(error.offset or 1, 1)), fatal)
    except ValueError as error:  # "source code string cannot contain null bytes" (before 3.12)
        if b"\0" in source:
            return _PythonError(_nul_byte_error(source), fatal=True)
        return _PythonError(ParseError(_one_line(str(error)), 1, 1), fatal=True)
    except (RecursionError, MemoryError) as error:
        return _PythonError(ParseError(f"too deeply nested to parse ({type(error).__name__})", 1, 1), fatal=True)


def _nul_byte_error(source: bytes) -> ParseError:
    offset = source.index(b"\0")
    line = source.count(b"\n", 0, offset) + 1
    column = offset - (source.rfind(b"\n", 0, offset) + 1) + 1
    return ParseError("source contains a NUL byte", line, column)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _import_module_name(node: Optional[cst.BaseExpression]) -> str:
    return dotted_name(node) if node is not None else ""


def _string_value(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    for item in types:
        expr = item.value if isinstance(item, cst.Element) else item
        name = dotted_name(expr)
        if name and name.rpartition(".")[2] in _IMPORT_ERRORS:
            return True
    return False


def _is_type_checking_test(test: cst.BaseExpression) -> bool:
    name = dotted_name(test)
    return bool(name) and name.rpartition(".")[2] == "TYPE_CHECKING"


class _FactCollector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.scope: List[Tuple[str, str]] = []
        self.branches: List[Branch] = []
        self.globals_stack: List[Set[str]] = []
        self.try_count = 0
        self.order = 0
        self.bindings: List[Binding] = []
        self.classes: List[ClassFact] = []
        self.functions: List[FunctionFact] = []
        self.calls: List[CallFact] = []
        self.strings: List[StringRef] = []
        self.attribute_refs: List[AttributeRef] = []
        self.noqa: List[NoqaComment] = []
        self.all_names: Optional[List[str]] = None
        self.all_is_dynamic = False
        self._assigned_call: Dict[int, Tuple[str, Optional[str]]] = {}  # id(Call) -> (target, global name)

    # -- results -----------------------------------------------------------------

    def facts(self) -> FileFacts:
        # `m.Name` matters only where `m` may be a module: a name bound by an import
        module_roots = {b.name for b in self.bindings if b.kind in (BindingKind.IMPORT_MODULE, BindingKind.IMPORT_FROM)}
        attribute_refs = tuple(ref for ref in self.attribute_refs if ref.dotted.split(".", 1)[0] in module_roots)
        return FileFacts(
            bindings=tuple(self.bindings),
            classes=tuple(self.classes),
            functions=tuple(self.functions),
            calls=tuple(self.calls),
            strings=tuple(self.strings),
            attribute_refs=attribute_refs,
            noqa=tuple(self.noqa),
            all_names=tuple(self.all_names) if self.all_names is not None else None,
            all_is_dynamic=self.all_is_dynamic,
        )

    # -- helpers -----------------------------------------------------------------

    def span(self, node: cst.CSTNode) -> Span:
        pos = self.get_metadata(PositionProvider, node)
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def context(self) -> Context:
        return Context(tuple(self.scope), tuple(self.branches))

    def bind(self, name: str, kind: BindingKind, node: cst.CSTNode, **extra) -> None:
        self.bindings.append(Binding(name=name, kind=kind, span=self.span(node), context=self.context(),
                                     order=self.order, **extra))
        self.order += 1

    def visit_children_in(self, branch: Optional[Branch], nodes: Sequence[Optional[cst.CSTNode]]) -> None:
        if branch is not None:
            self.branches.append(branch)
        for node in nodes:
            if node is not None:
                node.visit(self)
        if branch is not None:
            self.branches.pop()

    # -- scopes ------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        qualname = ".".join([n for _, n in self.scope] + [node.name.value])
        bases = tuple(filter(None, (_base_name(arg.value) for arg in node.bases)))
        self.classes.append(ClassFact(node.name.value, qualname, self.span(node.name), self.context(), bases))
        self.bind(node.name.value, BindingKind.CLASS, node.name)
        self.visit_children_in(None, [*node.decorators, *node.bases, *node.keywords])
        self.scope.append(("class", node.name.value))
        node.body.visit(self)
        self.scope.pop()
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        qualname = ".".join([n for _, n in self.scope] + [node.name.value])
        is_method = bool(self.scope) and self.scope[-1][0] == "class"
        self.functions.append(FunctionFact(node.name.value, qualname, self.span(node.name), self.context(), is_method))
        self.bind(node.name.value, BindingKind.FUNCTION, node.name)
        self.visit_children_in(None, [*node.decorators, node.params, node.returns])
        self.scope.append(("function", node.name.value))
        self.globals_stack.append(set())
        outer_branches, self.branches = self.branches, []  # a function body runs later, in no branch
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.bind(param.name.value, BindingKind.ASSIGN, param.name)  # a parameter shadows outer names
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self.bind(star.name.value, BindingKind.ASSIGN, star.name)
        node.body.visit(self)
        self.branches = outer_branches
        self.globals_stack.pop()
        self.scope.pop()
        return False

    def visit_Global(self, node: cst.Global) -> None:
        if self.globals_stack:
            self.globals_stack[-1].update(item.name.value for item in node.names)

    # -- branches ----------------------------------------------------------------

    def visit_Try(self, node: cst.Try) -> bool:
        return self._visit_try(node)

    def visit_TryStar(self, node: "cst.TryStar") -> bool:
        return self._visit_try(node)

    def _visit_try(self, node) -> bool:
        self.try_count += 1
        try_id = self.try_count
        body_branch = Branch(BranchKind.TRY, try_id) if node.handlers else None  # try/finally: always runs
        self.visit_children_in(body_branch, [node.body])
        for handler in node.handlers:
            branch = Branch(BranchKind.EXCEPT, try_id, _catches_import_error(handler))
            self.visit_children_in(branch, [handler.type, handler.body])
        self.visit_children_in(body_branch, [node.orelse])  # `else` runs when the body succeeded
        self.visit_children_in(None, [node.finalbody])
        return False

    def visit_If(self, node: cst.If) -> bool:
        node.test.visit(self)
        if _is_type_checking_test(node.test):
            self.visit_children_in(Branch(BranchKind.TYPE_CHECKING), [node.body])
            self.visit_children_in(None, [node.orelse])  # runs at runtime, always
        else:
            self.visit_children_in(Branch(BranchKind.CONDITIONAL), [node.body, node.orelse])
        return False

    def visit_While(self, node: cst.While) -> bool:
        self.visit_children_in(Branch(BranchKind.CONDITIONAL), [node.test, node.body, node.orelse])
        return False

    def visit_For(self, node: cst.For) -> bool:
        self._bind_targets(node.target)
        self.visit_children_in(Branch(BranchKind.CONDITIONAL), [node.target, node.iter, node.body, node.orelse])
        return False

    def visit_Match(self, node) -> bool:
        self.visit_children_in(Branch(BranchKind.CONDITIONAL), [node.subject, *node.cases])
        return False

    # -- imports -----------------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> bool:
        statement = self.span(node)
        for alias in node.names:
            module = _import_module_name(alias.name)
            if alias.asname is not None:  # `import a.b as m` binds m to a.b
                local, bound = dotted_name(alias.asname.name) or module, module
            else:  # `import a.b` binds a to package a
                local = bound = module.split(".", 1)[0]
            self.bind(local, BindingKind.IMPORT_MODULE, alias, module=module, imported_name=bound,
                      statement=statement)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        statement = self.span(node)
        module = _import_module_name(node.module)
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self.bind("*", BindingKind.STAR, node.names, module=module, level=level, statement=statement)
            return False
        for alias in node.names:
            name = _import_module_name(alias.name)
            local = dotted_name(alias.asname.name) if alias.asname is not None else name
            self.bind(local or name, BindingKind.IMPORT_FROM, alias, module=module, level=level,
                      imported_name=name, statement=statement)
        return False

    # -- assignments -------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        value_name = _alias_value(node.value)
        for target in node.targets:
            self._bind_assignment(target.target, node.value, value_name)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_assignment(node.target, node.value, _alias_value(node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "__all__" and not self.scope:
            self._extend_all(node.value)

    def _bind_assignment(self, target: cst.BaseExpression, value: cst.BaseExpression,
                         value_name: Optional[str]) -> None:
        if isinstance(target, cst.Name):
            if target.value == "__all__" and not self.scope:
                self.all_names = []
                self._extend_all(value)
            if value_name is not None:
                self.bind(target.value, BindingKind.ALIAS, target, value=value_name)
            else:
                self.bind(target.value, BindingKind.ASSIGN, target)
        else:
            self._bind_targets(target)
        if isinstance(value, cst.Call):
            assigned = dotted_name(target)
            declared = self.globals_stack[-1] if self.globals_stack else set()
            global_name = assigned if isinstance(target, cst.Name) and assigned in declared else None
            if assigned is not None:
                self._assigned_call[id(value)] = (assigned, global_name)

    def _bind_targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, BindingKind.ASSIGN, target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_targets(target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_targets(node.asname.name)

    def _change_all(self, method: str, argument: Optional[cst.BaseExpression]) -> None:
        """`__all__.extend([...])`, `.append("x")`, `.remove("x")`; anything else makes it dynamic."""
        if method == "extend" and argument is not None:
            self._extend_all(argument)
        elif method == "append" and argument is not None:
            self._extend_all(cst.List([cst.Element(argument)]))
        elif method == "remove" and argument is not None and _string_value(argument) in (self.all_names or []):
            self.all_names.remove(_string_value(argument))
        else:
            self.all_is_dynamic = True

    def _extend_all(self, value: cst.BaseExpression) -> None:
        if self.all_names is None:
            self.all_names = []
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            for element in value.elements:
                text = _string_value(element.value) if isinstance(element, cst.Element) else None
                if text is None:
                    self.all_is_dynamic = True
                else:
                    self.all_names.append(text)
        elif isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            self._extend_all(value.left)
            self._extend_all(value.right)
        else:
            self.all_is_dynamic = True

    # -- calls, strings, attributes ------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func)
        if callee is None:
            return
        if not self.scope and callee.startswith("__all__."):
            self._change_all(callee.rsplit(".", 1)[1], node.args[0].value if node.args else None)
        assigned, global_name = self._assigned_call.pop(id(node), (None, None))
        self.calls.append(CallFact(callee, self.span(node), self.context(), assigned, global_name))
        if callee.rpartition(".")[2] in STRING_PATH_CALLEES and node.args:
            text = _string_value(node.args[0].value)
            if text and "." in text.split(":")[0] and _DOTTED_PATH.match(text):
                self.strings.append(StringRef(text, self.span(node.args[0].value), self.context(), callee))

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        dotted = dotted_name(node)
        if dotted is not None:
            self.attribute_refs.append(AttributeRef(dotted, self.span(node), self.context()))
            return False  # the inner chains are prefixes of this one
        return True

    # -- comments ----------------------------------------------------------------

    def visit_Comment(self, node: cst.Comment) -> None:
        match = _NOQA.search(node.value)
        if match:
            span = self.span(node)
            codes = match.group("codes")
            parsed = tuple(c.upper() for c in re.split(r"[,\s]+", codes.strip())) if codes else None
            self.noqa.append(NoqaComment(span.line, span, parsed))


def _base_name(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.Subscript):  # Generic[T], Base[Any]
        expr = expr.value
    return dotted_name(expr)


def _alias_value(value: cst.BaseExpression) -> Optional[str]:
    """The dotted name an assignment aliases, or None for any other value."""
    name = dotted_name(value)
    return None if name in ("None", "True", "False") else name
