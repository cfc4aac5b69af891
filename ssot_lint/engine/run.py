"""The pipeline: discover -> prefilter -> extract facts -> build graph -> resolve -> rules -> suppress.

`run_check` is what `ssot-lint check` does, minus the printing; `build_project`
is the part before the rules.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Type

from ssot_lint.config import Config, ConfigError, toml_key
from ssot_lint.files.cache import EXTRACTOR_VERSION, FactsCache, SavedResult
from ssot_lint.files.discovery import Listing, SourceFile, discover, gitignore_spec, list_files
from ssot_lint.analysis.graph import ProjectGraph
from ssot_lint.engine.prefilter import Tokens, derive_tokens, initial_tokens
from ssot_lint.analysis.project import Project
from ssot_lint.rule import Phase, Rule, Violation
import ssot_lint.rules as rules_package
from ssot_lint.rules import all_rules
from ssot_lint.engine.reuse import AnalysisRecord
from ssot_lint.files.reader import OverlayReader, SourceReader

# When several rules report one site (`from shim import Old as Canonical`: a shim import, a wrapper, the
# canonical's name bound to something else), the site gets one finding: the first code of this list
# that fired, its message naming the others' findings. A broken import first, then a second copy of
# the canonical, then shared state, then the ways to reach it.
SITE_PRECEDENCE = ("SSOT000", "SSOT009", "SSOT001", "SSOT004", "SSOT006", "SSOT007", "SSOT003",
                   "SSOT002", "SSOT008", "SSOT005", "SSOT010")


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


def select_rules(select: Sequence[str], ignore: Sequence[str],
                 rules: Optional[Sequence[Type[Rule]]] = None) -> List[Type[Rule]]:
    """ruff's selection: a rule runs if a `select` prefix matches it and no `ignore` prefix does."""
    rules = list(rules if rules is not None else all_rules())
    chosen = select or ("ALL",)
    return [r for r in rules if _matches(r.code, chosen) and not _matches(r.code, ignore)]


def selector_problems(selectors: Iterable[str], where: str) -> List[str]:
    """A selector that matches no rule is a typo that would silently select or suppress nothing."""
    codes = [r.code for r in all_rules()]
    return [f"{where}: unknown rule code {selector!r} (see `ssot-lint rules`)" for selector in selectors
            if selector != "ALL" and not any(code.startswith(selector) for code in codes)]


