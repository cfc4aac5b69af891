"""The text `ssot-lint init` writes: the starter configuration, and the proposals as commented TOML.

In pyproject.toml the keys sit under `[tool.ssot-lint]`; in ssot-lint.toml at the top level.
"""

from __future__ import annotations

from typing import Iterable, List

from ssot_lint.config import Config
from ssot_lint.commands.init_proposals import Competitor, Intermediary, Proposal

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


def starter(section: str) -> str:
    return STARTER if section == "tool.ssot-lint" else _top_level(STARTER)


def render_proposals(proposals: List[Proposal], config: Config, section: str = "tool.ssot-lint") -> str:
    lines = ["[tool.ssot-lint]", f"src = {list(config.src)!r}".replace("'", '"'), "exclude = []", ""]
    if not proposals:
        lines.append("# ssot-lint found no shim to propose (a module that only hands on what others define, or that")
        lines.append("# warns it is deprecated) and no except ImportError fallback of a class or function.")
        lines.append(STARTER.split("\n", 4)[4])
    for proposal in proposals:
        verb = "imports" if proposal.importers == 1 else "import"
        lines.append(f"# {_reason(proposal)}; {_count(proposal.importers, 'module')} {verb} {proposal.symbol}.")
        lines.extend(_competitor_lines(proposal.competing))
        for other in proposal.handed_on_by:
            if not other.is_legacy:  # `check` reports it (SSOT003) and the imports through it (SSOT002)
                lines.append(f"#   also handed on by {other.module} ({_note(other)}): not a shim, other imports "
                             "from it are fine")
        lines.append("[[tool.ssot-lint.canonical]]")
        lines.append(f'symbol = "{proposal.symbol}"')
        if proposal.shims:
            lines.append("shims = [")
            for shim in proposal.shims:
                lines.append(f'  "{shim.module}",  # {_note(shim)}')
            lines.append("]")
        else:
            lines.append("shims = []")
        if any(c.matters for c in proposal.competing):
            lines.append(f'lookalikes = ["*{proposal.symbol.name}"]')
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    return text if section == "tool.ssot-lint" else _top_level(text)



def _reason(proposal: Proposal) -> str:
    """Why it is proposed, for the comment above it."""
    said = []
    if proposal.competing:
        said.append(f"{proposal.symbol.name} is defined in {len(proposal.competing) + 1} modules")
    if proposal.handed_on_by:
        deprecated = sum(i.role.warns for i in proposal.handed_on_by)
        said.append(f"handed on by {_count(len(proposal.handed_on_by), 'other module')}"
                    + (f" ({deprecated} deprecated)" if deprecated else ""))
    return "; ".join(said)


def _note(intermediary: Intermediary) -> str:
    """What it is and who uses it, for a comment beside it."""
    role = intermediary.role
    if intermediary.wrappers:
        wrappers = intermediary.wrappers
        how = f"its {' and '.join(wrappers)} delegate{'s' if len(wrappers) == 1 else ''} to it"
    elif role.warns:
        how = "deprecated: it warns when imported"
    elif role.is_package:
        how = "a package re-exporting it"
    elif role.defines_nothing:
        how = "it defines nothing itself"
    elif role.fallbacks_only:
        how = "it defines only import fallbacks"
    else:
        how = "it has code of its own"
    users = _count(intermediary.importers, "module")
    verb = "imports" if intermediary.importers == 1 else "import"
    return f"{how}; {users} {verb} {'the wrapper' if intermediary.wrappers else 'it through this one'}"

# Other definitions listed one by one; past this many, the ones that do not matter are only counted.
_COMPETITORS_LISTED = 10


def _competitor_lines(competing: Iterable[Competitor]) -> List[str]:
    competing = sorted(competing, key=lambda c: (not c.matters, -c.importers, c.module))
    lines = []
    for competitor in competing:
        if not competitor.matters and len(lines) >= _COMPETITORS_LISTED:
            rest = len(competing) - len(lines)
            lines.append(f"#   and in {_count(rest, 'other module')}, unused or only by their tests")
            break
        how = ", an except ImportError fallback" if competitor.fallback else ""
        lines.append(f"#   also defined in {competitor.module} (imported by {competitor.importers}{how})")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _top_level(text: str) -> str:
    """The same configuration for ssot-lint.toml, where the keys sit at the top level."""
    return text.replace("[tool.ssot-lint]\n", "").replace("[[tool.ssot-lint.canonical]]", "[[canonical]]")
