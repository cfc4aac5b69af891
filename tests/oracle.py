"""The runtime import system as the oracle for static resolution.

`static_claims(project)` lists, for every module-level name and every import
statement of a project, what the resolver says it is at runtime.
`check_claims(claims)` imports the real modules and returns every claim the
runtime disagrees with. Run as a script (`python tests/oracle.py ROOT`) it does
both for a project folder in a fresh interpreter and prints a JSON report: the
fixture repository has a top-level `tests` package of its own, which must not
meet ours in one process.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import List, Optional

from ssot_lint.facts.model import BindingKind
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind


@dataclass(frozen=True)
class Claim:
    where: str  # for messages: "path:line name"
    query: str  # "namespace": getattr(module, name); "import": `from module import name` / `import module`
    module: str
    name: Optional[str]
    kind: str  # what the resolver says: definition, module, unresolved, unbound
    target_module: Optional[str] = None
    target_name: Optional[str] = None
    canonical: Optional[str] = None  # the canonical symbol it claims to be, if any


def static_claims(project: Project) -> List[Claim]:
    resolver = project.resolver
    claims: List[Claim] = []

    def claim(where, query, module, name, resolution):
        if resolution is None:
            claims.append(Claim(where, query, module, name, "unbound"))
            return
        if resolution.kind in (TargetKind.EXTERNAL, TargetKind.VALUE) or resolution.rest:
            return  # not a project object: nothing to compare
        if resolution.kind is TargetKind.DYNAMIC:
            return  # handed out by a module-level __getattr__: the resolver claims nothing (SSOT011 says so)
        canonical = next((c.symbol for c in project.canonicals if c.is_canonical(resolution)), None)
        claims.append(Claim(where, query, module, name, resolution.kind.value, resolution.module, resolution.name,
                            canonical))

    for module, info in sorted(project.graph.modules.items()):
        for name in sorted(n for n in info.namespace if n != "*"):
            line = info.namespace[name][0].span.line
            claim(f"{info.file.relpath}:{line} {name}", "namespace", module, name,
                  resolver.lookup(module, name, runtime=True))
        for binding in info.facts.bindings:
            if binding.kind not in (BindingKind.IMPORT_FROM, BindingKind.IMPORT_MODULE):
                continue
            where = f"{info.file.relpath}:{binding.span.line} {binding.name}"
            if binding.kind is BindingKind.IMPORT_MODULE:
                claim(where, "import", binding.module, None, resolver.resolve_module(binding.module))
                continue
            source = project.graph.absolute(info, binding)
            if source is None:
                claims.append(Claim(where, "import", info.name, binding.imported_name, "unresolved"))
                continue
            resolution = resolver.resolve_binding(info, binding, runtime=True)
            if source == info.name:
                continue  # `from . import x` inside the package itself: depends on how far it has run
            claim(where, "import", source, binding.imported_name, resolution)
    return claims


_MISSING = object()


def _runtime_value(claim: Claim):
    try:
        module = importlib.import_module(claim.module)
    except ImportError:
        return _MISSING
    if claim.name is None:
        return module
    value = module.__dict__.get(claim.name, _MISSING)
    if value is _MISSING and claim.query == "import":  # `from pkg import submodule`
        try:
            return importlib.import_module(f"{claim.module}.{claim.name}")
        except ImportError:
            return _MISSING
    return value


def check_claims(claims: List[Claim]) -> List[str]:
    """Every claim the runtime disagrees with, as a readable line."""
    problems = []
    canonical_objects = {}
    for claim in claims:
        if claim.canonical and claim.query == "namespace" and claim.module == claim.target_module:
            canonical_objects[claim.canonical] = _runtime_value(claim)
    for claim in claims:
        value = _runtime_value(claim)
        if claim.kind in ("unbound", "unresolved"):
            is_submodule = isinstance(value, types.ModuleType) and claim.query == "namespace"
            if value is not _MISSING and not is_submodule:
                problems.append(f"{claim.where}: resolver says {claim.kind}, runtime has {value!r}")
            continue
        if value is _MISSING:
            problems.append(f"{claim.where}: resolver says {claim.kind} {claim.target_module}.{claim.target_name}, "
                            f"runtime has nothing")
            continue
        if claim.kind == "module":
            if not isinstance(value, types.ModuleType) or value.__name__ != claim.target_module:
                problems.append(f"{claim.where}: resolver says module {claim.target_module}, runtime has {value!r}")
            continue
        actual = (getattr(value, "__module__", None), getattr(value, "__qualname__", None))
        if actual != (claim.target_module, claim.target_name):
            problems.append(f"{claim.where}: resolver says {claim.target_module}.{claim.target_name}, "
                            f"runtime has {actual[0]}.{actual[1]}")
        for symbol, canonical in canonical_objects.items():
            if (value is canonical) != (claim.canonical == symbol):
                problems.append(f"{claim.where}: resolver says canonical={claim.canonical == symbol} for {symbol}, "
                                f"runtime says {value is canonical}")
    return problems


def main(root: str) -> None:
    from ssot_lint.config import load_config
    from ssot_lint.engine.build import build_project

    project = build_project(load_config(Path(root) / "pyproject.toml"), jobs=1, prefilter=False)
    claims = static_claims(project)
    sys.path.insert(0, root)
    problems = check_claims(claims)
    print(json.dumps({"claims": [asdict(c) for c in claims], "problems": problems}))


if __name__ == "__main__":
    main(sys.argv[1])
