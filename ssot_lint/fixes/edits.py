"""What a fix is: an edit a rule proposes for one violation, applied later by `apply.py`.

A rule knows *what* must change (this imported name must come from the canonical
module; this alias must take the canonical name); `apply.py` knows *how* to change
it in the file's concrete syntax tree without losing a comment or a comma. The
edits are plain values, located by the spans the facts recorded, so a rule never
touches LibCST and a violation can be cached and compared like any other value.

Applicability follows ruff: a safe fix binds the very same object at runtime and
is applied by `--fix`; an unsafe fix may change behaviour (what a `mock.patch`
patches, a name other modules could read) and needs `--unsafe-fixes` as well.
"""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple, Union

from ssot_lint.facts.model import Binding, Span

if TYPE_CHECKING:
    from ssot_lint.analysis.graph import ModuleInfo


class Applicability(str, enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class MoveImport:
    """`from old import name [as local]` -> `from to_module import to_name [as local]`.

    Only the alias at `alias` moves: the statement's other names stay where they
    are, and the moved one joins an earlier import from `to_module` in the same
    block when there is one. The local name is kept, so no other line changes."""

    statement: Span  # the whole `from ... import ...` statement
    alias: Span  # the alias that moves (`name` or `name as local`)
    to_module: str  # absolute
    to_name: str
    local_name: str


@dataclass(frozen=True)
class RetargetModuleImport:
    """`import old as m` / `from pkg import old as m` -> `import to_module as m`.

    Safe only when every use of `m` in the file is `m.<attribute>` with an
    attribute that names the same object in both modules: `attributes` lists
    those, and the fixer refuses when the file uses `m` in any other way. None:
    `to_module` is the very module bound before (`from shim_package import mod`
    -> `import shim_package.mod as mod`), so every use stays right."""

    statement: Span
    alias: Span
    to_module: str
    local_name: str
    attributes: Optional[Tuple[str, ...]]


@dataclass(frozen=True)
class ReplaceString:
    """A string literal's text replaced (its quotes and prefix kept): a dotted path made canonical."""

    span: Span
    old: str
    new: str


@dataclass(frozen=True)
class RenameBinding:
    """A name bound at `span` renamed to `new` there and at every use of that binding in the file.

    An alias whose value becomes the name itself (`Factory = EngineFactory` ->
    `EngineFactory = EngineFactory`) is removed; `import X as X` loses its `as`. The rule offers it
    only where `why_not_rename` finds nothing against it."""

    span: Span  # the binding: an import alias, or an assignment's target
    old: str
    new: str
    same_object: Tuple[Span, ...] = ()  # bindings of `new` in the file that bind the very same object
    # The import alias that binds the name the removed `Factory = EngineFactory` reads: removed as well
    # when nothing in the file reads it any more. None when no other module can be shown not to read it.
    unused_import: Optional[Span] = None


@dataclass(frozen=True)
class ImportName:
    """`m.Name` -> `Name`, with `from to_module import Name` added after the import that binds `m`.

    Unsafe: `m.Name` is looked up when the line runs, `Name` when the module is
    imported (an import cycle can tell the two apart, and so can a patch of `m`)."""

    span: Span  # the `m.Name` expression
    dotted: str  # `m.Name` as written
    statement: Span  # the import statement that binds `m`
    to_module: str
    name: str
    same_object: Tuple[Span, ...] = ()  # bindings of `name` in the file that bind the very same object
    # The import alias that binds `m`: removed as well when this fix (with the file's others) leaves no
    # read of `m` in the file. None when another module may read `m` from this one: it must stay.
    unused_import: Optional[Span] = None


Edit = Union[MoveImport, RetargetModuleImport, ReplaceString, RenameBinding, ImportName]


@dataclass(frozen=True)
class Fix:
    """A proposed change and how safe it is. `message` is for people: 'import X from m'."""

    edit: Edit
    applicability: Applicability
    message: str

    @property
    def is_safe(self) -> bool:
        return self.applicability is Applicability.SAFE


def safe(edit: Edit, message: str) -> Fix:
    return Fix(edit, Applicability.SAFE, message)


def unsafe(edit: Edit, message: str) -> Fix:
    return Fix(edit, Applicability.UNSAFE, message)


def relative_or_absolute(importer: str, importer_is_package: bool, level: int, module: str) -> Tuple[int, str]:
    """How to write `module` in a `from ... import` of `importer` that was written with `level` dots:
    relative again when `module` lies under the same base package, absolute otherwise."""
    if level == 0:
        return 0, module
    package = importer if importer_is_package else importer.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return 0, module
    base = ".".join(parts[: len(parts) - (level - 1)])
    if base and module.startswith(base + "."):
        return level, module[len(base) + 1:]
    return 0, module


# Why `plan.py` would refuse an edit, for the reasons a rule can foresee: the fixer asks these of the
# concrete syntax tree, the rule of the facts before it offers the fix, so `[*]` marks only what
# `--fix` does.

def why_not_import_name(name: str) -> Optional[str]:
    """`m.Name` -> `Name`: a builtin's name would shadow the builtin."""
    return f"{name} is a builtin" if name in _BUILTINS else None


def why_not_rename(old: str, times_bound: int) -> Optional[str]:
    """A name bound more than once in its scope (`try: import ... as F` / `except: F = None`) cannot be
    renamed at one binding: the other would keep the old name, and the uses could read either."""
    return f"{old} is bound more than once in its scope" if times_bound != 1 else None


def why_not_replace_string(value: str, span: Span) -> Optional[str]:
    """The fixer rewrites a literal that holds `value` as written: on one line, in plain quotes (single or
    triple) with at most a one-letter prefix, without escapes. Escapes and implicit concatenation
    (`"a." "b"`) make a literal wider than that, which its span shows."""
    if span.line == span.end_line and span.end_column - span.column - len(value) in (2, 3, 6, 7):
        return None
    return "the string is written with escapes or as bytes"


_BUILTINS = frozenset(dir(builtins))


def binding_in_scope(info: "ModuleInfo", scope: str, name: str) -> Optional[Binding]:
    """The one binding of `name` that a read in `scope` sees (innermost scope first); None if that scope
    binds it more than once (which one applies depends on the path the code takes)."""
    while True:
        bindings = info.scopes.get(scope, ()) if scope else info.bindings_of(name)
        found = [b for b in bindings if b.name == name]
        if found:
            return found[0] if len(found) == 1 else None
        if not scope:
            return None
        scope = scope.rpartition(".")[0]


def times_bound(info: "ModuleInfo", binding: Binding) -> int:
    """How many times the binding's scope binds its name, as far as the facts tell: a function local they
    leave out (nothing looks it up) counts once more, wherever it is (it may be in this scope)."""
    found = sum(1 for b in info.scopes.get(binding.context.qualname, ()) if b.name == binding.name)
    return found + (binding.context.in_function and info.facts.binds_elsewhere(binding.name))
