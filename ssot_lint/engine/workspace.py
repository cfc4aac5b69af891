"""A project kept in memory between analyses: what the language server holds, and `check` asks of it.

Each `analyse()` finds exactly what a fresh `check` of the files as they are now would find (editor
buffers over the disk). It runs the same `analyse_files`, but incrementally: the facts of every content are
in memory (nothing unchanged is parsed again, and nothing is read whose size and mtime vouch for it); the
modules loaded, the answers of resolution and the project's per-module answers are kept from the last
analysis, less those that read a file that changed since (engine/build.py's `Resident`, analysis/depends.py);
and the last answer itself is kept when no change touches what it read (reuse.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ssot_lint.config import Config
from ssot_lint.engine.build import Resident
from ssot_lint.engine.reuse import AnalysisRecord
from ssot_lint.engine.run import analyse_files, cyclic_gc_paused, finalise
from ssot_lint.engine.selection import select_rules
from ssot_lint.facts.model import FileFacts
from ssot_lint.files.cache import FactsCache
from ssot_lint.files.discovery import Listing, SourceFile, list_files
from ssot_lint.files.reader import OverlayReader
from ssot_lint.rule import Violation


@dataclass(frozen=True)
class WorkspaceResult:
    violations: Tuple[Violation, ...]  # every file's, finalised as `check` reports them
    files: Tuple[SourceFile, ...]  # the project's files
    analysed: bool  # False: the last answer stood (no change touched what it read)
    seconds: float
    suppressed: int = 0  # findings dropped by noqa comments (check's summary line counts them)

    def in_file(self, relpath: str) -> List[Violation]:
        return [v for v in self.violations if v.path == relpath]


@dataclass(frozen=True)
class _Last:
    result: WorkspaceResult
    record: Optional[AnalysisRecord]  # what it read (None without a prefilter: then any change counts)
    digests: Dict[str, Optional[str]]  # the content hash of every file then (None: unreadable)
    buffered: FrozenSet[str]  # the files read from buffers then


class Workspace:
    """The project under `config`, analysed again on demand. Not thread-safe: one caller at a time.

    By default every analysis looks at the disk for what changed (a stat of every file, and discovery
    again unless its folders vouch for the last listing). With `watched`, the caller promises to report
    every change on disk (`disk_changed`, `files_came_or_went`), as a language server's file watcher
    does: then only the files reported are looked at again."""

    def __init__(self, config: Config, *, jobs: Optional[int] = None, use_cache: bool = True,
                 watched: bool = False, facts_from: Optional[Callable[[], Mapping[str, FileFacts]]] = None):
        """`facts_from`: the facts another Workspace of the project holds (its `facts`), read, never written:
        the two then share one copy of the facts of the contents both have (the server's, for the editor
        and for `check`)."""
        self.facts_from = facts_from
        self.config = config
        self.rules = select_rules(config.select, config.ignore)
        self.jobs = jobs
        self.watched = watched
        self.cache = FactsCache(config.root, enabled=use_cache)
        self._buffers: Dict[str, bytes] = {}  # editor contents, by path relative to the root
        self._facts: Dict[str, FileFacts] = {}  # by content hash: every current file's facts met so far
        self._listing: Optional[Listing] = None
        self._last: Optional[_Last] = None
        self._changed: Set[str] = set()  # (watched) files reported changed on disk since the last analysis
        self._relist = True  # (watched) files may have come or gone since the last listing
        self._resident = Resident()  # what the last analysis loaded and answered (engine/build.py)

    @property
    def facts(self) -> Mapping[str, FileFacts]:
        """The facts of the current contents it holds, by content hash."""
        return self._facts

    @property
    def buffers(self) -> Mapping[str, bytes]:
        """The editor contents it reads in place of the disk's, by path."""
        return dict(self._buffers)

    def start_watching(self) -> None:
        """From now on the caller reports every change on disk (a watcher was registered); what changed
        before is looked for once, at the next analysis."""
        self.watched = True
        self._relist = True

    def disk_changed(self, relpaths: Iterable[str]) -> None:
        """(watched) These files changed on disk."""
        self._changed.update(relpaths)

    def files_came_or_went(self) -> None:
        """(watched) Files were created, deleted or renamed: discovery must run again."""
        self._relist = True

    def set_buffer(self, relpath: str, data: Optional[bytes]) -> None:
        """An editor's contents for a file, read in place of the disk's (None: the disk's again)."""
        if data is None:
            self._buffers.pop(relpath, None)
        else:
            self._buffers[relpath] = data

    def analyse(self) -> WorkspaceResult:
        with cyclic_gc_paused():
            return self._analyse()

    def _analyse(self) -> WorkspaceResult:
        started = time.perf_counter()
        last = self._last
        if self._listing is None or (self._relist if self.watched else not self._listing.still_holds()):
            self._listing = list_files(self.config)
        # (what was reported is let go only once an analysis has seen it: one that fails, on a configuration
        # the change made wrong, leaves it for the next)
        listing, relisted, changed_on_disk = self._listing, self._relist, set(self._changed)
        known = self._facts if self.facts_from is None else {**self._facts, **self.facts_from()}
        reader = OverlayReader(self.cache, dict(self._buffers), self.jobs, known_facts=known)
        if self.watched and last is not None and not relisted:
            # A file git vouched for when listed (its blob) is vouched for no longer once reported changed.
            if any(s.blob is not None and s.relpath in changed_on_disk for s in listing.files):
                listing = self._listing = replace(listing, files=tuple(
                    replace(s, blob=None) if s.blob is not None and s.relpath in changed_on_disk else s
                    for s in listing.files))
            # Only what was reported, and the buffers (their contents are what counts), can differ.
            digests = dict(last.digests)
            for source in listing.files:
                if source.relpath in changed_on_disk or source.relpath in self._buffers or \
                        source.relpath in last.buffered:
                    digests[source.relpath] = _digest(reader, source)
        else:
            digests = {source.relpath: _digest(reader, source) for source in listing.files}
        same_files = last is not None and digests.keys() == last.digests.keys()
        changed = [s for s in listing.files if digests[s.relpath] != last.digests[s.relpath]] if same_files else []
        if same_files and last.record is not None:
            if not changed or (all(digests[s.relpath] is not None for s in changed) and last.record.still_stands(
                    changed, reader, lambda relpath: self._facts.get(last.digests[relpath] or ""))):
                result = WorkspaceResult(last.result.violations, listing.files, False,
                                         time.perf_counter() - started, last.result.suppressed)
                self._keep(reader.known_facts, digests)
                self._last = _Last(result, last.record, digests, frozenset(self._buffers))
                self._seen(changed_on_disk)
                return result
        self._resident.catch_up(listing.files, digests)
        self._resident.lend(reader)
        analysis = analyse_files(self.config, self.rules, jobs=self.jobs, files=listing.files, reader=reader,
                                 resident=self._resident)
        result = WorkspaceResult(finalise(analysis.violations), listing.files, True, time.perf_counter() - started,
                                 analysis.suppressed)
        self._keep(reader.known_facts, digests)
        self.cache.save()
        self._last = _Last(result, analysis.record, digests, frozenset(self._buffers))
        self._seen(changed_on_disk)
        return result

    def _seen(self, changed_on_disk: Set[str]) -> None:
        """(watched) An analysis has seen these changes, and the listing."""
        self._changed -= changed_on_disk
        self._relist = False

    def _keep(self, known: Dict[str, FileFacts], digests: Dict[str, Optional[str]]) -> None:
        """Keep the facts of the current contents only: memory stays that of one version of the project."""
        current = set(digests.values())
        self._facts = {digest: facts for digest, facts in known.items() if digest in current}


def _digest(reader: OverlayReader, source: SourceFile) -> Optional[str]:
    stamp = reader.stamp(source)
    return stamp.digest if stamp is not None else None
