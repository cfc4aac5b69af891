"""Reading source files: bytes, content hashes, token matches and facts, through the cache.

`SourceReader` reads each file at most once per run, and not at all on a warm run
when its size and mtime match the cache's manifest and what is asked of it (its
facts, or whether it matches a token set) is cached.
"""

from __future__ import annotations

import os
import pickle
import time
from collections import Counter
from functools import partial
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

from ssot_lint.files.cache import FactsCache, FileStamp, content_digest
from ssot_lint.files.discovery import SourceFile, tracked_files_without
from ssot_lint.files.tokens import Tokens
from ssot_lint.facts.extract import extract_facts, extract_module_view
from ssot_lint.facts.model import FileFacts, ParseError
from ssot_lint.parallel import in_parallel, process_map

# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 32
# Below this many files to scan, reading them costs less than a search of the whole tree through git.
SEARCH_THRESHOLD = 200


class SourceReader:
    reads_work_tree = True  # its files' bytes are the work tree's (so git can search them: `matching`)

    def __init__(self, cache: FactsCache, jobs: Optional[int] = None,
                 progress: Optional[Callable[[int, int], None]] = None,
                 known_facts: Optional[Dict[str, FileFacts]] = None):
        self.cache = cache
        # The facts this reader was given or produced, by content hash (history seeds it with the work tree's).
        self.known_facts: Dict[str, FileFacts] = dict(known_facts or {})
        self.jobs = jobs or os.cpu_count() or 1
        self.progress = progress  # called with (files parsed, files to parse) during a long batch
        self._stamps: Dict[str, Optional[FileStamp]] = {}
        # Bytes read and still wanted: a file's until it is found not to match, or is parsed. (Kept for
        # every file, they were the largest part of a large run's memory.)
        self._bytes: Dict[str, bytes] = {}
        self._read_paths: Set[str] = set()
        self._reread: Set[str] = set()  # read a second time (see facts_of)
        self.files_parsed = 0
        self.seconds: Counter = Counter()  # "reading", "prefilter", "parsing": where the run's time went
        # A resident analysis's answers to `matching` and `view_suffices` for the files unchanged since, by
        # token set and path (engine/build.py's Resident): asked again of thousands of files at every edit.
        self.known_matches: Optional[Dict[Tokens, Dict[str, bool]]] = None
        self.known_views: Optional[Dict[Tokens, Dict[str, bool]]] = None

    @property
    def files_read(self) -> int:
        """Files read from disk in this run (each counted once, though one may be read again)."""
        return len(self._read_paths)

    def stamp(self, source: SourceFile) -> Optional[FileStamp]:
        """Size, mtime and content hash; None if the file cannot be read."""
        if source.relpath in self._stamps:
            return self._stamps[source.relpath]
        if source.blob is not None:  # git vouches for the content: nothing to read (nor to remember)
            stamp = self._stamps[source.relpath] = FileStamp(-1, -1, source.blob)
            return stamp
        stamp = None
        try:
            stat = os.stat(source.path)
            stamp = self.cache.stamp_if_unchanged(source.relpath, stat)
            if stamp is None:
                data = self._read(source)
                if data is not None:
                    stamp = FileStamp(stat.st_size, stat.st_mtime_ns, content_digest(data))
                    self.cache.remember(source.relpath, stamp, stat)
        except OSError:
            stamp = None
        self._stamps[source.relpath] = stamp
        return stamp

    def _read(self, source: SourceFile) -> Optional[bytes]:
        """The file's bytes (None if it cannot be read): read once, and kept until they are let go (a file
        that does not match, or is parsed); read again only if asked again after that."""
        data = self._bytes.get(source.relpath)
        if data is None:
            started = time.perf_counter()
            try:
                data = self._load(source)
            except OSError:
                return None
            finally:
                self.seconds["reading"] += time.perf_counter() - started
            if source.relpath in self._read_paths:
                self._reread.add(source.relpath)
            self._read_paths.add(source.relpath)
            self._bytes[source.relpath] = data
        return data

    def _load(self, source: SourceFile) -> bytes:
        """Where the bytes come from: the work tree here, git objects in history.py."""
        return source.path.read_bytes()

    def _memo(self, source: SourceFile) -> Optional[str]:
        """What the cache remembers a scan of this file under: its content, and its module (a match may depend
        on the file's package); None if it cannot be read."""
        stamp = self.stamp(source)
        return None if stamp is None else f"{stamp.digest}:{source.module}"

    def matches(self, source: SourceFile, tokens: Tokens) -> bool:
        """Does the file's text match the token set? (An unreadable file does: it is reported.)"""
        memo = self._memo(source)
        if memo is None:
            return True
        matched = self.cache.known_match(tokens.key, memo)
        if matched is None:
            data = self._read(source)
            if data is None:
                return True
            started = time.perf_counter()
            matched = tokens.matches(data, source.module)
            self.seconds["prefilter"] += time.perf_counter() - started
            self.cache.remember_scan(tokens.key, memo, matched)
        if not matched:
            self._bytes.pop(source.relpath, None)  # read again, if resolution ever passes through it
        return matched

    def matching(self, sources: Sequence[SourceFile], tokens: Tokens) -> List[SourceFile]:
        """The files whose text matches the token set (`matches`), in order. Where many would be read, a
        search through git first rules out the clean tracked files that match none of the patterns a match
        needs (`Tokens.search_patterns`): on a large tree, most files, never read into Python."""
        if self.known_matches is not None:
            known = self.known_matches.setdefault(tokens, {})
            unknown = [source for source in sources if source.relpath not in known]
            if unknown:
                found = {source.relpath for source in self._matching(unknown, tokens)}
                known.update((source.relpath, source.relpath in found) for source in unknown)
            return [source for source in sources if known[source.relpath]]
        return self._matching(sources, tokens)

    def _matching(self, sources: Sequence[SourceFile], tokens: Tokens) -> List[SourceFile]:
        ruled_out = self._ruled_out(sources, tokens)
        return [source for source in sources if source.absolute not in ruled_out and self.matches(source, tokens)]

    def view_suffices(self, source: SourceFile, tokens: Tokens) -> bool:
        """Would the module-level view of a file that matches the tokens hold all the rules could find in it
        (`Tokens.view_suffices`)? Asked while its bytes are at hand (before it is parsed), and remembered;
        without them or a memo, no: its full facts are then likely in the cache."""
        if self.known_views is not None:
            known = self.known_views.setdefault(tokens, {})
            if source.relpath not in known:
                known[source.relpath] = self._view_suffices(source, tokens)
            return known[source.relpath]
        return self._view_suffices(source, tokens)

    def _view_suffices(self, source: SourceFile, tokens: Tokens) -> bool:
        memo = self._memo(source)
        if memo is None:
            return False
        known = self.cache.known_view(tokens.key, memo)
        if known is not None:
            return known
        data = self._bytes.get(source.relpath)
        if data is None:
            return False
        started = time.perf_counter()
        suffices = tokens.view_suffices(data, source.module)
        self.seconds["prefilter"] += time.perf_counter() - started
        self.cache.remember_view(tokens.key, memo, suffices)
        return suffices

    def _ruled_out(self, sources: Sequence[SourceFile], tokens: Tokens) -> Set[str]:
        """The absolute paths of files that `git grep` shows cannot match: only files that git vouches are as
        committed (`SourceFile.blob`), whose match the cache does not know already."""
        unknown = [s for s in sources if s.blob is not None and self.cache.known_match(tokens.key, self._memo(s))
                   is None] if self.reads_work_tree else []
        if len(unknown) < SEARCH_THRESHOLD:
            return set()
        started = time.perf_counter()
        by_patterns: Dict[FrozenSet[bytes], List[SourceFile]] = {}
        for source in unknown:
            needed = tokens.search_patterns(source.module)
            if needed is not None:
                by_patterns.setdefault(needed, []).append(source)
        ruled_out: Set[str] = set()
        for needed, group in by_patterns.items():
            folder = os.path.commonpath([os.path.dirname(s.absolute) for s in group])
            without = tracked_files_without(folder, needed) or set()
            for source in group:
                if source.absolute in without:
                    ruled_out.add(source.absolute)
                    self.cache.remember_scan(tokens.key, self._memo(source), False)
        self.seconds["prefilter"] += time.perf_counter() - started
        return ruled_out

    def facts_of(self, sources: Sequence[SourceFile], module_view: bool = False) -> List[FileFacts]:
        """Facts for each file, in order: from the cache, else parsed (in parallel when many).

        With `module_view`, the module-level view will do (facts/extract.py): what resolution reads of a
        module it passes through. Full facts serve too, when they are at hand."""
        result: List[Optional[FileFacts]] = []
        missing: List[Tuple[int, SourceFile, Optional[FileStamp]]] = []
        for index, source in enumerate(sources):
            stamp = self.stamp(source)
            if stamp is None:
                result.append(FileFacts(parse_error=_unreadable(source)))
                continue
            facts = self.known_facts.get(stamp.digest)
            if facts is not None and facts.module_view_only and not module_view:
                facts = None
            if facts is None:
                facts = (module_view and self.cache.get(stamp.digest, module_view=True)) or \
                    self.cache.get(stamp.digest)
            result.append(facts)
            if facts is None:
                missing.append((index, source, stamp))
            else:
                self._know(stamp.digest, facts)
                self._bytes.pop(source.relpath, None)
        if missing:
            self.files_parsed += len(missing)
            datas = [self._read(source) for _, source, _ in missing]
            started = time.perf_counter()
            extracted = self._extract([d if d is not None else b"" for d in datas], module_view)
            self.seconds["parsing"] += time.perf_counter() - started
            for (index, source, stamp), data, (facts, pickled) in zip(missing, datas, extracted):
                if data is None:
                    facts = FileFacts(parse_error=_unreadable(source))
                else:
                    # A file read again (its bytes were let go) may have changed since its stamp was taken:
                    # its facts are then those of what was read now, and cached under that content's hash.
                    digest = stamp.digest if source.relpath not in self._reread else content_digest(data)
                    self.cache.put(digest, facts, pickled)
                    self._know(digest, facts)
                self._bytes.pop(source.relpath, None)
                result[index] = facts
        return result  # type: ignore[return-value]

    def _know(self, digest: str, facts: FileFacts) -> None:
        known = self.known_facts.get(digest)
        if known is None or known.module_view_only:  # full facts are never replaced by the view
            self.known_facts[digest] = facts

    def _extract(self, datas: List[bytes], module_view: bool) -> List[Tuple[FileFacts, Optional[bytes]]]:
        """The facts of each file's bytes, and, when parsed in a worker, the pickle they came back as
        (the cache stores those bytes rather than pickle the facts a second time)."""
        if in_parallel(len(datas), self.jobs, PARALLEL_THRESHOLD):
            pickled = process_map(partial(_extract_pickled, module_view=module_view), datas, jobs=self.jobs,
                                  threshold=PARALLEL_THRESHOLD, chunks_per_job=8)
            return self._reporting(((pickle.loads(blob), blob) for blob in pickled), len(datas))
        extract = extract_module_view if module_view else extract_facts
        return self._reporting(((facts, None) for facts in map(extract, datas)), len(datas))

    def _reporting(self, results: Iterator[Tuple[FileFacts, Optional[bytes]]],
                   total: int) -> List[Tuple[FileFacts, Optional[bytes]]]:
        collected = []
        for facts in results:
            collected.append(facts)
            if self.progress is not None and (len(collected) % 25 == 0 or len(collected) == total):
                self.progress(len(collected), total)
        return collected


