"""The syntax-neutral fact builder that both readers (read_ast, read_cst) drive.

A reader walks its own tree and hands the builder plain values: names, dotted strings, spans,
the string elements of an `__all__` value. The builder owns everything that does not depend on
the syntax tree: the scope, branch and `global` stacks, the contexts, the order of bindings, the
branches of a `try` ladder, `__all__`, which calls are assigned to what, and which strings are
dotted paths. It never walks a tree: for a compound statement it says which nodes go in which
branch (`Part`), and the reader visits them, so that a level of nesting costs the reader's stack
no more frames than before (a RecursionError is the limit of what can be read).

A reader's node keys (`key`: `id(node)`) link facts read at different nodes: an assignment and
the call it assigns, a call and its string argument, a docstring and the string in it.
"""

from __future__ import annotations

from typing import Dict, Hashable, List, NamedTuple, Optional, Sequence, Set, Tuple

from ssot_lint.facts.model import (
    IMPORT_ERRORS, STRING_PATH_CALLEES, STRUCTURE_KINDS, AttributeRef, Binding, BindingKind, Branch, BranchKind,
    CallFact, ClassFact, Context, FileFacts, FunctionFact, NamespaceWrite, NoqaComment, Span, StringRef,
    is_dotted_path,
)

# `__all__`'s elements as a reader reads an expression: the strings of a list, tuple or set literal (across `+`),
# None for any element or operand that is no string literal.
AllElements = Sequence[Optional[str]]


class Handler(NamedTuple):
    """An `except` clause of a `try`, as a reader hands it over."""

    # The dotted names of the types it lists (None for one that is no name); None for a bare `except:`.
    type_names: Optional[Sequence[Optional[str]]]
    nodes: Sequence[Optional[object]]  # its type and body, visited in the handler's branch


class Part(NamedTuple):
    """Nodes of a compound statement for the reader to visit in one branch (None: the current ones)."""

    branch: Optional[Branch]
    nodes: Sequence[Optional[object]]  # None: absent (no `else`, ...)


_NOT_ASSIGNED = (None, None)
CONDITIONAL = Branch(BranchKind.CONDITIONAL)  # a loop's or a `match`'s body: may or may not run
_TYPE_CHECKING = Branch(BranchKind.TYPE_CHECKING)


def catches_import_error(type_names: Optional[Sequence[Optional[str]]]) -> bool:
    """Does an `except` clause (`Handler.type_names`) catch ImportError?"""
    if type_names is None:
        return True
    return any(name and name.rpartition(".")[2] in IMPORT_ERRORS for name in type_names)


