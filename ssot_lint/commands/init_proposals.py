"""What an `init --discover` proposal is, what its evidence is worth, and which proposals come first.

A proposal is a canonical symbol with its shims. A shim is declared for a whole module (`check` then
reports every import from it, whatever the name), so only a module that is all legacy is proposed as
one: it defines nothing itself, or only `except ImportError` fallbacks, or only wrappers that delegate
to the symbol, or it warns when imported that it is deprecated. A package re-exporting the symbol (its
public API) and a module with code of its own that passes it on are named in a comment instead. A
subclass is no shim (it extends the symbol rather than handing it on), and a test module that nothing
imports hands nothing on to anyone.

Each sign that a symbol has more than one way in earns points (`_DEPRECATED` and below); a deprecated
module is the strongest, a package re-exporting it the weakest. A shim that hands several symbols on
counts in full for the best of them only: declared once, it reports every import from it. Finding the
signs is init_search.py's business, writing them down init_toml.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import AbstractSet, Dict, Iterable, List, Set, Tuple

from ssot_lint.config import SymbolPath
from ssot_lint.facts.model import BindingKind, BranchKind
from ssot_lint.analysis.graph import ModuleInfo
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import Definition
from ssot_lint.commands.init_survey import module_bindings


# Points for each sign that a symbol has more than one way in (see the module docstring).
_DEPRECATED = 20  # a module that hands it on warns when imported: the project itself calls the path legacy
_SHIM = 6  # a module that is all legacy hands it on: it defines nothing itself, or only import
# fallbacks, or only wrappers of the symbol
_SHIM_USED = 2  # for each doubling of the modules importing it through one of those (1, 2, 4, 8...): a path
# that many use is more to migrate, but a thousand importers tell how popular the symbol is more than
# how much of a shim the module is
_HANDED_ON = 1  # a module with code of its own hands it on too (perhaps only because it uses it)
_HANDED_ON_USED = 1  # for each doubling of the modules importing it through that one
_PUBLIC_API = 1  # a package hands it on, as packages are built to (its importers add nothing)
_FALLBACK = 6  # an `except ImportError` branch defines its name: a second implementation
_NAMESAKES = 1  # for each doubling of the other definitions of its name outside the tests that something
# imports (they may well be unrelated classes that share a name: forms' and models' `CharField`)


@dataclass(frozen=True)
class ModuleRole:
    """What a module is, as far as handing names on goes."""

    name: str
    is_package: bool
    definitions: int  # classes and functions it defines at module level
    defines_nothing: bool  # it binds only imports and aliases at module level (dunders aside): no class,
    # function or value of its own
    fallbacks_only: bool  # it defines classes and functions only inside `try` statements that fall back on
    # `except ImportError` (a compatibility ladder), or in those fallbacks
    warns: bool  # it defines nothing and warns when imported (`warnings.warn(...)` at module level): deprecated
    is_test: bool


@dataclass(frozen=True)
class Intermediary:
    """A module between importers and a proposed symbol: it re-exports the symbol, or wraps it."""

    role: ModuleRole
    importers: int  # modules importing the symbol through it (or importing its wrapper classes)
    wrappers: Tuple[str, ...] = ()  # its classes and functions, named like the symbol, that delegate to it

    @property
    def module(self) -> str:
        return self.role.name

    @property
    def is_legacy(self) -> bool:
        """Is the whole module legacy, so that it can be declared a shim? (Every import from a declared
        shim is reported, whatever the name: a package or a module with code of its own cannot be one.)"""
        role = self.role
        if role.warns:
            return True
        if role.is_package:
            return False
        return role.defines_nothing or role.fallbacks_only or 0 < role.definitions <= len(self.wrappers)

    @property
    def is_public_api(self) -> bool:
        """A package re-exporting the symbol, as packages are built to: the weakest sign."""
        return self.role.is_package and not self.is_legacy and not self.wrappers

    def points(self, claimed: bool = False) -> int:
        """What it says about the symbol having more than one way in. A module `claimed` by a better
        proposal (which it also hands on) earns only its importers: what it is counts once."""
        if self.is_public_api:
            return 0 if claimed else _PUBLIC_API
        doublings = self.importers.bit_length()
        if self.is_legacy:
            kind, used = (_DEPRECATED if self.role.warns else _SHIM), _SHIM_USED * doublings
        else:
            kind, used = _HANDED_ON, _HANDED_ON_USED * doublings
        return used if claimed else kind + used


@dataclass(frozen=True)
class Competitor:
    """Another module-level definition of a proposed symbol's name."""

    module: str
    importers: int
    fallback: bool  # defined in an `except ImportError:` branch

    @property
    def matters(self) -> bool:
        """Is it perhaps a second implementation, rather than a class that shares the name and that nobody
        uses, or that a test module defines for itself (the `Article` model of each test app)?"""
        return self.fallback or (self.importers > 0 and not is_test_module(self.module))


