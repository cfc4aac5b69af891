"""The persistent cache of per-file facts, in `.ssot_lint_cache/` at the project root.

Facts depend only on a file's bytes, so an entry is keyed by the content hash
and by the version of the fact extractor (not by the configuration). A
manifest remembers each path's size, mtime and hash, so that a warm run does
not read files whose size and mtime vouch for them.

Every write goes to a temporary file first and is renamed into place, so two
runs at once, or a run interrupted, never leave a half-written entry; an entry
that cannot be read back is recomputed silently. A cache folder that cannot be
written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ssot_lint import __version__
from ssot_lint.atomic import write_atomically
from ssot_lint.files.discovery import Listing, SourceFile
from ssot_lint.facts.model import FileFacts

CACHE_DIRNAME = ".ssot_lint_cache"


def _extractor_version() -> str:
    """The tool and Python versions, and a hash of the fact extractors' source: a change to any of them
    invalidates the entries."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).parent.parent / "facts").glob("*.py")):
        digest.update(path.read_bytes())
    # The running Python's parser decides what parses: another Python may read a file differently.
    # "blob": entries are keyed by git's blob id of the content (see content_digest).
    return f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-blob-{digest.hexdigest()[:12]}"


EXTRACTOR_VERSION = _extractor_version()


@dataclass(frozen=True)
class FileStamp:
    size: int  # -1 when git vouched for the content (a clean tracked file): neither size nor mtime was read
    mtime_ns: int
    digest: str  # the content's git blob id (content_digest)


def _racy(stat: os.stat_result) -> bool:
    """Modified within the last two seconds: a later change in the same mtime tick would go unseen
    (git's "racily clean" problem), so such a stamp is not trusted later."""
    return stat.st_mtime_ns >= time.time_ns() - 2_000_000_000


def content_digest(data: bytes) -> str:
    """The id git gives the content as a blob (sha1 of `blob <size>\\0` and the bytes): in a checkout, git
    tells it for every clean tracked file without anyone reading the files (discovery.py), so a fresh
    clone with a restored cache reads nothing, and history (history.py) hashes no blob."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class SavedResult:
    """A whole run's answer as saved, and what it was an answer for."""

    key: str  # the settings, rules and code it was computed with (engine/run_cache.py)
    stamps: Dict[str, Tuple[int, int]]  # each file's (size, mtime_ns) then
    payload: Any
    listing: Optional[Listing]  # the discovery, which a later run may reuse while it still holds


