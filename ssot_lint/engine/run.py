"""One run of the analysis: build the project, run the rules, suppress, finalise.

`analyse_files` is the analysis itself, shared by `check` (`run_check`, which also keeps the last
run's answer when it stands: run_cache.py), `report` (`analyse`) and `report --history` (one per
commit); `build.build_project` is the part before the rules.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Type

from ssot_lint.analysis.project import Project
from ssot_lint.config import Config
from ssot_lint.engine.build import Resident, build
from ssot_lint.engine.reuse import AnalysisRecord
from ssot_lint.engine.run_cache import SavedAnswer, last_answer_if_it_stands, result_key
from ssot_lint.engine.selection import check_selectors, select_rules
from ssot_lint.engine.suppression import drop_per_file_ignored, suppress
from ssot_lint.files.cache import FactsCache
from ssot_lint.files.discovery import SourceFile, list_files
from ssot_lint.files.reader import OverlayReader, SourceReader
from ssot_lint.rule import Phase, Rule, Violation


@dataclass(frozen=True)
class CheckResult:
    violations: Tuple[Violation, ...]  # what to report, sorted, fingerprinted
    files_analysed: int  # every file of the project
    files_loaded: int  # those whose facts were needed: they may mention a tracked name, or a chain passes them
    files_read: int  # read from disk in this run (the others were vouched for by the cache)
    files_parsed: int  # parsed in this run (the others' facts came from the cache)
    suppressed: int  # by `# noqa`
    answer_kept: bool = False  # the last run's answer, since nothing it read had changed
    # Where the time went, in order: discovery, reading, prefilter, parsing, resolution and rules, total.
    timings: Tuple[Tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Analysis:
    """What the rules found in a project, after suppressions (not yet finalised: see `finalise`)."""

    project: Project
    violations: List[Violation]
    suppressed: int  # by `# noqa`
    record: Optional[AnalysisRecord]  # what it read, for reuse (None without the prefilter)


@contextmanager
def cyclic_gc_paused():
    """Facts, trees and resolutions hold no reference cycles, and the collector's full passes over
    millions of live objects doubled the time of a large run: reference counting frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def analyse_files(config: Config, rules: Sequence[Type[Rule]], *, jobs: Optional[int] = None,
                  prefilter: bool = True, files: Optional[Sequence[SourceFile]] = None,
                  reader: Optional[SourceReader] = None, use_cache: bool = False,
                  progress: Optional[Callable[[int, int], None]] = None, missing: str = "error",
                  resident: Optional[Resident] = None) -> Analysis:
    """Build the project (see `build.build`) and find its violations."""
    built = build(config, jobs, use_cache=use_cache, prefilter=prefilter, files=files, reader=reader,
                  progress=progress, missing=missing, resident=resident)
    violations, suppressed = find_violations(built.project, rules)
    if resident is not None:
        resident.keep(built.project.graph)
    return Analysis(built.project, violations, suppressed, AnalysisRecord.of(built.project, built.prefilter))


def find_violations(project: Project, rules: Sequence[Type[Rule]]) -> Tuple[List[Violation], int]:
    """What the rules find, less what `allow`, per-file ignores and `# noqa` drop; and how many noqa dropped."""
    found: List[Violation] = []
    for rule in rules:
        if rule.phase is Phase.FINDINGS:
            found.extend(rule().check(project))
    result = suppress(project, found)
    kept = result.kept
    for rule in rules:
        if rule.phase is Phase.SUPPRESSIONS:
            kept.extend(drop_per_file_ignored(project.config, list(rule().check_suppressions(project, result.used))))
    return kept, result.by_noqa


def run_check(config: Config, *, paths: Sequence[Path] = (), select: Sequence[str] = (),
              ignore: Sequence[str] = (), jobs: Optional[int] = None, use_cache: bool = False,
              prefilter: bool = True, progress: Optional[Callable[[int, int], None]] = None,
              overlay: Optional[Mapping[str, bytes]] = None) -> CheckResult:
    """What `ssot-lint check` does, minus the printing. `overlay`: new contents for some files (by relative
    path), read in place of the disk's."""
    with cyclic_gc_paused():
        return _run_check(config, paths, select, ignore, jobs, use_cache, prefilter, progress, dict(overlay or {}))


