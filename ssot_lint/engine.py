"""The pipeline: discover -> extract facts -> build graph -> resolve -> rules -> suppress.

`run_check` is what `ssot-lint check` does, minus the printing.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple, Type

import pathspec

from ssot_lint.config import Config, ConfigError
from ssot_lint.discovery import SourceFile, discover
from ssot_lint.facts import FileFacts, ParseError, extract_facts
from ssot_lint.graph import ProjectGraph
from ssot_lint.project import Project
from ssot_lint.rule import Rule, Violation
from ssot_lint.rules import all_rules

UNUSED_NOQA = "SSOT100"
# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class CheckResult:
    violations: Tuple[Violation, ...]  # what to report, sorted, fingerprinted
    files_analysed: int
    suppressed: int  # by `# noqa`


def select_rules(select: Sequence[str], ignore: Sequence[str],
                 rules: Optional[Sequence[Type[Rule]]] = None) -> List[Type[Rule]]:
    """ruff's selection: a rule runs if a `select` prefix matches it and no `ignore` prefix does."""
    rules = list(rules if rules is not None else all_rules())
    chosen = select or ("ALL",)
    return [r for r in rules if _matches(r.code, chosen) and not _matches(r.code, ignore)]


def check_selectors(selectors: Iterable[str], where: str) -> None:
    """A selector that matches no rule is a typo that would silently select or suppress nothing."""
    codes = [r.code for r in all_rules()]
    for selector in selectors:
        if selector != "ALL" and not any(code.startswith(selector) for code in codes):
            raise ConfigError(f"{where}: unknown rule code {selector!r} (see `ssot-lint rules`)")


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def read_facts(path: Path) -> FileFacts:
    """One file's facts; an unreadable file is a parse error, not a crash."""
    try:
        source = path.read_bytes()
    except OSError as exc:
        return FileFacts(parse_error=ParseError(f"cannot read: {exc.strerror or exc}", 1, 1))
    return extract_facts(source)


def extract_all(files: Sequence[SourceFile], jobs: Optional[int] = None) -> List[FileFacts]:
    """Facts for each file, in the same order, in parallel across processes."""
    jobs = jobs or os.cpu_count() or 1
    paths = [f.path for f in files]
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
        return [read_facts(p) for p in paths]
    chunk = max(1, len(paths) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(read_facts, paths, chunksize=chunk))


def build_project(config: Config, jobs: Optional[int] = None) -> Project:
    files = discover(config)
    facts = extract_all(files, jobs)
    return Project(config, ProjectGraph(zip(files, facts)))


def run_check(config: Config, *, paths: Sequence[Path] = (), select: Sequence[str] = (),
              ignore: Sequence[str] = (), jobs: Optional[int] = None,
              project: Optional[Project] = None) -> CheckResult:
    check_selectors(config.select, config.where("select"))
    check_selectors(config.ignore, config.where("ignore"))
    for pattern, codes in config.per_file_ignores:
        check_selectors(codes, f"{config.where('per-file-ignores')} {pattern!r}")
    check_selectors(select, "--select")
    check_selectors(ignore, "--ignore")
    rules = select_rules(tuple(select) or config.select, (*config.ignore, *ignore))
    project = project or build_project(config, jobs)
    found: List[Violation] = []
    for rule in rules:
        found.extend(rule().check(project))
    found = _drop_allowed(project, found)
    found = _drop_per_file_ignored(config, found)
    kept, used = _apply_noqa(project, found)
    suppressed = len(found) - len(kept)
    unused_noqa = [r for r in rules if r.code == UNUSED_NOQA]
    if unused_noqa:
        kept.extend(_drop_per_file_ignored(config, list(unused_noqa[0]().check_noqa(project, used))))
    kept = _only_under(config, kept, paths)
    return CheckResult(_finalise(kept), len(project.graph.by_path) + len(project.graph.unparsed), suppressed)


def _drop_allowed(project: Project, violations: List[Violation]) -> List[Violation]:
    canonicals = {c.symbol: c for c in project.canonicals}
    return [v for v in violations if v.symbol is None or not canonicals[v.symbol].allows(v.path)]


def _drop_per_file_ignored(config: Config, violations: List[Violation]) -> List[Violation]:
    if not config.per_file_ignores:
        return violations
    specs = [(pathspec.GitIgnoreSpec.from_lines([pattern]), codes)
             for pattern, codes in config.per_file_ignores]
    return [v for v in violations
            if not any(_matches(v.code, codes) and spec.match_file(v.path) for spec, codes in specs)]


def _apply_noqa(project: Project, violations: List[Violation]):
    """Drop what `# noqa` comments suppress; also say which codes each comment used."""
    comments: Dict[str, Dict[int, Optional[Tuple[str, ...]]]] = {}
    for path, info in project.graph.by_path.items():
        if info.facts.noqa:
            comments[path] = {c.line: c.codes for c in info.facts.noqa}
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


def _only_under(config: Config, violations: List[Violation], paths: Sequence[Path]) -> List[Violation]:
    """Keep the violations in the given files or folders (all of them when none are given)."""
    if not paths:
        return violations
    wanted = [Path(p).resolve() for p in paths]

    def inside(relpath: str) -> bool:
        absolute = config.root / relpath
        return any(absolute == w or w in absolute.parents for w in wanted)

    return [v for v in violations if inside(v.path)]


def _finalise(violations: List[Violation]) -> Tuple[Violation, ...]:
    unique = {(v.code, v.path, v.line, v.column, v.message): v for v in violations}
    ordered = sorted(unique.values(), key=Violation.sort_key)
    seen: Counter = Counter()
    result = []
    for violation in ordered:
        key = (violation.code, violation.path, violation.symbol, violation.subject)
        result.append(violation.with_fingerprint(seen[key]))
        seen[key] += 1
    return tuple(result)
