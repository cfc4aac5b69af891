"""`ssot-lint init`: a starter configuration, and with `--discover`, proposals read off the code.

Discovery proposes canonical symbols from two signs of duplication:

- a class or function name defined at module level in more than one module: the
  definition most modules import is proposed as canonical, the others are listed
  as competing implementations;
- re-export-only modules (imports and aliases, no definitions of their own) that
  other modules import from: each symbol they hand on is proposed, with the
  module as a shim.

Each proposal then lists as shims the modules that hand the symbol on (they
re-export it and are imported from, or wrap it), ranked by how many modules
import through them. The result is commented TOML for the user to edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Dict, List, Set, Tuple

from ssot_lint.config import CanonicalSpec, Config, SymbolPath
from ssot_lint.facts import BindingKind
from ssot_lint.project import Project

STARTER = '''[tool.ssot-lint]
src = ["."]
exclude = []

# One table per class or function the codebase must have only one of:
# [[tool.ssot-lint.canonical]]
# symbol = "package.module:ClassName"     # the source of truth
# shims = ["package.legacy_module"]       # legacy paths being migrated off
# lookalikes = ["*ClassName"]             # names that smell like a second implementation
# products = []                           # what a canonical factory makes ("module:Name")
# allow = []                              # paths exempt from this symbol's rules
'''

# Names defined everywhere for reasons that have nothing to do with duplication.
_COMMON_NAMES = {"main", "setup", "run", "Meta", "Config", "Settings", "Error", "Base", "test", "cli"}


@dataclass
class Proposal:
    symbol: SymbolPath
    importers: int  # modules that import the definition
    competing: List[Tuple[str, int]] = field(default_factory=list)  # other definitions: (module, importers)
    shims: List[Tuple[str, int]] = field(default_factory=list)  # (module, modules importing through it)
    reason: str = ""

    @property
    def score(self) -> int:
        return self.importers + sum(count for _, count in self.shims) + len(self.competing)


def discover_proposals(project: Project, limit: int = 5) -> List[Proposal]:
    importers = _importers_by_definition(project)
    proposals: Dict[Tuple[str, str, int], Proposal] = {}
    for name, definitions in _duplicated_definitions(project).items():
        ranked = sorted(definitions, key=lambda d: (-len(importers.get(d, ())), d))
        best = ranked[0]
        if not importers.get(best):
            continue
        proposals[best] = Proposal(
            SymbolPath(best[0], best[1]), len(importers[best]),
            competing=[(d[0], len(importers.get(d, ()))) for d in ranked[1:]],
            reason=f"{name} is defined in {len(definitions)} modules")
    for module, definition in _re_exported_definitions(project):
        if definition not in proposals:
            proposals[definition] = Proposal(SymbolPath(definition[0], definition[1]),
                                             len(importers.get(definition, ())),
                                             reason=f"re-exported by {module}, which defines nothing itself")
    _add_shims(project, proposals)
    ranked = sorted(proposals.values(), key=lambda p: (-p.score, str(p.symbol)))
    return ranked[:limit]


def _importers_by_definition(project: Project) -> Dict[Tuple[str, str, int], Set[str]]:
    found: Dict[Tuple[str, str, int], Set[str]] = {}
    for site in project.import_sites:
        definition = site.resolution.definition
        if definition is not None and definition[0] != site.info.name:
            found.setdefault(definition, set()).add(site.info.name)
    return found


def _duplicated_definitions(project: Project) -> Dict[str, List[Tuple[str, str, int]]]:
    by_name: Dict[str, List[Tuple[str, str, int]]] = {}
    for info in project.checked_modules:
        for binding in info.facts.module_bindings():
            name = binding.name
            if binding.kind not in (BindingKind.CLASS, BindingKind.FUNCTION) or name.startswith(("_", "Test", "test")):
                continue
            if name in _COMMON_NAMES:
                continue
            by_name.setdefault(name, []).append((info.name, name, binding.span.line))
    return {name: defs for name, defs in by_name.items() if len({d[0] for d in defs}) > 1}


def _re_exported_definitions(project: Project) -> List[Tuple[str, Tuple[str, str, int]]]:
    """(module, definition) for each definition a re-export-only module hands on."""
    found = []
    for info in project.checked_modules:
        bindings = [b for b in info.facts.module_bindings() if not b.name.startswith("__")]
        if not bindings or any(b.kind in (BindingKind.CLASS, BindingKind.FUNCTION) for b in bindings):
            continue
        if not any(b.is_import for b in bindings):
            continue
        for binding in bindings:
            if binding.kind in (BindingKind.IMPORT_FROM, BindingKind.ALIAS):
                definition = project.resolver.resolve_binding(info, binding).definition
                if definition is not None and definition[0] != info.name:
                    found.append((info.name, definition))
    return found


def _add_shims(project: Project, proposals: Dict[Tuple[str, str, int], Proposal]) -> None:
    """The modules that hand each proposed symbol on, from the same analysis `check` runs."""
    specs = tuple(CanonicalSpec(p.symbol, lookalikes=(f"*{p.symbol.name}",)) for p in proposals.values())
    if not specs:
        return
    trial = Project(replace(project.config, canonicals=specs), project.graph)
    for canonical, proposal in zip(trial.canonicals, proposals.values()):
        shims: Dict[str, int] = {}
        for module, (_, users) in trial.undeclared_shims(canonical).items():
            shims[module] = len(users)
        for wrapper in trial.wrappers(canonical).values():
            users = {s.info.name for s in trial.sites_in(canonical)
                     if s.resolution.definition == wrapper.definition and s.info.name != wrapper.info.name}
            shims[wrapper.info.name] = max(shims.get(wrapper.info.name, 0), len(users))
        proposal.shims = sorted(shims.items(), key=lambda item: (-item[1], item[0]))


def render_proposals(proposals: List[Proposal], config: Config, section: str = "tool.ssot-lint") -> str:
    lines = ["[tool.ssot-lint]", f"src = {list(config.src)!r}".replace("'", '"'), "exclude = []", ""]
    if not proposals:
        lines.append("# ssot-lint found no duplicated definitions or re-export-only modules to propose.")
        lines.append(STARTER.split("\n", 4)[4])
    for proposal in proposals:
        lines.append(f"# {proposal.reason}; {proposal.importers} module(s) import {proposal.symbol}.")
        for module, count in proposal.competing:
            lines.append(f"#   also defined in {module} (imported by {count})")
        lines.append("[[tool.ssot-lint.canonical]]")
        lines.append(f'symbol = "{proposal.symbol}"')
        if proposal.shims:
            lines.append("shims = [")
            for module, count in proposal.shims:
                lines.append(f'  "{module}",  # {count} module(s) import through it')
            lines.append("]")
        else:
            lines.append("shims = []")
        if proposal.competing:
            lines.append(f'lookalikes = ["*{proposal.symbol.name}"]')
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    return text if section == "tool.ssot-lint" else _top_level(text)


def starter(section: str) -> str:
    return STARTER if section == "tool.ssot-lint" else _top_level(STARTER)


def _top_level(text: str) -> str:
    """The same configuration for ssot-lint.toml, where the keys sit at the top level."""
    return text.replace("[tool.ssot-lint]\n", "").replace("[[tool.ssot-lint.canonical]]", "[[canonical]]")
