"""The run cache: a whole run's answer, kept between runs, and when it still stands.

`check` saves its answer (what to report, and what the analysis read: reuse.py) under a key of
everything but the files it depends on; the next run with the same key keeps it when no file changed,
or only where the analysis did not read it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import List, Optional, Sequence, Type

import ssot_lint
import ssot_lint.rules as rules_package
from ssot_lint.config import Config
from ssot_lint.engine.reuse import AnalysisRecord
from ssot_lint.files.cache import EXTRACTOR_VERSION, FactsCache, SavedResult
from ssot_lint.files.discovery import Listing
from ssot_lint.files.reader import SourceReader
from ssot_lint.rule import Rule, Violation


@dataclass(frozen=True)
class SavedAnswer:
    """A run's answer as the cache keeps it: what to report, and what it depended on."""

    violations: List[Violation]
    suppressed: int
    loaded: int
    record: Optional[AnalysisRecord]  # None without the prefilter


def last_answer_if_it_stands(cache: FactsCache, saved: SavedResult, listing: Listing,
                              reader: SourceReader) -> Optional[SavedAnswer]:
    """The last run's answer if no file changed since, or only where that run's analysis did not read it
    (reuse.py); None when the analysis must run. `reader` reads the changed files (and counts them)."""
    answer = saved.payload
    changed = cache.changed_since(saved.stamps, listing.files)
    if changed is None or not isinstance(answer, SavedAnswer):
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


def result_key(config: Config, rules: Sequence[Type[Rule]], prefilter: bool) -> str:
    """What a whole run's answer depends on besides the files: the settings, the rules and our own code.
    Not where the project is: a clone elsewhere (a CI job with the cache restored) finds the answer."""
    settings = replace(config, root=Path("."), path=None)
    digest = hashlib.sha256(repr((settings, [r.code for r in rules], prefilter, EXTRACTOR_VERSION)).encode())
    for folder in sorted({*(Path(p) for p in ssot_lint.__path__), *(Path(p) for p in rules_package.__path__)}):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()