class FactBuilder:
    """One file's facts, gathered in source order as a reader walks the file."""

    def __init__(self) -> None:
        # `scope` is pushed and popped, never rebound: the ast reader keeps a reference, tested on every node.
        self.scope: List[Tuple[str, str]] = []
        self.branches: List[Branch] = []
        self.enclosing_branches: Tuple[Branch, ...] = ()
        self._outer_branches: List[Tuple[List[Branch], Tuple[Branch, ...]]] = []  # of each enclosing function
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
        self.namespace_writes: List[NamespaceWrite] = []
        self.not_paths: Set[Hashable] = set()  # keys of strings that are no standalone path (a docstring, ...)
        # By the key of the call: its target ("x", "self.x"), and that name if declared `global` in its function.
        # (A plain tuple: the module view records one for every assigned call, and visits none of them.)
        self._assigned_calls: Dict[Hashable, Tuple[str, Optional[str]]] = {}
        self._contexts: Dict[Tuple[tuple, tuple, tuple], Context] = {}
        self._context: Optional[Context] = None  # the current one, until the scope or the branches change

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

    # -- bindings ------------------------------------------------------------------

    def bind(self, name: str, kind: BindingKind, span: Span, module: Optional[str] = None, level: int = 0,
             imported_name: Optional[str] = None, value: Optional[str] = None,
             statement: Optional[Span] = None) -> None:
        self.bindings.append(Binding(name, kind, span, self._context or self.context(), self.order, module, level,
                                     imported_name, value, statement))
        self.order += 1

    def assign(self, name: str, span: Span, value: Optional[str] = None) -> None:
        """`name = value`: an alias when `value` is a dotted name (not None, True or False, which LibCST
        reads as names), else a plain assignment that shadows whatever the name was."""
        if value is None or value in ("None", "True", "False"):
            kind, value = BindingKind.ASSIGN, None
        else:
            kind = BindingKind.ALIAS
        # (`bind`, inlined: the commonest binding by far)
        self.bindings.append(Binding(name, kind, span, self._context or self.context(), self.order, None, 0, None,
                                     value))
        self.order += 1

    def import_module(self, module: str, asname: Optional[str], span: Span, statement: Span) -> None:
        if asname is not None:  # `import a.b as m` binds m to a.b
            local, bound = asname, module
        else:  # `import a.b` binds a to package a
            local = bound = module.split(".", 1)[0]
        self.bind(local, BindingKind.IMPORT_MODULE, span, module=module, imported_name=bound, statement=statement)

    def import_from(self, module: str, level: int, name: str, asname: Optional[str], span: Span,
                    statement: Span) -> None:
        self.bind(asname or name, BindingKind.IMPORT_FROM, span, module=module, level=level, imported_name=name,
                  statement=statement)

    def import_star(self, module: str, level: int, span: Span, statement: Span) -> None:
        self.bind("*", BindingKind.STAR, span, module=module, level=level, statement=statement)

    # -- scopes --------------------------------------------------------------------

    def define_class(self, name: str, span: Span, bases: Tuple[str, ...]) -> None:
        """A class statement, in the scope around it (its body: `enter_class`)."""
        qualname = ".".join([n for _, n in self.scope] + [name])
        self.classes.append(ClassFact(name, qualname, span, self.context(), bases))
        self.bind(name, BindingKind.CLASS, span)

    def enter_class(self, name: str) -> None:
        self.scope.append(("class", name))
        self._context = None

    def leave_class(self) -> None:
        self.scope.pop()
        self._context = None

    def define_function(self, name: str, span: Span) -> None:
        """A def statement, in the scope around it (its parameters and body: `enter_function`)."""
        qualname = ".".join([n for _, n in self.scope] + [name])
        is_method = bool(self.scope) and self.scope[-1][0] == "class"
        self.functions.append(FunctionFact(name, qualname, span, self.context(), is_method))
        self.bind(name, BindingKind.FUNCTION, span)

    def enter_function(self, name: str, parameters: Sequence[Tuple[str, Span]]) -> None:
        self.scope.append(("function", name))
        self.globals_stack.append(set())
        self._outer_branches.append((self.branches, self.enclosing_branches))
        self.enclosing_branches = self.enclosing_branches + tuple(self.branches)
        self.branches = []  # a function body runs later, in no branch
        self._context = None
        for parameter, span in parameters:  # a parameter shadows outer names
            self.bind(parameter, BindingKind.ASSIGN, span)

    def leave_function(self) -> None:
        self.branches, self.enclosing_branches = self._outer_branches.pop()
        self.globals_stack.pop()
        self.scope.pop()
        self._context = None

    def declare_global(self, names: Sequence[str]) -> None:
        if self.globals_stack:
            self.globals_stack[-1].update(names)

    # -- branches ------------------------------------------------------------------

    def enter_branch(self, branch: Branch) -> None:
        self.branches.append(branch)
        self._context = None

    def leave_branch(self) -> None:
        self.branches.pop()
        self._context = None

    def if_parts(self, test: Optional[str], body: Sequence[object], orelse: Sequence[object]) -> List[Part]:
        """An `if` whose test (visit it first) is the dotted name `test`, or no name (None)."""
        if test and test.rpartition(".")[2] == "TYPE_CHECKING":
            return [Part(_TYPE_CHECKING, body), Part(None, orelse)]  # the `else` runs at runtime, always
        return [Part(CONDITIONAL, [*body, *orelse])]

    def try_parts(self, body: Sequence[object], handlers: Sequence[Handler], orelse: Sequence[object],
                  finalbody: Sequence[object]) -> List[Part]:
        """A `try` statement's parts, in source order (ask before visiting the body: nested ones count on)."""
        self.try_count += 1
        try_id = self.try_count
        body_branch = Branch(BranchKind.TRY, try_id) if handlers else None  # try/finally: always runs
        return [Part(body_branch, body),
                *(Part(Branch(BranchKind.EXCEPT, try_id, catches_import_error(handler.type_names)), handler.nodes)
                  for handler in handlers),
                Part(body_branch, orelse),  # `else` runs when the body succeeded
                Part(None, finalbody)]

    # -- __all__ (only at module level) ----------------------------------------------

    def set_all(self, elements: AllElements) -> None:
        """`__all__ = ...`"""
        if not self.scope:
            self.all_names = []
            self._extend_all(elements)

    def extend_all(self, elements: AllElements) -> None:
        """`__all__ += ...`"""
        if not self.scope:
            self._extend_all(elements)

    def change_all(self, method: str, elements: Optional[AllElements], text: Optional[str]) -> None:
        """`__all__.extend([...])`, `.append("x")`, `.remove("x")`; anything else makes it dynamic. `elements`
        and `text`: the first argument read as elements and as a string (`elements` None: no argument)."""
        if self.scope:
            return
        if method == "extend" and elements is not None:
            self._extend_all(elements)
        elif method == "append" and elements is not None:
            self._extend_all([text])
        elif method == "remove" and elements is not None and text in (self.all_names or []):
            self.all_names.remove(text)
        else:
            self.all_is_dynamic = True

    def _extend_all(self, elements: AllElements) -> None:
        if self.all_names is None:
            self.all_names = []
        for text in elements:
            if text is None:
                self.all_is_dynamic = True
            else:
                self.all_names.append(text)

    # -- writes to globals() and sys.modules (only at module level) ----------------------

    def namespace_write(self, namespace: Optional[str], key: Optional[str], span: Span) -> None:
        """A write to `namespace` ("globals", "sys.modules"; None: neither, ignored) under `key`."""
        if namespace is not None and not self.scope:
            self.namespace_writes.append(NamespaceWrite(namespace, key, span))

    def namespace_call(self, method: str, receiver: Optional[str], first_key: Optional[str], span: Span) -> None:
        """`receiver.method(first, ...)` on `globals()` or `sys.modules` (`receiver`, else None)."""
        if method in ("update", "setdefault", "__setitem__"):
            self.namespace_write(receiver, None if method == "update" else first_key, span)

    def setattr_call(self, target: Optional[str], key: Optional[str], span: Span) -> None:
        """`setattr(target, key, v)` where `target` is `sys.modules[__name__]` ("self"): a global."""
        if target == "self":
            self.namespace_write("globals", key, span)

    # -- calls, strings, attributes --------------------------------------------------

    def assigned_call(self, key: Hashable, target: Optional[str]) -> None:
        """The call `key` is assigned to `target` (a dotted name, or None for another target); the call
        itself comes later (`call`)."""
        if target is None:
            return
        declared = self.globals_stack[-1] if self.globals_stack else ()
        global_name = target if "." not in target and target in declared else None  # a global singleton
        self._assigned_calls[key] = (target, global_name)

    def call(self, callee: str, span: Span, key: Hashable) -> bool:
        """A call of a dotted name. True when its first argument, if a string, may be a path the
        callee imports or patches (then `path_argument`)."""
        assigned, global_name = self._assigned_calls.pop(key, _NOT_ASSIGNED)
        self.calls.append(CallFact(callee, span, self._context or self.context(), assigned, global_name))
        return callee.rpartition(".")[2] in STRING_PATH_CALLEES

    def path_argument(self, callee: str, text: Optional[str], span: Span, key: Hashable) -> None:
        """The call's first argument: `text` when a string literal."""
        if text and is_dotted_path(text):
            self.strings.append(StringRef(text, span, self.context(), callee))
            self.not_paths.add(key)  # recorded with its callee

    def standalone_string(self, text: str, span: Span, key: Hashable) -> None:
        """A whole dotted path wherever it stands (`paths = ["a.legacy", ...]`), but not prose."""
        if key not in self.not_paths and is_dotted_path(text):
            self.strings.append(StringRef(text, span, self.context(), ""))

    def attribute(self, dotted: str, span: Span, written: bool) -> None:
        self.attribute_refs.append(AttributeRef(dotted, span, self._context or self.context(), written))


