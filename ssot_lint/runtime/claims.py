"""What the static analysis claims about the tracked names, as questions the runtime can answer.

A claim is made in one checked module (imported first, so that the question is asked of the code as it
runs) about one canonical symbol: that a name is the canonical object, that it is another one, or that
what it is cannot be known statically (a module-level `__getattr__` hands it out: SSOT011). Two kinds are
made: each import of a tracked name (the rules' import sites: `from m import X`, `m.X`), asked of the
module it reads from; and each module-level name of a checked module that is named like the canonical or
resolves to it (a second implementation, an alias), asked of the module's namespace.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import Resolution, TargetKind
from ssot_lint.analysis.sites import ImportSite
from ssot_lint.facts.model import Span
from ssot_lint.runtime.session import Group, Query


class Claimed(str, enum.Enum):
    CANONICAL = "the canonical"
    OTHER = "not the canonical"
    UNKNOWN = "unknown"  # handed out at runtime (TargetKind.DYNAMIC)


@dataclass(frozen=True)
class Claim:
    path: str  # where it is made, relative to the project root
    span: Span
    importer: str  # the module it is made in
    query: Query
    canonical: Canonical
    claimed: Claimed
    resolution: Resolution  # what the resolver reached

    @property
    def name(self) -> str:
        return self.query.name or ""

    @property
    def static_answer(self) -> str:
        """What the static analysis says it is, for a message."""
        resolution = self.resolution
        if self.claimed is Claimed.CANONICAL:
            return f"the canonical {self.canonical.symbol}"
        if resolution.kind is TargetKind.DEFINITION:
            return f"{resolution.module}.{resolution.name}" + "".join(f".{a}" for a in resolution.rest)
        if resolution.kind is TargetKind.UNRESOLVED:
            return "nothing (unresolved)"
        if resolution.kind is TargetKind.EXTERNAL:
            return f"{resolution.module} (outside the project)"
        return f"a value assigned in {resolution.module}"


def _claimed(canonical: Canonical, resolution: Resolution) -> Optional[Claimed]:
    if resolution.kind is TargetKind.DYNAMIC:
        return Claimed.UNKNOWN
    if resolution.kind is TargetKind.MODULE or resolution.rest:
        return None  # a module, or an attribute of an object: never the canonical object itself
    return Claimed.CANONICAL if canonical.is_canonical(resolution) else Claimed.OTHER


def _tracks(canonical: Canonical, names, resolution: Resolution) -> bool:
    return canonical.is_canonical(resolution) or any(n and canonical.looks_like(n) for n in names)


def _site_claim(canonical: Canonical, site: ImportSite) -> Optional[Claim]:
    if site.name is None or site.is_star or site.source_module is None or site.source_module == site.info.name:
        return None  # `import m`, `*`, or `from . import x` inside the package (it depends on how far it ran)
    if site.attribute is not None and site.attribute.written:
        return None  # `m.Name = ...`: a write, no claim about what `m.Name` was
    resolution = site.resolution
    claimed = _claimed(canonical, resolution)
    if claimed is None or not _tracks(canonical, (site.name, site.local_name, resolution.name), resolution):
        return None
    query = Query("import" if site.binding is not None else "namespace", site.source_module, site.name)
    return Claim(site.info.file.relpath, site.span, site.info.name, query, canonical, claimed, resolution)


def tracked_claims(project: Project) -> List[Claim]:
    """Every claim about a tracked name in the checked modules, each place and symbol once."""
    claims: Dict[Tuple[str, int, str], Claim] = {}
    resolver = project.resolver
    for canonical in project.canonicals:
        for site in project.sites_in(canonical):
            claim = _site_claim(canonical, site)
            if claim is not None:
                claims.setdefault((claim.path, claim.span.line, canonical.symbol), claim)
        for info in project.modules_outside(canonical):
            for name, bindings in info.namespace.items():
                if name == "*" or name.startswith("__"):
                    continue
                resolution = resolver.resolve_import(info.name, name, runtime=True)  # as `module.name` reads it
                if resolution is None or not _tracks(canonical, (name,), resolution):
                    continue
                claimed = _claimed(canonical, resolution)
                if claimed is not None:
                    span = bindings[-1].span  # the binding the module is left with
                    claims.setdefault((info.file.relpath, span.line, canonical.symbol),
                                      Claim(info.file.relpath, span, info.name, Query("namespace", info.name, name),
                                            canonical, claimed, resolution))
    return sorted(claims.values(), key=lambda c: (c.path, c.span, c.canonical.symbol))


def groups_of(claims: List[Claim]) -> Tuple[List[Group], Dict[int, Tuple[int, int]]]:
    """The probe's groups (one per importing module, each question once), and where each claim's answer
    is: claim index -> (group index, query index)."""
    by_module: Dict[str, Dict[Query, int]] = {}
    symbols: Dict[str, Dict[str, None]] = {}
    for claim in claims:
        queries = by_module.setdefault(claim.importer, {})
        queries.setdefault(claim.query, len(queries))
        symbols.setdefault(claim.importer, {})[claim.canonical.symbol] = None
    modules = sorted(by_module)
    index = {module: i for i, module in enumerate(modules)}
    groups = [Group(module, tuple(by_module[module]), tuple(symbols[module])) for module in modules]
    where = {i: (index[c.importer], by_module[c.importer][c.query]) for i, c in enumerate(claims)}
    return groups, where
