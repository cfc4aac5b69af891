"""`check --fix` and `check --diff`: fix, check again, repeat; then write every changed file, or show it.

Fixes are applied in memory: each pass checks the project as the fixes so far
left it (an overlay on the files), applies the fixes that pass proposes, and
stops when a pass changes nothing. Only then are files written, each atomically
and only if it still holds what was read, so an interrupted run leaves every file
either as it was or fully fixed. Fixes that can only follow others (a renamed
alias in a statement another fix just moved) are taken up by the next pass.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ssot_lint.atomic import write_atomically
from ssot_lint.config import Config
from ssot_lint.engine.run import CheckResult, run_check
from ssot_lint.facts.source_text import decode_source
from ssot_lint.fixes.edits import Fix
from ssot_lint.parallel import process_map
from ssot_lint.rule import Violation
from ssot_lint.rules import all_rules

PARALLEL_THRESHOLD = 8  # files to fix in one pass before worker processes pay for their start
MAX_PASSES = 10  # ruff stops at 100; a pass here is a whole check, and two or three always sufficed


@dataclass(frozen=True)
class FixOutcome:
    result: CheckResult  # the violations left once the fixes are applied (lines as in the fixed files)
    changed: Dict[str, Tuple[bytes, bytes]]  # relpath -> (before, after)
    fixed: int  # violations found before and gone after
    not_fixed: Dict[str, int]  # why the remaining ones were not fixed -> how many
    not_written: Dict[str, str]  # relpath -> why it was not written (it changed on disk meanwhile, ...)


def run_fix(config: Config, *, paths: Sequence[Path] = (), select: Sequence[str] = (),
            ignore: Sequence[str] = (), jobs: Optional[int] = None, use_cache: bool = False,
            unsafe: bool = False, write: bool = True,
            progress: Optional[Callable[[int, int], None]] = None) -> FixOutcome:
    from ssot_lint.fixes.apply import fix_source  # LibCST is imported only when fixing

    def check(overlay: Dict[str, bytes]) -> CheckResult:
        return run_check(config, paths=paths, select=select, ignore=ignore, jobs=jobs, use_cache=use_cache,
                         progress=progress, overlay=overlay)

    first = result = check({})
    originals: Dict[str, bytes] = {}
    overlay: Dict[str, bytes] = {}
    refusals: Dict[Fix, str] = {}
    for _ in range(MAX_PASSES):
        wanted: Dict[str, List[Fix]] = {}
        for violation in result.violations:
            if violation.fix is not None and (violation.fix.is_safe or unsafe):
                wanted.setdefault(violation.path, []).append(violation.fix)
        refusals = {}
        changed = False
        work: List[Tuple[str, bytes, List[Fix]]] = []
        for relpath, fixes in sorted(wanted.items()):
            before = overlay.get(relpath)
            if before is None:
                try:
                    before = originals[relpath] = (config.root / relpath).read_bytes()
                except OSError as exc:
                    refusals.update((f, f"cannot read the file: {exc.strerror or exc}") for f in fixes)
                    continue
            work.append((relpath, before, fixes))
        for (relpath, before, _), outcome in zip(work, _fix_files(fix_source, work, jobs)):
            refusals.update(outcome.refused)
            if outcome.source != before:
                overlay[relpath] = outcome.source
                changed = True
        if not changed:
            break
        result = check(overlay)
    changes = {path: (originals[path], data) for path, data in sorted(overlay.items()) if data != originals[path]}
    not_written = _write(config.root, changes) if write else {}
    if not_written:  # what stays unfixed on disk is reported as it is there
        result = check({path: data for path, data in overlay.items() if path not in not_written})
    why = _why_not_fixed(result.violations, refusals, unsafe)
    # A fix the fixer refused is no fix: the violations left are shown without one.
    result = replace(result, violations=tuple(replace(v, fix=None) if v.fix in refusals else v
                                              for v in result.violations))
    gone = Counter(v.fingerprint for v in first.violations) - Counter(v.fingerprint for v in result.violations)
    return FixOutcome(result, changes, sum(gone.values()), why, not_written)


def _fix_files(fix_source, work: List[Tuple[str, bytes, List[Fix]]], jobs: Optional[int]) -> List:
    """fix_source on each file, in worker processes when there are many (LibCST is slow: ~0.2 s a file)."""
    return list(process_map(fix_source, [source for _, source, _ in work], [fixes for _, _, fixes in work],
                            jobs=jobs or os.cpu_count() or 1, threshold=PARALLEL_THRESHOLD, chunks_per_job=4))


def _write(root: Path, changes: Dict[str, Tuple[bytes, bytes]]) -> Dict[str, str]:
    """Write each fixed file in one step, unless it changed on disk since it was read."""
    not_written = {}
    for relpath, (before, after) in changes.items():
        path = root / relpath
        try:
            if path.read_bytes() != before:
                not_written[relpath] = "it changed on disk during the run; run again"
                continue
            if not path.stat().st_mode & stat.S_IWUSR:  # not os.access: root may write anything
                not_written[relpath] = "it is read-only"
                continue
            write_atomically(path, after)
        except OSError as exc:
            not_written[relpath] = f"cannot write it: {exc.strerror or exc}"
    return not_written


def _why_not_fixed(remaining: Sequence[Violation], refusals: Dict[Fix, str], unsafe: bool) -> Dict[str, int]:
    reasons: Counter = Counter()
    fixable_rules = {rule.code for rule in all_rules() if rule.fixable}
    never = sorted({v.code for v in remaining if v.code not in fixable_rules})
    for violation in remaining:
        fix = violation.fix
        if fix is None and violation.code not in fixable_rules:
            reasons[f"no automatic fix for {', '.join(never)}: they need a person"] += 1
        elif fix is None:
            reasons[f"{violation.code}: no automatic fix for this case (see `ssot-lint explain {violation.code}`)"] += 1
        elif not fix.is_safe and not unsafe:
            reasons["the fix is unsafe: add --unsafe-fixes"] += 1
        elif fix in refusals:
            reasons[refusals[fix]] += 1
        else:
            reasons[f"still there after {MAX_PASSES} passes"] += 1
    return dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))


def unified_diff(root: Path, changes: Dict[str, Tuple[bytes, bytes]]) -> str:
    """The changes as one unified diff (`git apply` reads it), paths relative to the project root."""
    parts = []
    for relpath, (before, after) in changes.items():
        old, new = (decode_source(data).splitlines(keepends=True) for data in (before, after))
        parts.extend(difflib.unified_diff(old, new, f"a/{relpath}", f"b/{relpath}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in parts)

