"""The configured canonical symbols, located in the project, and the configuration checked against it.

`locate_canonicals` resolves each `canonical.symbol` and its `products` to the definitions they name,
and (strictly, for `check`) reports every symbol, product or shim the project does not have as a
ConfigError that names the key as the config file spells it, with the closest match.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Union

from ssot_lint.analysis.graph import ProjectGraph
from ssot_lint.analysis.resolve import Definition, Resolution, Resolver, TargetKind
from ssot_lint.config import CanonicalSpec, Config, ConfigError
from ssot_lint.files.discovery import gitignore_spec

if TYPE_CHECKING:
    import pathspec


@dataclass(frozen=True)
class Canonical:
    """A configured canonical symbol, located in the project."""

    spec: CanonicalSpec
    definition: Definition  # what the configured symbol resolves to
    products: Tuple[Definition, ...]  # the same for each product class
    allow: "pathspec.PathSpec"

    @property
    def module(self) -> str:
        """Where the definition is (normally the configured module)."""
        return self.definition.module

    @property
    def qualname(self) -> str:
        return self.definition.qualname

    @property
    def symbol(self) -> str:
        return str(self.spec.symbol)

    @property
    def name(self) -> str:
        return self.spec.symbol.name

    @property
    def home(self) -> str:
        """The module to import it from."""
        return self.spec.symbol.module

    @property
    def shims(self) -> Tuple[str, ...]:
        return self.spec.shims

    def is_home(self, module: str) -> bool:
        """The canonical module itself: everything it defines or aliases is the source of truth."""
        return module in (self.home, self.module)

    def is_canonical(self, resolution: Resolution) -> bool:
        # Field by field, without building `resolution.definition`: rules ask this millions of times.
        module, qualname, line = self.definition
        return resolution.line == line and resolution.name == qualname and resolution.module == module \
            and resolution.kind is TargetKind.DEFINITION and not resolution.rest

    def is_product(self, resolution: Resolution) -> bool:
        return resolution.definition in self.products

    def looks_like(self, name: str) -> bool:
        return name == self.name or any(fnmatch.fnmatchcase(name, p) for p in self.spec.lookalikes)

    def stood_in_for_by(self, name: str) -> bool:
        """Could a definition of this name stand in for the canonical: named like it, a private `_name`
        included (`def _simplify(expr): return simplify(expr)`, a wrapper 'to avoid circular imports')?"""
        return self.looks_like(name) or self.looks_like(name.lstrip("_"))

    def is_shim(self, module: Optional[str]) -> bool:
        return module in self.spec.shims

    def allows(self, relpath: str) -> bool:
        return self.allow.match_file(relpath)


def locate_canonicals(config: Config, graph: ProjectGraph, resolver: Resolver,
                      strict: bool) -> Tuple[Tuple[Canonical, ...], Dict[str, str]]:
    """The configured canonicals found in the project, and why each one left out is missing.

    With `strict`, anything missing is a ConfigError naming, one line each and as the config file spells
    the key, every symbol, product and shim the project does not have. Without (`report --history`, at a
    commit before they existed), a canonical whose symbol is missing is left out, a missing product is left
    out of its canonical, and shims are not looked for."""
    located: List[Canonical] = []
    missing: Dict[str, str] = {}  # canonical symbol -> why the project has no figures for it
    problems: List[str] = []
    for index, spec in enumerate(config.canonicals):
        key = f"canonical[{index}]"
        definition = _definition(graph, resolver, spec.symbol.module, spec.symbol.name)
        if isinstance(definition, str):
            if not strict:
                missing[str(spec.symbol)] = definition
                continue
            problems.append(f"{config.where(key + '.symbol')}: {spec.symbol}: {definition}"
                            f"{_hint(graph, spec.symbol.module, spec.symbol.name)}")
        products = []
        for product in spec.products:
            found = _definition(graph, resolver, product.module, product.name)
            if not isinstance(found, str):
                products.append(found)
            elif strict:
                problems.append(f"{config.where(key + '.products')}: {product}: {found}"
                                f"{_hint(graph, product.module, product.name)}")
        for shim in spec.shims if strict else ():
            if not graph.module_exists(shim):
                # Deleting a shim is how a migration ends: say what to do then, as well as for a typo.
                close = _close_module(graph, shim)
                problems.append(f"{config.where(key + '.shims')}: module {shim} is not in the project"
                                f" ({f'did you mean {close}? ' if close else ''}"
                                "if the shim was deleted, remove it from `shims`)")
        if not isinstance(definition, str):
            located.append(Canonical(spec, definition, tuple(products), gitignore_spec(spec.allow)))
    if problems:
        raise ConfigError(*problems)
    return tuple(located), missing


def _definition(graph: ProjectGraph, resolver: Resolver, module: str, name: str) -> Union[Definition, str]:
    """The definition `module:name` resolves to, or why there is none."""
    if graph.get(module) is None:
        unparsed = [s.relpath for s, _ in graph.unparsed.values() if s.module == module]
        if unparsed:
            return f"its module {unparsed[0]} does not parse"
        return f"module {module} is not in the project"
    resolution = resolver.lookup(module, name)
    if resolution is None or resolution.definition is None:
        return f"{module} does not define a class or function {name}"
    return resolution.definition


def _hint(graph: ProjectGraph, module: str, name: str) -> str:
    """What to try when `module:name` is not found: a close name, or `src`."""
    info = graph.get(module)
    if info is None:
        if any(s.module == module for s, _ in graph.unparsed.values()):
            return ""
        close = _close_module(graph, module)
        return f" (did you mean {close}? or check `src`)" if close else " (check `src`)"
    close_names = difflib.get_close_matches(name, sorted(info.namespace), n=1, cutoff=0.7)
    return f" (did you mean {module}:{close_names[0]}?)" if close_names else ""


def _close_module(graph: ProjectGraph, module: str) -> Optional[str]:
    """The project's module most like `module` (a typo): among its siblings first, then anywhere."""
    names = sorted({*graph.sources, *graph.packages})
    parent = module.rpartition(".")[0]
    siblings = [n for n in names if n.rpartition(".")[0] == parent]
    close = difflib.get_close_matches(module, siblings, n=1, cutoff=0.8) or \
        difflib.get_close_matches(module, names, n=1, cutoff=0.8)
    return close[0] if close else None
