"""Fact extraction with LibCST: the fallback for files the running Python cannot parse.

CPython's `ast` (read_ast.py) reads almost every file, about thirty times faster. A
file written for a newer Python than the one running ssot-lint (a `match`
statement read by Python 3.9, say) is still read here, by LibCST's own parser,
into exactly the same facts; tests/test_facts_parity.py checks that the two agree.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst
from libcst.metadata import (
    ExpressionContext, ExpressionContextProvider, MetadataWrapper, ParentNodeProvider, PositionProvider,
)

from ssot_lint.facts.builder import CONDITIONAL, AllElements, FactBuilder, Handler, assemble_facts
from ssot_lint.facts.model import Branch, FileFacts, NoqaComment, ParseError, Span, noqa_codes


def extract_with_libcst(source: bytes) -> FileFacts:
    """Facts read by LibCST; a file it cannot parse either gives a ParseError."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return FileFacts(parse_error=ParseError(" ".join(exc.message.split()), exc.raw_line, exc.raw_column + 1))
    except (RecursionError, MemoryError) as exc:
        return FileFacts(parse_error=ParseError(f"too deeply nested to parse ({type(exc).__name__})", 1, 1))
    except (UnicodeDecodeError, SyntaxError, ValueError) as exc:  # a bad encoding cookie
        return FileFacts(parse_error=ParseError(" ".join(str(exc).split()), 1, 1))
    collector = _FactCollector()
    try:
        MetadataWrapper(module, unsafe_skip_copy=True).visit(collector)
    except RecursionError:
        return FileFacts(parse_error=ParseError("too deeply nested to analyse (RecursionError)", 1, 1))
    return collector.facts()


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


def _namespace(node: cst.BaseExpression) -> Optional[str]:
    """"globals" for `globals()` (and `vars()`, the same at module level), "sys.modules", else None."""
    if isinstance(node, cst.Call):
        return "globals" if isinstance(node.func, cst.Name) and node.func.value in ("globals", "vars") \
            and not node.args else None
    return "sys.modules" if dotted_name(node) == "sys.modules" else None


def _key(node: Optional[cst.BaseExpression]) -> Optional[str]:
    """A key written: a string literal, or "__name__" for that name."""
    if isinstance(node, cst.Name) and node.value == "__name__":
        return "__name__"
    return _string_value(node) if node is not None else None


def _subscript_key(node: cst.Subscript) -> Optional[str]:
    elements = node.slice
    if len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
        return _key(elements[0].slice.value)
    return None


def _type_names(handler_type: Optional[cst.BaseExpression]) -> Optional[List[Optional[str]]]:
    """The dotted names of the types an `except` lists (None: a bare `except:`)."""
    if handler_type is None:
        return None
    types = handler_type.elements if isinstance(handler_type, cst.Tuple) else [handler_type]
    return [dotted_name(item.value if isinstance(item, cst.Element) else item) for item in types]


def _all_elements(value: cst.BaseExpression) -> AllElements:
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return [_string_value(element.value) if isinstance(element, cst.Element) else None
                for element in value.elements]
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return [*_all_elements(value.left), *_all_elements(value.right)]
    return [None]


def _base_name(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.Subscript):  # Generic[T], Base[Any]
        expr = expr.value
    return dotted_name(expr)


