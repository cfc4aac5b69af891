"""Resolution: follow any binding to what it is at runtime, the way Python's import system does.

`Resolver` answers "what is name N in module M?" through imports, package
`__init__` re-exports, star imports (honouring `__all__`), aliases of aliases,
module aliases (`import a.b as m; m.Name`), `try`/`except ImportError` ladders
(a fallback counts only when the `try` body's imports fail) and `if
TYPE_CHECKING:` blocks (seen only when nothing at runtime binds the name). It
returns the chain of bindings it followed; cycles give an unresolved result,
never a recursion error.
"""

from __future__ import annotations

import builtins
import enum
import itertools
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Dict, NamedTuple, Optional, Set, Tuple

from ssot_lint.facts.model import Binding, BindingKind, BranchKind, Context
from ssot_lint.analysis.depends import UNSET, DependentAnswers
from ssot_lint.analysis.graph import ImportStructure, ModuleInfo, ProjectGraph


class Definition(NamedTuple):
    """The identity of a class or function (or any object bound by a definition): where it is defined. The
    line tells apart two definitions of one name (`try`/`except ImportError` fallbacks)."""

    module: str
    qualname: str
    line: int


class TargetKind(str, enum.Enum):
    DEFINITION = "definition"  # a class or function defined in the project
    MODULE = "module"  # a project module or package
    VALUE = "value"  # some other value assigned in the project (`x = 3`, `x = f()`)
    EXTERNAL = "external"  # outside the project (stdlib, third party): not followed
    # A name the module does not bind that its module-level `__getattr__` or its writes to globals() may hand out;
    # anything from a module that puts another object in its own place in sys.modules, or from a missing module
    # a package above it may put there.
    DYNAMIC = "dynamic"
    UNRESOLVED = "unresolved"  # a project path that does not exist, or a name a module does not define


@dataclass(frozen=True)
class Hop:
    """One binding followed on the way to the definition."""

    module: str
    name: str
    kind: BindingKind


@dataclass(frozen=True)
class Resolution:
    kind: TargetKind
    module: Optional[str] = None  # DEFINITION/VALUE: where it is bound; MODULE: the module; EXTERNAL: the path
    name: Optional[str] = None  # DEFINITION: qualname; VALUE: the name
    hops: Tuple[Hop, ...] = ()
    reason: str = ""  # UNRESOLVED: what is missing; DYNAMIC: why it is decided at runtime, said after the name
    rest: Tuple[str, ...] = ()  # attributes read off a definition (`Factory.create` -> ("create",))
    line: int = 0  # DEFINITION: the line of the `class`/`def`, telling apart two definitions of one name

    @property
    def target(self) -> Optional[Tuple[str, str]]:
        """(module, qualname) of the definition reached, if one was."""
        return (self.module, self.name) if self.kind is TargetKind.DEFINITION and not self.rest else None

    @property
    def definition(self) -> Optional[Definition]:
        """The identity of the object reached."""
        return Definition(self.module, self.name, self.line) if self.target else None

    def via(self, hop: Hop) -> "Resolution":
        # (not `dataclasses.replace`: this is on the hot path, and replace is several times slower)
        return Resolution(self.kind, self.module, self.name, (hop,) + self.hops, self.reason, self.rest, self.line)

    @cached_property
    def through_modules(self) -> Tuple[str, ...]:
        """The modules whose bindings were followed, in order, without the defining module (computed once:
        chains can be thousands of hops long)."""
        seen: Dict[str, None] = {}
        for hop in self.hops:
            if hop.module != self.module:
                seen.setdefault(hop.module, None)
        return tuple(seen)


_BUILTINS = frozenset(dir(builtins))

# The side of each `try` that code reading a name sits in, as (try id, TRY or EXCEPT): the reader sees
# the bindings of its own side, whatever the analysis decides about the `try` as a whole.
Assumption = Tuple[Tuple[int, BranchKind], ...]


