"""Reading facts off CPython's `ast`: the fast reader, for every file the running Python parses."""

from __future__ import annotations

import ast
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

from ssot_lint.facts.builder import (
    CONDITIONAL, AllElements, FactBuilder, Handler, assemble_facts, assemble_module_view,
)
from ssot_lint.facts.model import Branch, FileFacts, Span
from ssot_lint.facts.source_text import SourceText


def parse_python(source: bytes) -> ast.Module:
    """`ast.parse`, without the warnings CPython prints about the code it reads (an invalid escape, `1if`):
    they are the linted code's business, and would clutter ssot-lint's output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


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


def _namespace(node: ast.AST) -> Optional[str]:
    """"globals" for `globals()` (and `vars()`, the same at module level), "sys.modules", else None."""
    if isinstance(node, ast.Call):
        return "globals" if isinstance(node.func, ast.Name) and node.func.id in ("globals", "vars") \
            and not node.args and not node.keywords else None
    return "sys.modules" if ast_dotted_name(node) == "sys.modules" else None


def _key(node: Optional[ast.AST]) -> Optional[str]:
    """A key written: a string literal, or "__name__" for that name."""
    if isinstance(node, ast.Name) and node.id == "__name__":
        return "__name__"
    return _ast_string(node)


def _type_names(handler_type: Optional[ast.expr]) -> Optional[List[Optional[str]]]:
    """The dotted names of the types an `except` lists (None: a bare `except:`)."""
    if handler_type is None:
        return None
    return [ast_dotted_name(item) for item in (handler_type.elts if isinstance(handler_type, ast.Tuple)
                                                else [handler_type])]


def _all_elements(value: ast.AST) -> AllElements:
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return [_ast_string(element) for element in value.elts]
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return [*_all_elements(value.left), *_all_elements(value.right)]
    return [None]


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
    """Walks an ast in source order, as the LibCST reader walks its tree, and hands what it reads to a
    FactBuilder; positions and `# noqa` comments come from the file's text (SourceText)."""

    module_view_only = False  # skip the expressions inside classes and functions (ModuleViewCollector)

    def __init__(self, source: bytes):
        self.text = text = SourceText(source)
        self.builder = builder = FactBuilder()
        # What the walk calls for most nodes, bound once.
        self.span = text.span
        self.scope = builder.scope
        self._read_name = builder.bare_names.add
        self._attribute = builder.attribute
        self._call = builder.call
        self._string_spans = text.string_spans

    # -- results -----------------------------------------------------------------

    def facts(self) -> FileFacts:
        return assemble_facts(self.builder, self.text.noqa_comments())

    # -- traversal -----------------------------------------------------------------

    def skip_docstring(self, body: Sequence[ast.stmt]) -> None:
        """A docstring is prose, even when it is one dotted word."""
        if body and isinstance(body[0], ast.Expr) and _ast_string(body[0].value) is not None:
            self.builder.not_paths.add(id(body[0].value))

    def visit_body(self, statements: Sequence[ast.stmt]) -> None:
        for statement in statements:
            self.visit(statement)

    def visit_in(self, branch: Optional[Branch], nodes: Sequence[Optional[ast.AST]]) -> None:
        if branch is not None:
            self.builder.enter_branch(branch)
        for node in nodes:
            if node is not None:
                self.visit(node)
        if branch is not None:
            self.builder.leave_branch()

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
                            self._read_name(item.id)
                    elif type(item) not in _LEAF_TYPES and isinstance(item, ast.AST):
                        self.visit(item)
            elif type(value) is ast.Name:
                if type(value.ctx) is not ast.Store:
                    self._read_name(value.id)
            elif value is not None and type(value) not in _LEAF_TYPES and isinstance(value, ast.AST):
                self.visit(value)

    def visit_Name(self, node: ast.Name) -> None:  # a name visited directly: a base, a test, an iterable
        if type(node.ctx) is not ast.Store:
            self._read_name(node.id)

    # -- scopes --------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> bool:
        builder = self.builder
        bases = tuple(filter(None, (_base_name(base) for base in node.bases)))
        builder.define_class(node.name, self.text.definition_name_span(node, node.name), bases)
        self.visit_in(None, [*node.decorator_list, *node.bases, *node.keywords])
        builder.enter_class(node.name)
        self.skip_docstring(node.body)
        self.visit_body(node.body)
        builder.leave_class()
        return False

    def visit_FunctionDef(self, node) -> bool:
        builder = self.builder
        builder.define_function(node.name, self.text.definition_name_span(node, node.name))
        self.visit_in(None, [*node.decorator_list, node.args, node.returns])
        params = node.args
        parameters = []
        for param in (*params.posonlyargs, *params.args, *params.kwonlyargs, params.vararg, params.kwarg):
            if param is not None:
                column = self.text.column(param.lineno, param.col_offset)
                parameters.append((param.arg, Span(param.lineno, column, param.lineno, column + len(param.arg))))
        builder.enter_function(node.name, parameters)
        self.skip_docstring(node.body)
        self.visit_body(node.body)
        builder.leave_function()
        return False

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Global(self, node: ast.Global) -> None:
        self.builder.declare_global(node.names)

    # -- branches ------------------------------------------------------------------

    def visit_Try(self, node) -> bool:
        handlers = [Handler(_type_names(handler.type), [handler.type, *handler.body]) for handler in node.handlers]
        for part in self.builder.try_parts(node.body, handlers, node.orelse, node.finalbody):
            self.visit_in(*part)
        return False

    visit_TryStar = visit_Try

    def visit_If(self, node: ast.If) -> bool:
        self.visit(node.test)
        for part in self.builder.if_parts(ast_dotted_name(node.test), node.body, node.orelse):
            self.visit_in(*part)
        return False

    def visit_While(self, node: ast.While) -> bool:
        self.visit_in(CONDITIONAL, [node.test, *node.body, *node.orelse])
        return False

    def visit_For(self, node) -> bool:
        self._bind_targets(node.target)
        self.visit_in(CONDITIONAL, [node.target, node.iter, *node.body, *node.orelse])
        return False

    visit_AsyncFor = visit_For

    def visit_Match(self, node) -> bool:
        self.visit_in(CONDITIONAL, [node.subject, *node.cases])
        return False

    # -- imports -------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> bool:
        statement = self.span(node)
        for alias, span in zip(node.names, self.text.alias_spans(node, node.names)):
            self.builder.import_module(alias.name, alias.asname, span, statement)
        return False

    def visit_ImportFrom(self, node: ast.ImportFrom) -> bool:
        statement = self.span(node)
        module = node.module or ""
        if len(node.names) == 1 and node.names[0].name == "*":
            self.builder.import_star(module, node.level, self.text.star_span(node), statement)
            return False
        for alias, span in zip(node.names, self.text.alias_spans(node, node.names)):
            self.builder.import_from(module, node.level, alias.name, alias.asname, span, statement)
        return False

    # -- assignments ---------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        value_name = ast_dotted_name(node.value)
        for target in node.targets:
            self._bind_assignment(target, node.value, value_name)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind_assignment(node.target, node.value, ast_dotted_name(node.value))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == "__all__":
            self.builder.extend_all(_all_elements(node.value))

    def _bind_assignment(self, target: ast.AST, value: ast.AST, value_name: Optional[str]) -> None:
        if isinstance(target, ast.Name):
            if target.id == "__all__":
                self.builder.set_all(_all_elements(value))
            self.builder.assign(target.id, self.span(target), value_name)
        else:
            self._bind_targets(target)
            if isinstance(target, ast.Subscript):  # `globals()[k] = v`, `sys.modules[k] = v`
                self.builder.namespace_write(_namespace(target.value), _key(target.slice), self.span(target))
        if isinstance(value, ast.Call):
            self.builder.assigned_call(id(value), ast_dotted_name(target))

    def _bind_targets(self, target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.builder.assign(target.id, self.span(target))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_targets(element)
        elif isinstance(target, ast.Starred):
            self._bind_targets(target.value)

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._bind_targets(node.optional_vars)

    # -- calls, strings, attributes --------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        callee = ast_dotted_name(node.func)
        first = node.args[0] if node.args else (node.keywords[0].value if node.keywords else None)
        if callee is None:
            if isinstance(node.func, ast.Attribute):  # `globals().update(...)`
                self.builder.namespace_call(node.func.attr, _namespace(node.func.value), _key(first), self.span(node))
            return
        if callee == "setattr" and len(node.args) >= 2 and isinstance(first, ast.Subscript) and \
                _namespace(first.value) == "sys.modules" and _key(first.slice) == "__name__":
            self.builder.setattr_call("self", _key(node.args[1]), self.span(node))
        elif callee.startswith("sys.modules."):
            self.builder.namespace_call(callee[len("sys.modules."):], "sys.modules", _key(first), self.span(node))
        if callee.startswith("__all__."):
            self.builder.change_all(callee.rsplit(".", 1)[1], None if first is None else _all_elements(first),
                                    _ast_string(first))
        if self._call(callee, self.span(node), id(node)) and first is not None:
            self.builder.path_argument(callee, _ast_string(first), self.span(first), id(first))

    def visit_Attribute(self, node: ast.Attribute) -> bool:
        dotted = ast_dotted_name(node)
        if dotted is not None:
            self._attribute(dotted, self.span(node), type(node.ctx) is not ast.Load)
            return False  # the inner chains are prefixes of this one
        return True

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, (str, bytes)) and node.end_lineno is not None:
            self._string_spans.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
            if type(value) is str and "." in value and " " not in value:  # (is_dotted_path's first tests)
                self.builder.standalone_string(value, self.span(node), id(node))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._string_spans.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
        self.builder.not_paths.update(id(part) for part in node.values)  # the text of an f-string is no whole path


class ModuleViewCollector(AstCollector):
    """`extract_module_view`'s walk: every statement, as `AstCollector` walks them (so that bindings get
    the same order, spans and contexts), but no expression inside a class or function (they only give
    calls, attribute chains and strings). Module-level expressions are walked: `__all__.extend(...)`."""

    module_view_only = True

    def facts(self) -> FileFacts:
        return assemble_module_view(self.builder)
