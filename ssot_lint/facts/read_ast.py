"""Reading facts off CPython's `ast`: the fast reader, for every file the running Python parses."""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
import warnings
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ssot_lint.facts.builder import assemble_facts
from ssot_lint.facts.model import (
    IMPORT_ERRORS, STRING_PATH_CALLEES, STRUCTURE_KINDS, AttributeRef, Binding, BindingKind, Branch, BranchKind,
    CallFact, ClassFact, Context, FileFacts, FunctionFact, NoqaComment, Span, StringRef, is_dotted_path, noqa_codes,
)


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
        if name and name.rpartition(".")[2] in IMPORT_ERRORS:
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
    return getattr(AstCollector, f"visit_{kind.__name__}", None), fields


_PLANS: Dict[type, Tuple[object, Tuple[str, ...]]] = {}


class AstCollector:
    """Walks an ast in source order, as the LibCST collector does, and collects the facts."""

    module_view_only = False  # skip the expressions inside classes and functions (ModuleViewCollector)

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


class ModuleViewCollector(AstCollector):
    """`extract_module_view`'s walk: every statement, as `AstCollector` walks them (so that bindings get
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