def _run_check(config: Config, paths: Sequence[Path], select: Sequence[str], ignore: Sequence[str],
               jobs: Optional[int], use_cache: bool, prefilter: bool,
               progress: Optional[Callable[[int, int], None]], overlay: Dict[str, bytes]) -> CheckResult:
    check_selectors(config, select, ignore)
    started = time.perf_counter()
    rules = select_rules(tuple(select) or config.select, (*config.ignore, *ignore))
    cache = FactsCache(config.root, enabled=use_cache)
    key = result_key(config, rules, prefilter)
    saved = None if overlay else cache.load_result(key)
    # The last run's discovery, if no folder it walked has changed since (discovery.Listing).
    listing = saved.listing if saved is not None and saved.listing is not None and saved.listing.still_holds() \
        else list_files(config)
    files = listing.files
    discovered = time.perf_counter()
    reader = OverlayReader(cache, overlay, jobs, progress) if overlay else SourceReader(cache, jobs, progress)
    answer = None if saved is None else last_answer_if_it_stands(cache, saved, listing, reader)
    kept_answer = answer is not None
    if answer is None:
        analysis = analyse_files(config, rules, jobs=jobs, prefilter=prefilter, files=files, reader=reader)
        graph = analysis.project.graph
        answer = SavedAnswer(analysis.violations, analysis.suppressed, len(graph.modules) + len(graph.unparsed),
                             analysis.record)
        cache.save()  # the stamps of what the rules read too
        if not overlay:
            cache.save_result(key, files, answer, listing)
    inside = under(config, paths)
    result = finalise([v for v in answer.violations if inside(v.path)])
    ended = time.perf_counter()
    spent = reader.seconds
    timings = (("discovery", discovered - started), *((k, spent[k]) for k in ("reading", "prefilter", "parsing")),
               ("resolution and rules", ended - discovered - sum(spent.values())), ("total", ended - started))
    return CheckResult(result, len(files), answer.loaded, reader.files_read, reader.files_parsed,
                       answer.suppressed, kept_answer, timings)


def analyse(config: Config, *, jobs: Optional[int] = None, use_cache: bool = False,
            progress: Optional[Callable[[int, int], None]] = None) -> Tuple[Project, Tuple[Violation, ...]]:
    """The project and all its violations (as `check` finds them with the configured selection)."""
    with cyclic_gc_paused():
        analysis = analyse_files(config, select_rules(config.select, config.ignore), jobs=jobs, use_cache=use_cache,
                                 progress=progress)
        analysis.project.reader.cache.save()
        return analysis.project, finalise(analysis.violations)


def under(config: Config, paths: Sequence[Path]) -> Callable[[str], bool]:
    """Is a path (relative to the project root) in one of the given files or folders? (Any is, when none
    are given: the whole project.)"""
    if not paths:
        return lambda relpath: True
    wanted = [Path(p).resolve() for p in paths]

    def inside(relpath: str) -> bool:
        absolute = config.root / relpath
        return any(absolute == w or w in absolute.parents for w in wanted)

    return inside


def finalise(violations: List[Violation]) -> Tuple[Violation, ...]:
    """Sorted, without duplicates, each with its fingerprint: the same finding twice in a file (same code,
    symbol and subject) is told apart by its occurrence, not its line."""
    unique = {(v.code, v.path, v.line, v.column, v.message): v for v in violations}
    ordered = sorted(unique.values(), key=Violation.sort_key)
    seen: Counter = Counter()
    result = []
    for violation in ordered:
        key = (violation.code, violation.path, violation.symbol, str(violation.subject))
        result.append(violation.with_fingerprint(seen[key]))
        seen[key] += 1
    return tuple(result)