@dataclass
class Proposal:
    """A definition to propose as canonical, with the modules handing it on and the other definitions of its name."""

    symbol: SymbolPath
    definition: Definition
    importers: int  # modules that import the definition, by any path
    handed_on_by: List[Intermediary] = field(default_factory=list)  # best first
    competing: List[Competitor] = field(default_factory=list)

    @property
    def shims(self) -> List[Intermediary]:
        """The modules to declare as its shims: those that are all legacy."""
        return [i for i in self.handed_on_by if i.is_legacy]

    def points(self, claimed: AbstractSet[str] = frozenset()) -> int:
        """Its points, with the modules `claimed` by better proposals counting less."""
        fallbacks = sum(c.fallback for c in self.competing)
        namesakes = sum(c.matters and not c.fallback for c in self.competing)
        return sum(i.points(i.module in claimed) for i in self.handed_on_by) + _FALLBACK * fallbacks + \
            _NAMESAKES * namesakes.bit_length()

    def has_evidence(self, claimed: AbstractSet[str] = frozenset()) -> bool:
        """Is there a shim to declare that better proposals have not `claimed` (one declared shim reports
        every import from it, whatever the name), or an import fallback competing with it? Modules with
        code of their own that pass it on, packages above all, are no reason to make it canonical; nor
        are other definitions of its name alone: as often as not, unrelated classes that share a name,
        like the `Command` of each Django management command."""
        return any(s.module not in claimed for s in self.shims) or any(c.fallback for c in self.competing)


def best_first(proposals: Iterable[Proposal], count: int) -> List[Proposal]:
    """The `count` best proposals, best first. A module that hands several symbols on counts in full for
    the best of them only, so that the next proposals show other shims rather than the same redirect once
    for each name it re-exports; a proposal left with no shim of its own and no import fallback is dropped."""
    remaining = [p for p in proposals if p.has_evidence()]
    chosen: List[Proposal] = []
    claimed: Set[str] = set()
    while remaining and len(chosen) < count:
        best = min(remaining, key=lambda p: (-p.points(claimed), -p.importers, str(p.symbol)))
        remaining.remove(best)
        chosen.append(best)
        claimed.update(s.module for s in best.handed_on_by)
        remaining = [p for p in remaining if p.has_evidence(claimed)]
    return chosen


def worth_naming(intermediaries: Iterable[Intermediary]) -> List[Intermediary]:
    """The intermediaries worth naming, best first: deprecated modules, then the others that are all
    legacy, each by importers. Without the test modules that nothing imports through (they hand nothing on
    to anyone) and the modules that no import statement can name."""
    kept = [i for i in intermediaries if (i.importers or not i.role.is_test) and importable(i.module)]
    return sorted(kept, key=lambda i: (not i.role.warns, not i.is_legacy, -i.importers, i.module))


class Roles:
    """Each module's role, worked out when first asked."""

    def __init__(self, project: Project):
        self._project = project
        self._known: Dict[str, ModuleRole] = {}

    def __getitem__(self, module: str) -> ModuleRole:
        if module not in self._known:
            info = self._project.graph.get(module)
            self._known[module] = _role(module, info) if info is not None else \
                ModuleRole(module, False, 0, False, False, False, is_test_module(module))
        return self._known[module]


def _role(module: str, info: ModuleInfo) -> ModuleRole:
    bindings = [b for b in module_bindings(info) if not b.name.startswith("__")]
    definitions = [b for b in bindings if b.kind in (BindingKind.CLASS, BindingKind.FUNCTION)]
    defines_nothing = any(b.is_import for b in bindings) and \
        not definitions and not any(b.kind is BindingKind.ASSIGN for b in bindings)
    ladders = {branch.try_id for b in bindings for branch in b.context.branches
               if branch.kind is BranchKind.EXCEPT and branch.catches_import_error}
    fallbacks_only = bool(definitions) and all(
        any(branch.kind in (BranchKind.TRY, BranchKind.EXCEPT) and branch.try_id in ladders
            for branch in b.context.branches) for b in definitions)
    warns = defines_nothing and any(_is_warning(call.callee) for call in info.module_level_calls)
    return ModuleRole(module, info.file.is_package, len(definitions), defines_nothing, fallbacks_only, warns,
                      is_test_module(module))


def _is_warning(callee: str) -> bool:
    """`warnings.warn`, `warn`, `sympy_deprecation_warning`, `warn_deprecated`..."""
    last = callee.rpartition(".")[2].lower()
    return "warn" in last or "deprecat" in last


def is_test_module(module: str) -> bool:
    """`tests.x`, `pkg.test_x`, `x_test`, `test_framework.mocks`, `conftest` (not `pkg.testing`: a library's
    test utilities are imported by its users)."""
    return any(part in ("test", "tests", "conftest") or part.startswith("test_") or part.endswith(("_test", "_tests"))
               for part in module.split("."))


def importable(module: str) -> bool:
    """A name an import statement can spell (a migration file `0001_initial.py` is not one)."""
    return all(part.isidentifier() for part in module.split("."))
