"""The runtime import system as the oracle for static resolution.

`static_claims(project)` lists, for every module-level name and every import
statement of a project, what the resolver says it is at runtime (more than
`ssot-lint verify` asks, which is only about the tracked names).
`runtime_answers` has the project's modules imported by ssot-lint's own probe
(ssot_lint/runtime), in this process or in a fresh interpreter; `check_claims`
returns every claim the runtime disagrees with. In a fresh interpreter
(`oracle_report`), the fixture repository's own top-level `tests` package does
not meet ours.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ssot_lint.facts.model import BindingKind
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind
from ssot_lint.runtime.probe import observe
from ssot_lint.runtime.session import Group, Query, observe_in, request


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
                  resolver.resolve_import(module, name, runtime=True))  # as `module.name` reads it
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


def runtime_answers(project: Project, claims: List[Claim], in_process: bool = False) -> List[dict]:
    """The probe's observation of each claim, importing each claim's module first: in this process (the
    caller has put the project on sys.path), or in a fresh interpreter run from the project's root."""
    queries: Dict[str, Dict[Query, int]] = {}
    for claim in claims:
        queries.setdefault(claim.module, {}).setdefault(Query(claim.query, claim.module, claim.name), 0)
    groups = [Group(module, tuple(asked)) for module, asked in sorted(queries.items())]
    # Each canonical object as a name of its module that the resolver says holds it (its module may rebind
    # the configured name later on).
    holders = {c.canonical: (c.module, c.name) for c in reversed(claims)
               if c.canonical and c.query == "namespace" and c.module == c.target_module}
    canonicals = [(c.symbol, *holders.get(c.symbol, (c.module, c.qualname))) for c in project.canonicals]
    asked = request(project.config.src_roots, canonicals, groups)
    answers: Dict[Tuple[str, Query], dict] = {}
    if in_process:
        steps: List[dict] = []
        observe(asked, steps.append)
        results = [tuple(step["results"]) for step in steps if step["event"] == "group"]
    else:
        results = [outcome.results for outcome in observe_in(sys.executable, project.config.root, asked, 60).groups]
    for group, observed in zip(groups, results):
        for query, observation in zip(group.queries, observed):
            answers[(group.module, query)] = observation
    return [answers[(c.module, Query(c.query, c.module, c.name))] for c in claims]


def check_claims(claims: List[Claim], answers: List[dict]) -> List[str]:
    """Every claim the runtime disagrees with, as a readable line."""
    problems = []
    for claim, seen in zip(claims, answers):
        state = seen["state"]
        present = state in ("object", "module")  # (a module that failed to import has nothing)
        if claim.kind in ("unbound", "unresolved"):
            is_submodule = state == "module" and claim.query == "namespace"
            if present and not is_submodule:
                problems.append(f"{claim.where}: resolver says {claim.kind}, runtime has {seen.get('repr', seen)}")
            continue
        if not present:
            problems.append(f"{claim.where}: resolver says {claim.kind} {claim.target_module}.{claim.target_name}, "
                            f"runtime has nothing ({seen.get('error', {}).get('text', state)})")
            continue
        if claim.kind == "module":
            if state != "module" or seen["module"] != claim.target_module:
                problems.append(f"{claim.where}: resolver says module {claim.target_module}, runtime has {seen}")
            continue
        actual = (seen.get("module"), seen.get("qualname"))
        if actual != (claim.target_module, claim.target_name):
            problems.append(f"{claim.where}: resolver says {claim.target_module}.{claim.target_name}, "
                            f"runtime has {actual[0]}.{actual[1]}")
        canonical_at_runtime = seen.get("is", [])
        if canonical_at_runtime != ([claim.canonical] if claim.canonical else []):
            problems.append(f"{claim.where}: resolver says it is canonical {claim.canonical}, runtime says it is "
                            f"{canonical_at_runtime}")
    return problems


def oracle_report(root: Path) -> Tuple[List[Claim], List[str]]:
    """The claims about a project folder and the problems with them, imported in a fresh interpreter."""
    from ssot_lint.config import load_config
    from ssot_lint.engine.build import build_project

    project = build_project(load_config(root / "pyproject.toml"), jobs=1, prefilter=False)
    claims = static_claims(project)
    return claims, check_claims(claims, runtime_answers(project, claims))