class FactsCache:
    def __init__(self, root: Path, enabled: bool = True):
        self.folder = root / CACHE_DIRNAME
        self.enabled = enabled
        self._facts_dir = self.folder / "facts" / EXTRACTOR_VERSION
        self._manifest_path = self.folder / f"manifest-{EXTRACTOR_VERSION}.pickle"
        self._result_path = self.folder / "last-result.pickle"
        stamps, scans = self._load_manifest() if enabled else ({}, {})
        self.manifest: Dict[str, FileStamp] = stamps
        self.scans: Dict[str, Tuple[Set[str], Set[str]]] = scans  # token-set key -> (matched, scanned) digests
        self._manifest_changed = False

    # -- facts by content hash ------------------------------------------------------

    def get(self, digest: str, module_view: bool = False) -> Optional[FileFacts]:
        """The facts of content `digest` (with `module_view`: its module-level view, see facts/extract.py)."""
        if not self.enabled:
            return None
        try:
            with open(self._entry(digest, module_view), "rb") as handle:
                facts = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError,
                ValueError):
            return None  # missing or corrupt: recomputed
        return facts if isinstance(facts, FileFacts) and facts.module_view_only == module_view else None

    def get_any(self, digest: str) -> Optional[FileFacts]:
        """The full facts if cached, else the module-level view."""
        return self.get(digest) or self.get(digest, module_view=True)

    def put(self, digest: str, facts: FileFacts, pickled: Optional[bytes] = None) -> None:
        """Keep `facts` (`pickled`: the same, already pickled)."""
        if self.enabled:
            self._write(self._entry(digest, facts.module_view_only),
                        pickled if pickled is not None else pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))

    def _entry(self, digest: str, module_view: bool) -> Path:
        return self._facts_dir / digest[:2] / f"{digest}{'.view' if module_view else ''}.pickle"

    # -- the manifest of stamps -----------------------------------------------------

    def stamp_if_unchanged(self, relpath: str, stat: os.stat_result) -> Optional[FileStamp]:
        """The remembered stamp, if size and mtime say the file has not changed since."""
        stamp = self.manifest.get(relpath)
        if stamp is not None and stamp.size == stat.st_size and stamp.mtime_ns == stat.st_mtime_ns:
            return stamp
        return None

    def remember(self, relpath: str, stamp: FileStamp, stat: os.stat_result) -> None:
        if self.enabled and self.manifest.get(relpath) != stamp and not _racy(stat):
            self.manifest[relpath] = stamp
            self._manifest_changed = True

    def save(self) -> None:
        if self.enabled and self._manifest_changed:
            self._write(self._manifest_path, pickle.dumps((self.manifest, self.scans),
                                                          protocol=pickle.HIGHEST_PROTOCOL))
            self._manifest_changed = False

    def _load_manifest(self):
        try:
            with open(self._manifest_path, "rb") as handle:
                stamps, scans = pickle.load(handle)
        except Exception:  # noqa: BLE001 - any unreadable manifest is simply rebuilt
            return {}, {}
        if not isinstance(stamps, dict) or not isinstance(scans, dict):
            return {}, {}
        return stamps, scans

    # -- a whole run's answer ------------------------------------------------------------

    def load_result(self, key: str) -> Optional[SavedResult]:
        """The answer saved under `key`, with the size and mtime each file had then."""
        if not self.enabled:
            return None
        try:
            with open(self._result_path, "rb") as handle:
                saved = pickle.load(handle)
        except Exception:  # noqa: BLE001 - missing or corrupt: the run is simply done
            return None
        return saved if isinstance(saved, SavedResult) and saved.key == key else None

    @staticmethod
    def changed_since(stamps: Dict[str, Tuple[int, int]],
                      files: Sequence[SourceFile]) -> Optional[List[SourceFile]]:
        """The files whose size or mtime differ from `stamps`; None if files came or went."""
        if len(stamps) != len(files):
            return None
        changed = []
        for source in files:
            saved = stamps.get(source.relpath)
            if saved is None:
                return None
            try:
                stat = os.stat(source.absolute)
            except OSError:
                return None
            if saved != (stat.st_size, stat.st_mtime_ns):
                changed.append(source)
        return changed

    def save_result(self, key: str, files: Sequence[SourceFile], payload: Any,
                    listing: Optional[Listing] = None) -> None:
        """Save a run's answer under `key`, with the stamps of `files` and the discovery that found them."""
        if not self.enabled:
            return
        stamps = {}
        for source in files:
            try:
                stat = os.stat(source.absolute)
            except OSError:
                return
            if _racy(stat):
                return  # modified too recently for its mtime to vouch for it next time
            stamps[source.relpath] = (stat.st_size, stat.st_mtime_ns)
        saved = SavedResult(key, stamps, payload, listing)
        self._write(self._result_path, pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))

    # -- which contents matched a token set -------------------------------------------

    def known_match(self, tokens_key: str, digest: str) -> Optional[bool]:
        """Whether content `digest` matched the token set `tokens_key` in an earlier run, if known."""
        memo = self.scans.get(tokens_key)
        if memo is None or digest not in memo[1]:
            return None
        return digest in memo[0]

    def known_view(self, tokens_key: str, digest: str) -> Optional[bool]:
        """Whether the module-level view was found to hold all the rules could find in content `digest`,
        matched against the token set `tokens_key` (prefilter.Tokens.view_suffices), if known."""
        return self.known_match(f"view:{tokens_key}", digest)

    def remember_view(self, tokens_key: str, digest: str, suffices: bool) -> None:
        self.remember_scan(f"view:{tokens_key}", digest, suffices)

    def remember_scan(self, tokens_key: str, digest: str, matched: bool) -> None:
        if not self.enabled:
            return
        if tokens_key not in self.scans:
            while len(self.scans) >= 8:  # keep the memo of the last few token sets only (and their views)
                self.scans.pop(next(iter(self.scans)))
            self.scans[tokens_key] = (set(), set())
        hits, seen = self.scans[tokens_key]
        if digest not in seen or (digest in hits) != matched:
            seen.add(digest)
            (hits.add if matched else hits.discard)(digest)
            self._manifest_changed = True

    # -- writing --------------------------------------------------------------------

    def _write(self, path: Path, data: bytes) -> None:
        """Write atomically; give up quietly (and stop caching) if the folder is not writable."""
        try:
            self._ensure_folder()
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, data, mode=0o644, durable=False)
        except OSError:
            self.enabled = False  # read-only or full: run on without a cache

    def _ensure_folder(self) -> None:
        if not self.folder.is_dir():
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / ".gitignore").write_text("# Created by ssot-lint automatically.\n*\n", encoding="utf-8")
            (self.folder / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by "
                "ssot-lint.\n", encoding="utf-8")
