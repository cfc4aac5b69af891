"""The fact model: what one Python file says, as plain typed values.

Facts depend on the file's bytes alone (not on the configuration nor on other
files), so they can be cached by content hash. Everything the later stages need
is here: the bindings of every scope in source order, with the branch of code
they sit in (a `try` body, an `except ImportError` fallback, `if TYPE_CHECKING:`),
class bases, calls to dotted names, `global` singletons, dotted string
references, attribute chains off imported modules, `__all__` and `# noqa`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import NamedTuple, Optional, Tuple

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


class NamespaceWrite(NamedTuple):
    """A module-level write the module's names (or the module itself) may come from at runtime, which no
    binding shows: `globals()[key] = v`, `globals().update(...)`, `setattr(sys.modules[__name__], key, v)`
    ("globals"); `sys.modules[key] = v` ("sys.modules": with the key `__name__`, the module replaces itself)."""

    namespace: str  # "globals" or "sys.modules"
    key: Optional[str]  # the literal key, "__name__" for that name, None when computed or several (`update`)
    span: Span


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
    namespace_writes: Tuple[NamespaceWrite, ...] = ()  # at module level, in source order
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
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def noqa_codes(comment: str) -> Tuple[bool, Optional[Tuple[str, ...]]]:
    """(is it a `# noqa` comment, its codes upper-cased or None for a blanket one)."""
    match = _NOQA.search(comment)
    if not match:
        return False, None
    codes = match.group("codes")
    return True, (tuple(c.upper() for c in re.split(r"[,\s]+", codes.strip())) if codes else None)


