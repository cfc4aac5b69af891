"""What the rules found, less what is suppressed, and one finding per site.

`allow` (a symbol's sanctioned paths), `per-file-ignores` and `# noqa` comments drop findings, in that
order; then the findings of several rules at one site are folded into one (`SITE_PRECEDENCE`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Set, Tuple

from ssot_lint.analysis.project import Project
from ssot_lint.config import Config
from ssot_lint.engine.selection import matches
from ssot_lint.files.discovery import gitignore_spec
from ssot_lint.rule import Violation

# When several rules report one site (`from shim import Old as Canonical`: a shim import, a wrapper, the
# canonical's name bound to something else), the site gets one finding: the first code of this list
# that fired, its message naming the others' findings. A broken import first, then a second copy of
# the canonical, then shared state, then the ways to reach it.
SITE_PRECEDENCE = ("SSOT000", "SSOT009", "SSOT001", "SSOT004", "SSOT006", "SSOT007", "SSOT003",
                   "SSOT002", "SSOT008", "SSOT005", "SSOT010")


@dataclass(frozen=True)
class Suppressed:
    kept: List[Violation]  # what is left, one finding per site
    by_noqa: int  # how many findings `# noqa` comments dropped
    used: Dict[Tuple[str, int], Set[str]]  # (path, line) of each noqa comment -> the codes it suppressed


def suppress(project: Project, found: List[Violation]) -> Suppressed:
    """Drop what `allow`, per-file ignores and `# noqa` suppress, then fold each site's findings into one."""
    found = drop_per_file_ignored(project.config, _drop_allowed(project, found))
    kept, used = _apply_noqa(project, found)
    return Suppressed(one_finding_per_site(kept), len(found) - len(kept), used)


def _drop_allowed(project: Project, violations: List[Violation]) -> List[Violation]:
    canonicals = {c.symbol: c for c in project.canonicals}
    return [v for v in violations if v.symbol is None or not canonicals[v.symbol].allows(v.path)]


def drop_per_file_ignored(config: Config, violations: List[Violation]) -> List[Violation]:
    if not config.per_file_ignores:
        return violations
    specs = [(gitignore_spec([pattern]), codes)
             for pattern, codes in config.per_file_ignores]
    return [v for v in violations
            if not any(matches(v.code, codes) and spec.match_file(v.path) for spec, codes in specs)]


def _apply_noqa(project: Project, violations: List[Violation]):
    """Drop what `# noqa` comments suppress; also say which codes each comment used."""
    comments: Dict[str, Dict[int, Optional[Tuple[str, ...]]]] = {}
    for path, info in project.graph.checked.items():
        if info.rule_facts.noqa:
            comments[path] = {c.line: c.codes for c in info.rule_facts.noqa}
    kept: List[Violation] = []
    used: Dict[Tuple[str, int], Set[str]] = {}
    for violation in violations:
        on_line = comments.get(violation.path, {})
        if violation.line in on_line:
            codes = on_line[violation.line]
            if codes is None or violation.code in codes:
                used.setdefault((violation.path, violation.line), set()).add(violation.code)
                continue
        kept.append(violation)
    return kept, used


def one_finding_per_site(violations: List[Violation]) -> List[Violation]:
    """Fold the findings of several rules at one site (same file, span and symbol) into the one whose code
    comes first in SITE_PRECEDENCE: 'what; also SSOT002: what; advice'. Suppressions have applied by now,
    so a code silenced by `noqa` or `per-file-ignores` is not folded in."""
    by_site: Dict[tuple, List[Violation]] = {}
    for violation in violations:
        key = (violation.path, violation.line, violation.column, violation.end_line, violation.end_column,
               violation.symbol)
        by_site.setdefault(key, []).append(violation)
    rank = {code: index for index, code in enumerate(SITE_PRECEDENCE)}
    result = []
    for found in by_site.values():
        codes = {v.code for v in found}
        if len(codes) == 1:
            result.extend(found)
            continue
        ordered = sorted(found, key=lambda v: (rank.get(v.code, len(rank)), v.code, v.message))
        first, others = ordered[0], [v for v in ordered[1:] if v.code != ordered[0].code]
        advice = first.message.partition("; ")[2]
        folded = "; ".join(f"also {v.code}: {v.finding}" for v in others)
        message = f"{first.finding}; {folded}" + (f"; {advice}" if advice else "")
        # (its own fix only: another rule's fix would not remove this finding, so `[*]` would promise too much)
        result.append(replace(first, message=message, also=tuple(v.code for v in others)))
        result.extend(v for v in ordered[1:] if v.code == first.code)  # the same rule twice: both stay
    return result