def assumption(context: Context) -> Assumption:
    """What code in this context takes for granted: a fallback class in `except ImportError:` (or a
    function defined there) sees the fallback's bindings, never the import that failed."""
    return tuple((branch.try_id, branch.kind) for branch in context.all_branches
                 if branch.kind is BranchKind.TRY or branch.kind is BranchKind.EXCEPT)


def star_may_bind(structure: ImportStructure, name: str) -> bool:
    """Would `from module import *` bind `name`, were the module to bind it: what a literal `__all__`
    lists, else any public name."""
    if structure.all_names is not None and not structure.all_is_dynamic:
        return name in structure.all_names
    return not name.startswith("_")


# What an answer "reads" when it met a cycle (a lookup re-entered, a `try` read while it is being decided): such
# an answer depends on the order of the questions asked, so a resident analysis forgets it at every change.
ORDER = "<order of the questions>"


def _handed_out(info: ModuleInfo, name: str) -> str:
    """Why a name a module does not bind may still be there at runtime ("" if nothing says it may)."""
    if any(b.kind is BindingKind.FUNCTION for b in info.bindings_of("__getattr__")):  # PEP 562
        return f"is handed out at runtime by {info.name}'s module-level __getattr__"
    if _globals_may_bind(info, name):
        return f"may be bound at runtime by {info.name}'s writes to globals()"
    return ""


def _star_hands_out(info: Optional[ModuleInfo], name: str) -> str:
    """Why `from module import *` may bind a name the module does not bind ("" if nothing says it may): its
    writes to globals(), or its `__getattr__` for a name its literal `__all__` lists."""
    if info is None or not star_may_bind(info.structure, name):
        return ""
    if info.structure.all_names is not None and not info.structure.all_is_dynamic:
        return _handed_out(info, name)
    return f"may be bound at runtime by {info.name}'s writes to globals()" if _globals_may_bind(info, name) else ""


def _globals_may_bind(info: ModuleInfo, name: str) -> bool:
    return any(w.key is None or w.key == name for w in info.structure.writes("globals"))


