"""When an earlier analysis still stands: what it read of each file, and whether a change touches that.

The rules read all of a checked file's facts; of a file that resolution only
passed through, the analysis reads its import structure and the names looked up
in it (`graph.ModuleInfo` keeps the log). If the same files exist, the prefilter
lets the same files through in the same rounds, and every changed file is unchanged where it was
read, a new analysis would read exactly the same and find exactly the same.
`check` then keeps its last answer, and `report --history` the previous commit's
figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, Optional, Tuple

from ssot_lint.analysis.graph import ImportStructure, ModuleInfo, module_namespace
from ssot_lint.analysis.project import Project
from ssot_lint.engine.prefilter import PrefilterRun
from ssot_lint.facts.model import FileFacts
from ssot_lint.files.discovery import SourceFile
from ssot_lint.files.tokens import Tokens


@dataclass(frozen=True)
class FileRead:
    """What an analysis read of one file's facts: all of them, or its import structure and some names."""

    in_full: bool
    names: FrozenSet[str] = frozenset()  # the module-level names looked up in it
    on_view: bool = False  # a checked file whose module-level view was all the rules needed (graph.ModuleInfo)

    @staticmethod
    def of(info: ModuleInfo) -> "FileRead":
        return FileRead(info.read.whole, frozenset(info.read.names))

    def sees_no_change(self, before: FileFacts, after: FileFacts) -> bool:
        """Would the analysis read the same of `after` as it read of `before`? (Of a file read on its view,
        the caller also asks whether the view is still enough.)"""
        if self.on_view:
            return before == after and before.module_view_only
        if self.in_full or before.parse_error is not None or after.parse_error is not None:
            return before == after and not before.module_view_only
        if ImportStructure.of(before) != ImportStructure.of(after):
            return False
        old, new = module_namespace(before), module_namespace(after)
        return all(old.get(name) == new.get(name) for name in self.names)


@dataclass(frozen=True)
class AnalysisRecord:
    """What one analysis depended on, beyond the list of files."""

    reads: Dict[str, FileRead]  # by path, every file whose facts it loaded (the others matched no token)
    digests: Dict[str, str]  # the content hash of each of those files
    # The prefilter's rounds: the token set each matched files against, and the round that let each checked
    # file through. The round decides the order in which files are analysed, and a resolution that meets a
    # cycle depends on that order; round 0 (the configured names) also decides SSOT000.
    token_rounds: Tuple[Tokens, ...]
    round_of: Dict[str, int]

    @staticmethod
    def of(project: Project, prefilter: Optional[PrefilterRun]) -> Optional["AnalysisRecord"]:
        """The record of a finished analysis (None without the prefilter: then every file counts)."""
        if prefilter is None:
            return None
        graph = project.graph
        reads = {info.file.relpath: FileRead.of(info) for info in graph.modules.values()}
        # The rules read all of a checked module; a file that does not parse is all error.
        reads.update({relpath: FileRead(True, on_view=info.view_enough) for relpath, info in graph.checked.items()})
        reads.update({relpath: FileRead(True) for relpath in graph.unparsed})
        sources = {info.file.relpath: info.file for info in [*graph.modules.values(), *graph.checked.values()]}
        sources.update({relpath: source for relpath, (source, _) in graph.unparsed.items()})
        digests = {}
        for relpath, source in sources.items():
            stamp = project.reader.stamp(source)
            if stamp is not None:
                digests[relpath] = stamp.digest
        rounds = tuple(t.strip() for t in prefilter.rounds)
        return AnalysisRecord(reads, digests, rounds, dict(prefilter.round_of))

    def still_stands(self, changed: Iterable[SourceFile], reader,
                     facts_before: Callable[[str], Optional[FileFacts]]) -> bool:
        """Would an analysis with these files changed (the same files existing) read exactly the same?

        `reader` reads the files as they are now; `facts_before(relpath)` gives the facts a file had when
        it was last compared (at the analysis, or since: what was read of it is the same)."""
        for source in changed:
            stamp = reader.stamp(source)
            if stamp is None:
                return False
            if stamp.digest == self.digests.get(source.relpath):
                continue  # rewritten with the same content
            if self._round(source, reader) != self.round_of.get(source.relpath):
                return False  # the prefilter would let it through in another round, or not at all
            read = self.reads.get(source.relpath)
            if read is not None:
                if source.relpath not in self.digests:
                    return False  # it could not be read then
                if read.on_view and not self._view_still_enough(source, reader):
                    return False
                before = facts_before(source.relpath)
                now = reader.facts_of([source], module_view=read.on_view or not read.in_full)[0]
                if before is None or not read.sees_no_change(before, now):
                    return False
        return True

    def _view_still_enough(self, source: SourceFile, reader) -> bool:
        """Would a file checked on its view be checked on its view again: its view enough for the tokens of its
        round, and no later round's tokens named (see prefilter.check_matching)? (Asked right after `_round`,
        while its bytes are at hand.)"""
        round_ = self.round_of[source.relpath]
        return reader.view_suffices(source, self.token_rounds[round_]) and \
            not any(reader.matches(source, tokens) for tokens in self.token_rounds[round_ + 1:])

    def _round(self, source: SourceFile, reader) -> Optional[int]:
        """The round of the prefilter that would let the file through as it is now (None: no round would)."""
        return next((index for index, tokens in enumerate(self.token_rounds) if reader.matches(source, tokens)),
                    None)