def _extract_pickled(data: bytes, module_view: bool) -> bytes:
    """In a worker: a file's facts, pickled once, both for the way back and for the cache."""
    facts = extract_module_view(data) if module_view else extract_facts(data)
    return pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)


def _unreadable(source: SourceFile) -> ParseError:
    try:
        source.path.read_bytes()
    except OSError as exc:
        return ParseError(f"cannot read: {exc.strerror or exc}", 1, 1)
    return ParseError("cannot read", 1, 1)


class OverlayReader(SourceReader):
    """Reads the given bytes in place of some files on disk: fixes that are not written yet."""

    def __init__(self, cache: FactsCache, overlay: Dict[str, bytes], jobs: Optional[int] = None,
                 progress: Optional[Callable[[int, int], None]] = None,
                 known_facts: Optional[Dict[str, FileFacts]] = None):
        super().__init__(cache, jobs, progress, known_facts)
        self.overlay = overlay

    def stamp(self, source: SourceFile) -> Optional[FileStamp]:
        data = self.overlay.get(source.relpath)
        if data is None:
            return super().stamp(source)
        return FileStamp(len(data), 0, content_digest(data))  # never in the manifest: no mtime vouches for it

    def _load(self, source: SourceFile) -> bytes:
        data = self.overlay.get(source.relpath)
        return data if data is not None else super()._load(source)

    def _ruled_out(self, sources: Sequence[SourceFile], tokens: Tokens) -> Set[str]:
        return super()._ruled_out([s for s in sources if s.relpath not in self.overlay], tokens)
