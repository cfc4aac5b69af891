"""Fact extraction with LibCST: the fallback for files the running Python cannot parse.

CPython's `ast` (facts.py) reads almost every file, about thirty times faster. A
file written for a newer Python than the one running ssot-lint (a `match`
statement read by Python 3.9, say) is still read here, by LibCST's own parser,
into exactly the same facts; tests/test_facts_parity.py checks that the two agree.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import (
    ExpressionContext, ExpressionContextProvider, MetadataWrapper, ParentNodeProvider, PositionProvider,
)

from ssot_lint.facts.builder import assemble_facts
from ssot_lint.facts.model import (
    IMPORT_ERRORS, STRING_PATH_CALLEES, AttributeRef, Binding, BindingKind, Branch, BranchKind, CallFact, ClassFact,
    Context, FileFacts, FunctionFact, NoqaComment, ParseError, Span, StringRef, is_dotted_path, noqa_codes,
)


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


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    for item in types:
        expr = item.value if isinstance(item, cst.Element) else item
        name = dotted_name(expr)
        if name and name.rpartition(".")[2] in IMPORT_ERRORS:
            return True
    return False


def _is_type_checking_test(test: cst.BaseExpression) -> bool:
    name = dotted_name(test)
    return bool(name) and name.rpartition(".")[2] == "TYPE_CHECKING"


class _FactCollector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider, ExpressionContextProvider, ParentNodeProvider)

    def __init__(self) -> None:
        super().__init__()
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
        self.bare_names: Set[str] = set()  # as facts.py collects them: names read or deleted whole
        self.noqa: List[NoqaComment] = []
        self.all_names: Optional[List[str]] = None
        self.all_is_dynamic = False
        self._assigned_call: Dict[int, Tuple[str, Optional[str]]] = {}  # id(Call) -> (target, global name)
        self._not_paths: Set[int] = set()  # ids of string nodes that are no standalone path (see _standalone_path)

    # -- results -----------------------------------------------------------------

    def facts(self) -> FileFacts:
        return assemble_facts(self, self.noqa)

    # -- helpers -----------------------------------------------------------------

    def span(self, node: cst.CSTNode) -> Span:
        pos = self.get_metadata(PositionProvider, node)
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def context(self) -> Context:
        return Context(tuple(self.scope), tuple(self.branches), self.enclosing_branches)

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
        self.skip_docstring(node.body.body)
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
        outer_enclosing = self.enclosing_branches
        self.enclosing_branches = outer_enclosing + tuple(outer_branches)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.bind(param.name.value, BindingKind.ASSIGN, param.name)  # a parameter shadows outer names
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self.bind(star.name.value, BindingKind.ASSIGN, star.name)
        self.skip_docstring(node.body.body)
        node.body.visit(self)
        self.branches = outer_branches
        self.enclosing_branches = outer_enclosing
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

    def _comments_in(self, node: cst.CSTNode) -> None:
        """Comments inside an import's parentheses (its children are not visited otherwise)."""
        node.visit(_CommentsOnly(self))

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
        self._comments_in(node)
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
        self._comments_in(node)
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
            if text and is_dotted_path(text):
                self.strings.append(StringRef(text, self.span(node.args[0].value), self.context(), callee))
                self._not_paths.add(id(node.args[0].value))  # recorded with its callee

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._standalone_path(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._standalone_path(node)
        for part in (node.left, node.right):  # its parts are not strings of their own
            self._not_paths.add(id(part))

    def _standalone_path(self, node: cst.BaseExpression) -> None:
        """A whole dotted path wherever it stands (`paths = ["a.legacy", ...]`), but not prose."""
        if id(node) in self._not_paths:
            return
        value = _string_value(node)
        if value is not None and is_dotted_path(value):
            self.strings.append(StringRef(value, self.span(node), self.context(), ""))

    def skip_docstring(self, body: Sequence[cst.CSTNode]) -> None:
        """A docstring is prose, even when it is one dotted word."""
        first = body[0] if body else None
        if isinstance(first, cst.SimpleStatementLine):  # (in a `def f(): "doc"` suite, the statement itself)
            first = first.body[0] if first.body else None
        if isinstance(first, cst.Expr) and _string_value(first.value) is not None:
            self._not_paths.add(id(first.value))

    def visit_Module(self, node: cst.Module) -> None:
        self.skip_docstring(node.body)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        dotted = dotted_name(node)
        if dotted is not None:
            written = self.get_metadata(ExpressionContextProvider, node, None) in (ExpressionContext.STORE,
                                                                                   ExpressionContext.DEL)
            self.attribute_refs.append(AttributeRef(dotted, self.span(node), self.context(), written))
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
        self.bare_names.add(node.value)

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


def _base_name(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.Subscript):  # Generic[T], Base[Any]
        expr = expr.value
    return dotted_name(expr)


def _alias_value(value: cst.BaseExpression) -> Optional[str]:
    """The dotted name an assignment aliases, or None for any other value."""
    name = dotted_name(value)
    return None if name in ("None", "True", "False") else name