def check_selectors(config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> None:
    """Every unknown rule code of the configuration and the command line, in one ConfigError."""
    problems = [*selector_problems(config.select, config.where("select")),
                *selector_problems(config.ignore, config.where("ignore"))]
    for pattern, codes in config.per_file_ignores:
        problems += selector_problems(codes, config.where(f"per-file-ignores.{toml_key(pattern)}"))
    problems += [*selector_problems(select, "--select"), *selector_problems(ignore, "--ignore")]
    if problems:
        raise ConfigError(*problems)


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def build_project(config: Config, jobs: Optional[int] = None, *, use_cache: bool = False,
                  prefilter: bool = True, files: Optional[Sequence[SourceFile]] = None,
                  cache: Optional[FactsCache] = None, progress: Optional[Callable[[int, int], None]] = None,
                  reader: Optional[SourceReader] = None, missing: str = "error") -> Project:
    """Discover, read and resolve the project; with `prefilter`, parse only what can matter.

    `files` and `reader` let a caller analyse another tree than the work tree (a git commit); `missing`
    says what a canonical symbol the project lacks is (see `Project`)."""
    files = discover(config) if files is None else files
    reader = reader or SourceReader(cache or FactsCache(config.root, enabled=use_cache), jobs, progress)
    graph = ProjectGraph(files, load_many=reader.facts_of)
    tokens = initial = initial_tokens(config)
    checked = reader.matching(files, tokens) if prefilter else list(files)
    _check(graph, reader, checked, tokens if prefilter else None)
    round_of = {f.relpath: 0 for f in checked}  # which round let each checked file through
    by_path = {f.relpath: f for f in files}
    project = Project(config, graph, lambda relpath: reader.matches(by_path[relpath], initial), reader, missing)
    rounds = [initial]  # the token set each round of checking matched files against
    while prefilter:
        grown = derive_tokens(project, tokens)
        if grown == tokens:
            break
        # A file that did not match the old tokens matches the grown set only through what is new.
        new = grown.difference(tokens)
        tokens = grown
        rounds.append(new)
        more = reader.matching([f for f in files if f.relpath not in graph.checked
                                and f.relpath not in graph.checked_unparsed], new)
        # A module checked on its view may name a new token where the view does not have it: read it all.
        named = reader.matching([info.file for info in graph.checked.values() if info.view_enough], new)
        for source, facts in zip(named, reader.facts_of(named)):
            graph.checked[source.relpath].complete(facts)
            graph.checked[source.relpath].view_enough = False
        _check(graph, reader, more, new)
        round_of.update({f.relpath: len(rounds) - 1 for f in more})
        project.refresh()
    project.tokens = tokens if prefilter else None
    project.token_rounds = rounds if prefilter else None
    project.round_of = round_of if prefilter else None
    # The rules follow the imports of the checked modules that may matter into the modules they name: read
    # those in one parallel batch rather than one at a time on demand (in a fixed order: it is the graph's).
    graph.preload(sorted({m for info in graph.checked.values() for b in info.rule_facts.bindings
                          if project.follows_import(info, b) for m in graph.imported_modules(info, b, parents=False)}))
    reader.cache.save()
    return project


def _check(graph: ProjectGraph, reader: SourceReader, files: Sequence[SourceFile], tokens: Optional[Tokens]) -> None:
    """Add the files that matched `tokens` as checked modules, in order: on their module-level view where that
    holds all the rules could find in them (`SourceReader.view_suffices`), else on their full facts."""
    on_view = {f.relpath for f in files if tokens is not None and reader.view_suffices(f, tokens)}
    in_full = [f for f in files if f.relpath not in on_view]
    viewed = [f for f in files if f.relpath in on_view]
    facts = {**dict(zip((f.relpath for f in in_full), reader.facts_of(in_full))),
             **dict(zip((f.relpath for f in viewed), reader.facts_of(viewed, module_view=True)))}
    for source in files:
        graph.add_checked(source, facts[source.relpath])


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


def run_check(config: Config, *, paths: Sequence[Path] = (), select: Sequence[str] = (),
              ignore: Sequence[str] = (), jobs: Optional[int] = None, use_cache: bool = False,
              prefilter: bool = True, progress: Optional[Callable[[int, int], None]] = None,
              overlay: Optional[Mapping[str, bytes]] = None) -> CheckResult:
    """`overlay`: new contents for some files (by relative path), read in place of the disk's."""
    with cyclic_gc_paused():
        return _run_check(config, paths, select, ignore, jobs, use_cache, prefilter, progress, dict(overlay or {}))


def _run_check(config: Config, paths: Sequence[Path], select: Sequence[str], ignore: Sequence[str],
               jobs: Optional[int], use_cache: bool, prefilter: bool,
               progress: Optional[Callable[[int, int], None]], overlay: Dict[str, bytes]) -> CheckResult:
    check_selectors(config, select, ignore)
    started = time.perf_counter()
    rules = select_rules(tuple(select) or config.select, (*config.ignore, *ignore))
    cache = FactsCache(config.root, enabled=use_cache)
    key = _result_key(config, rules, prefilter)
    saved = None if overlay else cache.load_result(key)
    # The last run's discovery, if no folder it walked has changed since (discovery.Listing).
    listing = saved.listing if saved is not None and saved.listing is not None and saved.listing.still_holds() \
        else list_files(config)
    files = listing.files
    discovered = time.perf_counter()
    reader = OverlayReader(cache, overlay, jobs, progress) if overlay else SourceReader(cache, jobs, progress)
    answer = None if saved is None else _last_answer_if_it_stands(cache, saved, listing, reader)
    if answer is None:
        project = build_project(config, jobs, prefilter=prefilter, files=files, cache=cache, progress=progress,
                                reader=reader)
        violations, suppressed = find_violations(project, rules)
        graph = project.graph
        answer = _Answer(violations, suppressed, len(graph.modules) + len(graph.unparsed), AnalysisRecord.of(project))
        cache.save()  # the stamps of what the rules read too
        if not overlay:
            cache.save_result(key, files, answer, listing)
        kept_answer = False
    else:
        kept_answer = True
    kept = _only_under(config, list(answer.violations), paths)
    result = finalise(kept)
    ended = time.perf_counter()
    spent = reader.seconds
    timings = (("discovery", discovered - started), *((k, spent[k]) for k in ("reading", "prefilter", "parsing")),
               ("resolution and rules", ended - discovered - sum(spent.values())), ("total", ended - started))
    return CheckResult(result, len(files), answer.loaded, reader.files_read, reader.files_parsed,
                       answer.suppressed, kept_answer, timings)


@dataclass(frozen=True)
class _Answer:
    """A run's answer as the cache keeps it: what to report, and what it depended on."""

    violations: List[Violation]
    suppressed: int
    loaded: int
    record: Optional[AnalysisRecord]  # None without the prefilter


def _last_answer_if_it_stands(cache: FactsCache, saved: SavedResult, listing: Listing,
                              reader: SourceReader) -> Optional[_Answer]:
    """The last run's answer if no file changed since, or only where that run's analysis did not read it
    (reuse.py); None when the analysis must run. `reader` reads the changed files (and counts them)."""
    answer = saved.payload
    changed = cache.changed_since(saved.stamps, listing.files)
    if changed is None or not isinstance(answer, _Answer):
        return None
    if not changed:
        return answer
    if answer.record is None:
        return None
    if not answer.record.still_stands(changed, reader, lambda relpath: cache.get_any(answer.record.digests[relpath])):
        return None
    cache.save()
    cache.save_result(saved.key, listing.files, answer, listing)  # new stamps: the next run need not look again
    return answer


def analyse(config: Config, *, jobs: Optional[int] = None, use_cache: bool = False,
            progress: Optional[Callable[[int, int], None]] = None) -> Tuple[Project, Tuple[Violation, ...]]:
    """The project and all its violations (as `check` finds them with the configured selection)."""
    with cyclic_gc_paused():
        rules = select_rules(config.select, config.ignore)
        project = build_project(config, jobs, use_cache=use_cache, progress=progress)
        violations, _ = find_violations(project, rules)
        project.reader.cache.save()
        return project, finalise(violations)


def find_violations(project: Project, rules: Sequence[Type[Rule]]) -> Tuple[List[Violation], int]:
    """What the rules find, less what `allow`, per-file ignores and `# noqa` drop; and how many noqa dropped."""
    config = project.config
    found: List[Violation] = []
    for rule in rules:
        if rule.phase is Phase.FINDINGS:
            found.extend(rule().check(project))
    found = _drop_allowed(project, found)
    found = _drop_per_file_ignored(config, found)
    kept, used = _apply_noqa(project, found)
    suppressed = len(found) - len(kept)
    kept = one_finding_per_site(kept)
    for rule in rules:
        if rule.phase is Phase.SUPPRESSIONS:
            kept.extend(_drop_per_file_ignored(config, list(rule().check_suppressions(project, used))))
    return kept, suppressed


def _result_key(config: Config, rules: Sequence[Type[Rule]], prefilter: bool) -> str:
    """What a whole run's answer depends on besides the files: the settings, the rules and our own code.
    Not where the project is: a clone elsewhere (a CI job with the cache restored) finds the answer."""
    settings = replace(config, root=Path("."), path=None)
    digest = hashlib.sha256(repr((settings, [r.code for r in rules], prefilter, EXTRACTOR_VERSION)).encode())
    for folder in sorted({Path(__file__).parent.parent, *(Path(p) for p in rules_package.__path__)}):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _drop_allowed(project: Project, violations: List[Violation]) -> List[Violation]:
    canonicals = {c.symbol: c for c in project.canonicals}
    return [v for v in violations if v.symbol is None or not canonicals[v.symbol].allows(v.path)]


def _drop_per_file_ignored(config: Config, violations: List[Violation]) -> List[Violation]:
    if not config.per_file_ignores:
        return violations
    specs = [(gitignore_spec([pattern]), codes)
             for pattern, codes in config.per_file_ignores]
    return [v for v in violations
            if not any(_matches(v.code, codes) and spec.match_file(v.path) for spec, codes in specs)]


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


def _only_under(config: Config, violations: List[Violation], paths: Sequence[Path]) -> List[Violation]:
    """Keep the violations in the given files or folders (all of them when none are given)."""
    inside = under(config, paths)
    return [v for v in violations if inside(v.path)]


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
    unique = {(v.code, v.path, v.line, v.column, v.message): v for v in violations}
    ordered = sorted(unique.values(), key=Violation.sort_key)
    seen: Counter = Counter()
    result = []
    for violation in ordered:
        key = (violation.code, violation.path, violation.symbol, violation.subject)
        result.append(violation.with_fingerprint(seen[key]))
        seen[key] += 1
    return tuple(result)