class Resolver:
    """`answers`: where lookups are remembered; a resident analysis keeps them across analyses (each with the
    modules it read, so that a change forgets exactly those it touches: analysis/depends.py)."""

    def __init__(self, graph: ProjectGraph, answers: Optional[DependentAnswers] = None):
        self.graph = graph
        self._lookups = answers if answers is not None else DependentAnswers()
        self._track = self._lookups.tracking
        self._deciding: Set[Tuple[str, int]] = set()  # the `try` blocks being decided (assumed to succeed)
        self._active: Set[tuple] = set()  # lookups in progress: re-entering one is a cycle

    @property
    def answers(self) -> DependentAnswers:
        """Where its lookups are remembered (and the project's per-module answers, which depend on them)."""
        return self._lookups

    # -- public ------------------------------------------------------------------

    def resolve_import(self, module: str, name: str, runtime: bool = True) -> Resolution:
        """What `from module import name` binds (`runtime=False`: as a type checker sees it)."""
        if self._track:
            self._lookups.read(module)
        info = self.graph.get(module)
        if info is not None:
            if any(w.key == "__name__" for w in info.structure.writes("sys.modules")):
                return Resolution(TargetKind.DYNAMIC, module, name,
                                  reason=f"is read from what {module} puts in sys.modules in its own place")
            found = self.lookup(module, name, runtime=runtime)
            if found is not None:
                return found
            if self.graph.module_exists(f"{module}.{name}"):
                return Resolution(TargetKind.MODULE, f"{module}.{name}")
            handed_out = _handed_out(info, name)
            if handed_out:  # decided at runtime: claim nothing (SSOT011 says so; `ssot-lint verify` can tell)
                return Resolution(TargetKind.DYNAMIC, module, name, reason=handed_out)
            return Resolution(TargetKind.UNRESOLVED, module, name, reason=f"{module} does not define {name}")
        if self.graph.module_exists(f"{module}.{name}"):
            return Resolution(TargetKind.MODULE, f"{module}.{name}")
        if self.graph.module_exists(module):  # a namespace package binds nothing itself
            return Resolution(TargetKind.UNRESOLVED, module, name, reason=f"{module} does not define {name}")
        return self.resolve_module(module, name)

    def resolve_module(self, module: str, then: Optional[str] = None) -> Resolution:
        """What `import module` loads (then `.then` of it, for a missing-module message)."""
        if self.graph.module_exists(module):
            return Resolution(TargetKind.MODULE, module)
        if self.graph.is_project_path(module):
            writer = self._sys_modules_writer(module)
            if writer is not None:
                return Resolution(TargetKind.DYNAMIC, module, then,
                                  reason=f"is read from {module}, which {writer} may put in sys.modules at runtime")
            return Resolution(TargetKind.UNRESOLVED, module, then, reason=f"no module named {module}")
        return Resolution(TargetKind.EXTERNAL, f"{module}.{then}" if then else module)

    def _sys_modules_writer(self, module: str) -> Optional[str]:
        """The package above a missing module that writes it (or a computed key) into `sys.modules`, as a
        package does to keep an old module path importable."""
        parent = module
        while "." in parent:
            parent = parent.rpartition(".")[0]
            if self._track:
                self._lookups.read(parent)
            info = self.graph.get(parent)
            if info is not None and any(w.key == module or w.key is None for w in info.structure.writes("sys.modules")):
                return parent
        return None

    def resolve_binding(self, info: ModuleInfo, binding: Binding, runtime: Optional[bool] = None) -> Resolution:
        """What a binding (of any scope) is bound to.

        A binding under `if TYPE_CHECKING:` is followed as a type checker would
        (seeing other `TYPE_CHECKING` bindings); any other as the runtime does.
        """
        if runtime is None:
            runtime = not binding.context.type_checking
        # Kept with the lookups, so that what a failed `try` assumption produced is forgotten with them.
        key = ("binding", info.name, id(binding), runtime)  # two files of one content share fact objects
        lookups = self._lookups
        found = lookups.lookup(key)
        if found is not UNSET:
            return found
        lookups.begin()
        if self._track:
            lookups.read(info.name)
        try:
            result = self._resolve_binding(info, binding, runtime)
        except BaseException:
            lookups.abandon()
            raise
        lookups.keep(key, result)
        return result

    def _resolve_binding(self, info: ModuleInfo, binding: Binding, runtime: bool) -> Resolution:
        kind = binding.kind
        hop = Hop(info.name, binding.name, kind)
        if kind in (BindingKind.CLASS, BindingKind.FUNCTION):
            qualname = ".".join(filter(None, [binding.context.qualname, binding.name]))
            return Resolution(TargetKind.DEFINITION, info.name, qualname, line=binding.span.line)
        if kind is BindingKind.ASSIGN:
            return Resolution(TargetKind.VALUE, info.name, binding.name)
        absolute = self.graph.absolute(info, binding)
        if kind is BindingKind.IMPORT_MODULE:
            result = self.resolve_module(binding.module or "")
            if result.kind is TargetKind.MODULE:
                result = Resolution(TargetKind.MODULE, binding.imported_name)
            return result.via(hop)
        if kind is BindingKind.IMPORT_FROM:
            if absolute is None:
                return Resolution(TargetKind.UNRESOLVED, None, binding.imported_name,
                                  reason="relative import beyond the top-level package")
            if absolute == info.name:
                # `from . import x` inside a package's own __init__: what is bound so far, else the submodule.
                found = self.lookup(absolute, binding.imported_name or "", before=binding.order, runtime=runtime,
                                    assume=assumption(binding.context))
                if found is not None:
                    return found.via(hop)
            return self.resolve_import(absolute, binding.imported_name or "", runtime).via(hop)
        if kind is BindingKind.ALIAS:
            return self.resolve_dotted(info, binding.value or "", binding.context.qualname, binding.order,
                                       runtime, assumption(binding.context)).via(hop)
        return Resolution(TargetKind.UNRESOLVED, info.name, binding.name, reason="star import")

    def resolve_dotted(self, info: ModuleInfo, dotted: str, scope: str = "", before: Optional[int] = None,
                       runtime: bool = True, assume: Assumption = ()) -> Resolution:
        """What the expression `a.b.c` is, evaluated in `scope` of a module (in the `try` branches `assume`
        gives: see `assumption`)."""
        first, *attributes = dotted.split(".")
        result = self.lookup_in_scope(info, scope, first, before, runtime, assume)
        if result is None:
            if _globals_may_bind(info, first):  # (the module's own code does not go through its __getattr__)
                return Resolution(TargetKind.DYNAMIC, info.name, first,
                                  reason=f"may be bound at runtime by {info.name}'s writes to globals()")
            if first in _BUILTINS:
                result = Resolution(TargetKind.EXTERNAL, f"builtins.{first}")
            else:
                return Resolution(TargetKind.UNRESOLVED, info.name, first, reason=f"name {first} is not defined")
        for index, attribute in enumerate(attributes):
            if result.kind is TargetKind.MODULE:
                hops = result.hops
                result = self.resolve_import(result.module or "", attribute, runtime)
                result = replace(result, hops=hops + result.hops)
            elif result.kind is TargetKind.EXTERNAL:
                result = replace(result, module=f"{result.module}.{attribute}")
            else:
                return replace(result, rest=tuple(attributes[index:]))
        return result

    def lookup_in_scope(self, info: ModuleInfo, scope: str, name: str, before: Optional[int] = None,
                        runtime: bool = True, assume: Assumption = ()) -> Optional[Resolution]:
        """Name lookup from inside a function or class body: local, enclosing functions, then module."""
        if self._track:
            self._lookups.read(info.name)
        while scope:
            local = [b for b in info.lookup_scopes.get(scope, ()) if b.name == name and b.kind is not BindingKind.STAR]
            if local:
                earlier = [b for b in local if before is None or b.order < before]
                if not earlier:  # local to the function but not bound yet at this point
                    return Resolution(TargetKind.VALUE, info.name, name)
                return self.resolve_binding(info, earlier[-1], runtime)
            scope = scope.rpartition(".")[0]
            before = None
        return self.lookup(info.name, name, before, runtime, assume)

    def lookup(self, module: str, name: str, before: Optional[int] = None, runtime: bool = True,
               assume: Assumption = ()) -> Optional[Resolution]:
        """What `name` is in `module`'s namespace once it has run (or at binding `before`); None if unbound.

        `runtime=False` also sees `if TYPE_CHECKING:` bindings, as a type checker does. `assume`: the
        `try` branches of the reader, whose own side is taken (see `assumption`).
        """
        key = (module, name, before, runtime, assume)
        lookups = self._lookups
        found = lookups.lookup(key)
        if found is not UNSET:
            return found
        if key in self._active:
            if self._track:
                lookups.read(ORDER)
            return Resolution(TargetKind.UNRESOLVED, module, name, reason=f"{module}.{name} is bound in a cycle")
        self._active.add(key)
        lookups.begin()
        if self._track:
            lookups.read(module)
        try:
            result = self._lookup(module, name, before, runtime, assume)
        except BaseException:
            lookups.abandon()
            raise
        finally:
            self._active.discard(key)
        lookups.keep(key, result)
        return result

    def exports(self, module: str, name: str, runtime: bool = True) -> bool:
        """Does `from module import *` bind `name`?"""
        if self._track:
            self._lookups.read(module)
        info = self.graph.get(module)
        if info is None or not star_may_bind(info.structure, name):
            return False
        structure = info.structure
        if structure.all_names is not None and not structure.all_is_dynamic:
            return True
        return self.lookup(module, name, runtime=runtime) is not None

    def try_succeeds(self, info: ModuleInfo, try_id: int) -> bool:
        """Do all the imports and aliases directly in a `try` body resolve (so its handlers do not run)?

        While deciding, the `try` is assumed to succeed (its later aliases read its earlier imports);
        what was looked up under that assumption is forgotten if it turns out false.
        """
        key = ("try", info.name, try_id)
        lookups = self._lookups
        decided = lookups.lookup(key)
        if decided is not UNSET:
            return decided
        if key in self._deciding:
            if self._track:
                lookups.read(ORDER)
            return True
        self._deciding.add(key)
        known = len(lookups)
        outer_active, self._active = self._active, set()
        lookups.begin()
        if self._track:
            lookups.read(info.name)
        try:
            ok = all(
                self.resolve_import_binding(info, binding, runtime=True).kind is not TargetKind.UNRESOLVED
                for binding in info.structure.bindings if binding.context.innermost_try == try_id
            )
        except BaseException:
            lookups.abandon()
            raise
        finally:
            self._active = outer_active
            self._deciding.discard(key)
        lookups.keep(key, ok)
        if not ok:
            for stale in list(itertools.islice(lookups.remembered, known, None)):
                if stale[0] != "try":
                    lookups.drop(stale)
        return ok

    def resolve_import_binding(self, info: ModuleInfo, binding: Binding,
                               runtime: Optional[bool] = None) -> Resolution:
        """What an import statement's name binds (a star import: its module)."""
        if binding.kind is BindingKind.STAR:
            absolute = self.graph.absolute(info, binding)
            if absolute is None:
                return Resolution(TargetKind.UNRESOLVED, reason="relative import beyond the top-level package")
            return self.resolve_module(absolute)
        return self.resolve_binding(info, binding, runtime)

    def is_active(self, info: ModuleInfo, binding: Binding, runtime: bool, assume: Assumption = ()) -> bool:
        """Does this binding take effect (given which `try` blocks succeed, or which side of them the
        reader is on)?"""
        taken = dict(assume) if assume else None
        for branch in binding.context.branches:
            if branch.kind is BranchKind.TYPE_CHECKING and runtime:
                return False
            if taken is not None and branch.try_id in taken and branch.kind is not BranchKind.TYPE_CHECKING \
                    and branch.kind is not BranchKind.CONDITIONAL:
                if taken[branch.try_id] is not branch.kind:
                    return False  # the other side of the reader's own `try`
                continue
            if branch.kind is BranchKind.TRY and not self.try_succeeds(info, branch.try_id):
                return False
            if branch.kind is BranchKind.EXCEPT and self.try_succeeds(info, branch.try_id):
                return False
        return True

    # -- internals ---------------------------------------------------------------

    def _lookup(self, module: str, name: str, before: Optional[int], runtime: bool,
                assume: Assumption) -> Optional[Resolution]:
        info = self.graph.get(module)
        if info is None:
            return None
        candidates = sorted(info.bindings_of(name) + info.bindings_of("*"),
                            key=lambda b: b.order, reverse=True)
        for binding in candidates:
            if before is not None and binding.order >= before:
                continue
            if not self.is_active(info, binding, runtime, assume):
                continue
            if binding.kind is not BindingKind.STAR:
                return self.resolve_binding(info, binding, runtime)
            source = self.graph.absolute(info, binding)
            if source is None or source == module:
                continue
            if self.exports(source, name, runtime):
                found = self.lookup(source, name, runtime=runtime)
                if found is not None:
                    return found.via(Hop(module, "*", BindingKind.STAR))
            handed_out = _star_hands_out(self.graph.get(source), name)
            if handed_out:
                return Resolution(TargetKind.DYNAMIC, source, name, reason=handed_out).via(
                    Hop(module, "*", BindingKind.STAR))
        return None