def assemble_facts(builder: FactBuilder, noqa: Sequence[NoqaComment]) -> FileFacts:
    """The facts a builder gathered, less what no later question can need: `m.Name` chains whose root
    no import binds, and a function's local names that no call, alias, attribute chain or base ever
    looks up (most local variables: a third of a file's facts)."""
    imported = {b.name for b in builder.bindings if b.kind in (BindingKind.IMPORT_MODULE, BindingKind.IMPORT_FROM)}
    attribute_refs = tuple(r for r in builder.attribute_refs if r.dotted.split(".", 1)[0] in imported)
    looked_up = {call.callee.split(".", 1)[0] for call in builder.calls}
    looked_up.update(ref.dotted.split(".", 1)[0] for ref in attribute_refs)
    looked_up.update(b.value.split(".", 1)[0] for b in builder.bindings if b.kind is BindingKind.ALIAS)
    looked_up.update(base.split(".", 1)[0] for cls in builder.classes for base in cls.bases)
    bindings = tuple(b for b in builder.bindings if b.kind is not BindingKind.ASSIGN
                     or not b.context.in_function or b.name in looked_up)
    left_out = {b.name for b in builder.bindings if b.kind is BindingKind.ASSIGN and b.context.in_function
                and b.name not in looked_up}
    return FileFacts(
        local_names=tuple(sorted(left_out)),
        bare_names=tuple(sorted(builder.bare_names & imported)),
        bindings=bindings,
        classes=tuple(builder.classes),
        functions=tuple(builder.functions),
        calls=tuple(builder.calls),
        strings=tuple(builder.strings),
        attribute_refs=attribute_refs,
        noqa=tuple(noqa),
        all_names=tuple(builder.all_names) if builder.all_names is not None else None,
        all_is_dynamic=builder.all_is_dynamic,
        namespace_writes=tuple(builder.namespace_writes),
    )


def assemble_module_view(builder: FactBuilder) -> FileFacts:
    """`extract_module_view`'s facts: module-level bindings, the imports and aliases of every scope,
    `__all__` and the module-level calls (`warnings.warn(...)` on import)."""
    return FileFacts(
        bindings=tuple(b for b in builder.bindings if not b.context.scope or b.kind in STRUCTURE_KINDS),
        calls=tuple(c for c in builder.calls if not c.context.scope),
        all_names=tuple(builder.all_names) if builder.all_names is not None else None,
        all_is_dynamic=builder.all_is_dynamic,
        namespace_writes=tuple(builder.namespace_writes),
        module_view_only=True,
    )