class _FactCollector(cst.CSTVisitor):
    """Walks a LibCST tree and hands what it reads to a FactBuilder, exactly as read_ast does."""

    METADATA_DEPENDENCIES = (PositionProvider, ExpressionContextProvider, ParentNodeProvider)

    def __init__(self) -> None:
        super().__init__()
        self.builder = FactBuilder()
        self.noqa: List[NoqaComment] = []

    def facts(self) -> FileFacts:
        return assemble_facts(self.builder, self.noqa)

    def span(self, node: cst.CSTNode) -> Span:
        pos = self.get_metadata(PositionProvider, node)
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def visit_children_in(self, branch: Optional[Branch], nodes: Sequence[Optional[cst.CSTNode]]) -> None:
        if branch is not None:
            self.builder.enter_branch(branch)
        for node in nodes:
            if node is not None:
                node.visit(self)
        if branch is not None:
            self.builder.leave_branch()

    def skip_docstring(self, body: Sequence[cst.CSTNode]) -> None:
        """A docstring is prose, even when it is one dotted word."""
        first = body[0] if body else None
        if isinstance(first, cst.SimpleStatementLine):  # (in a `def f(): "doc"` suite, the statement itself)
            first = first.body[0] if first.body else None
        if isinstance(first, cst.Expr) and _string_value(first.value) is not None:
            self.builder.not_paths.add(id(first.value))

    def visit_Module(self, node: cst.Module) -> None:
        self.skip_docstring(node.body)

    # -- scopes ------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        builder = self.builder
        bases = tuple(filter(None, (_base_name(arg.value) for arg in node.bases)))
        builder.define_class(node.name.value, self.span(node.name), bases)
        self.visit_children_in(None, [*node.decorators, *node.bases, *node.keywords])
        builder.enter_class(node.name.value)
        self.skip_docstring(node.body.body)
        node.body.visit(self)
        builder.leave_class()
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        builder = self.builder
        builder.define_function(node.name.value, self.span(node.name))
        self.visit_children_in(None, [*node.decorators, node.params, node.returns])
        params = node.params
        stars = [star for star in (params.star_arg, params.star_kwarg) if isinstance(star, cst.Param)]
        builder.enter_function(node.name.value, [(param.name.value, self.span(param.name)) for param in (
            *params.posonly_params, *params.params, *params.kwonly_params, *stars)])
        self.skip_docstring(node.body.body)
        node.body.visit(self)
        builder.leave_function()
        return False

    def visit_Global(self, node: cst.Global) -> None:
        self.builder.declare_global([item.name.value for item in node.names])

    # -- branches ----------------------------------------------------------------

    def visit_Try(self, node: cst.Try) -> bool:
        return self._visit_try(node)

    def visit_TryStar(self, node: "cst.TryStar") -> bool:
        return self._visit_try(node)

    def _visit_try(self, node) -> bool:
        handlers = [Handler(_type_names(handler.type), [handler.type, handler.body]) for handler in node.handlers]
        for part in self.builder.try_parts([node.body], handlers, [node.orelse], [node.finalbody]):
            self.visit_children_in(*part)
        return False

    def visit_If(self, node: cst.If) -> bool:
        node.test.visit(self)
        for part in self.builder.if_parts(dotted_name(node.test), [node.body], [node.orelse]):
            self.visit_children_in(*part)
        return False

    def visit_While(self, node: cst.While) -> bool:
        self.visit_children_in(CONDITIONAL, [node.test, node.body, node.orelse])
        return False

    def visit_For(self, node: cst.For) -> bool:
        self._bind_targets(node.target)
        self.visit_children_in(CONDITIONAL, [node.target, node.iter, node.body, node.orelse])
        return False

    def visit_Match(self, node) -> bool:
        self.visit_children_in(CONDITIONAL, [node.subject, *node.cases])
        return False

    # -- imports -----------------------------------------------------------------

    def _comments_in(self, node: cst.CSTNode) -> None:
        """Comments inside an import's parentheses (its children are not visited otherwise)."""
        node.visit(_CommentsOnly(self))

    def visit_Import(self, node: cst.Import) -> bool:
        statement = self.span(node)
        for alias in node.names:
            module = _import_module_name(alias.name)
            asname = (dotted_name(alias.asname.name) or module) if alias.asname is not None else None
            self.builder.import_module(module, asname, self.span(alias), statement)
        self._comments_in(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        statement = self.span(node)
        module = _import_module_name(node.module)
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self.builder.import_star(module, level, self.span(node.names), statement)
            return False
        for alias in node.names:
            asname = dotted_name(alias.asname.name) if alias.asname is not None else None
            self.builder.import_from(module, level, _import_module_name(alias.name), asname, self.span(alias),
                                     statement)
        self._comments_in(node)
        return False

    # -- assignments -------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        value_name = dotted_name(node.value)
        for target in node.targets:
            self._bind_assignment(target.target, node.value, value_name)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_assignment(node.target, node.value, dotted_name(node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "__all__":
            self.builder.extend_all(_all_elements(node.value))

    def _bind_assignment(self, target: cst.BaseExpression, value: cst.BaseExpression,
                         value_name: Optional[str]) -> None:
        if isinstance(target, cst.Name):
            if target.value == "__all__":
                self.builder.set_all(_all_elements(value))
            self.builder.assign(target.value, self.span(target), value_name)
        else:
            self._bind_targets(target)
            if isinstance(target, cst.Subscript):  # `globals()[k] = v`, `sys.modules[k] = v`
                self.builder.namespace_write(_namespace(target.value), _subscript_key(target), self.span(target))
        if isinstance(value, cst.Call):
            self.builder.assigned_call(id(value), dotted_name(target))

    def _bind_targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.builder.assign(target.value, self.span(target))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_targets(target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_targets(node.asname.name)

    # -- calls, strings, attributes ------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func)
        first = node.args[0].value if node.args else None
        if callee is None:
            if isinstance(node.func, cst.Attribute):  # `globals().update(...)`
                self.builder.namespace_call(node.func.attr.value, _namespace(node.func.value), _key(first),
                                            self.span(node))
            return
        if callee == "setattr" and len(node.args) >= 2 and isinstance(first, cst.Subscript) and \
                _namespace(first.value) == "sys.modules" and _subscript_key(first) == "__name__":
            self.builder.setattr_call("self", _key(node.args[1].value), self.span(node))
        elif callee.startswith("sys.modules."):
            self.builder.namespace_call(callee[len("sys.modules."):], "sys.modules", _key(first), self.span(node))
        if callee.startswith("__all__."):
            self.builder.change_all(callee.rsplit(".", 1)[1], None if first is None else _all_elements(first),
                                    _string_value(first))
        if self.builder.call(callee, self.span(node), id(node)) and first is not None:
            self.builder.path_argument(callee, _string_value(first), self.span(first), id(first))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._standalone_path(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._standalone_path(node)
        self.builder.not_paths.update((id(node.left), id(node.right)))  # its parts are not strings of their own

    def _standalone_path(self, node: cst.BaseExpression) -> None:
        if id(node) not in self.builder.not_paths:  # (before evaluating it: a docstring may be long)
            value = _string_value(node)
            if value is not None:
                self.builder.standalone_string(value, self.span(node), id(node))

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        dotted = dotted_name(node)
        if dotted is not None:
            written = self.get_metadata(ExpressionContextProvider, node, None) in (ExpressionContext.STORE,
                                                                                   ExpressionContext.DEL)
            self.builder.attribute(dotted, self.span(node), written)
            return False  # the inner chains are prefixes of this one
        node.value.visit(self)  # not `attr`: a name there is no variable (`ast` holds it as a string)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        """A name read or deleted as a variable: where `ast` has a `Name` that it does not store to. LibCST
        has Name nodes where `ast` has plain strings too: those are left out by their parent."""
        if self.get_metadata(ExpressionContextProvider, node, None) not in (ExpressionContext.LOAD,
                                                                            ExpressionContext.DEL):
            return
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, (cst.ImportAlias, cst.NameItem, cst.AsName)) or \
                getattr(parent, _NAME_FIELDS.get(type(parent), ""), None) is node:
            return
        self.builder.bare_names.add(node.value)

    # -- comments ----------------------------------------------------------------

    def visit_Comment(self, node: cst.Comment) -> None:
        is_noqa, codes = noqa_codes(node.value)
        if is_noqa:
            span = self.span(node)
            self.noqa.append(NoqaComment(span.line, span, codes))


class _CommentsOnly(cst.CSTVisitor):
    def __init__(self, collector: "_FactCollector"):
        super().__init__()
        self.collector = collector

    def visit_Comment(self, node: cst.Comment) -> None:
        self.collector.visit_Comment(node)


# Where LibCST has a Name that `ast` holds as a string: the name of a definition, a parameter, a pattern's
# capture, a keyword argument (the field of the parent that holds it). Imports, `global` and `as` hold
# nothing else.
_NAME_FIELDS = {getattr(cst, kind): field for kind, field in (
    ("FunctionDef", "name"), ("ClassDef", "name"), ("Param", "name"), ("Arg", "keyword"), ("MatchAs", "name"),
    ("MatchStar", "name"), ("MatchKeywordElement", "key"), ("MatchMapping", "rest"), ("TypeVar", "name"),
    ("TypeVarTuple", "name"), ("ParamSpec", "name"), ("TypeAlias", "name")) if hasattr(cst, kind)}
