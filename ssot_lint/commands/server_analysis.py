"""The language server's project, in its analysis thread: the open documents in, what to publish out.

`ProjectAnalysis.run(documents, reload)` finds the configuration (as the command line does: `--config`,
else the nearest one at or above the workspace folder, else above the first open file), keeps one
`Workspace` for it (a new one only when the configuration read is a different one), gives it the open
documents' texts, analyses, and returns an `Outcome`: each open document's diagnostics for the version
it read, and the diagnostics of the config file when it is wrong, or when it no longer is. It sends
nothing itself: the event loop publishes the outcome (server.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

from lsprotocol import types
from pygls.uris import from_fs_path

from ssot_lint.commands.server_lsp import Related, config_diagnostics, diagnostic, encode_source, split_lines
from ssot_lint.config import ConfigError, find_config_file, load_config
from ssot_lint.engine.workspace import Workspace, WorkspaceResult
from ssot_lint.facts.source_text import decode_source
from ssot_lint.files.discovery import SourceFile
from ssot_lint.rule import Violation

NO_CONFIG = ("no [tool.ssot-lint] configuration found (pyproject.toml, ssot-lint.toml or .ssot-lint.toml) in the "
             "workspace folder or above the open files: nothing to lint")


@dataclass(frozen=True)
class OpenDocument:
    uri: str
    path: Optional[Path]  # resolved; None for a document that is no file
    version: int
    text: str


@dataclass(frozen=True)
class DocumentResult:
    version: int  # of the text analysed
    violations: Optional[Tuple[Violation, ...]]  # None: not a file of the project (or nothing was analysed)
    diagnostics: Tuple[types.Diagnostic, ...] = ()  # one per violation, in the same order


@dataclass
class Outcome:
    documents: Dict[str, DocumentResult]  # by uri: every open document
    config: List[Tuple[str, Tuple[types.Diagnostic, ...]]] = field(default_factory=list)  # (uri, to publish)
    notices: List[Tuple[types.MessageType, str]] = field(default_factory=list)  # for the user, new ones only


@dataclass
class DiskChanges:
    """What the client's file watcher reported since the last analysis. Once `watched` (the watcher is
    registered), it reports every change, and an analysis looks again only at what it reported."""

    watched: bool = False
    changed: Set[Path] = field(default_factory=set)
    came_or_went: bool = False  # files created or deleted


class ProjectAnalysis:
    """What the analysis thread keeps between runs: the Workspace, what it was given, what was shown."""

    def __init__(self, explicit_config: Optional[Path], root: Optional[Path], encoding: str, *,
                 jobs: Optional[int] = None, use_cache: bool = True):
        self.explicit_config = explicit_config
        self.root = root
        self.encoding = encoding
        self.jobs, self.use_cache = jobs, use_cache
        self.workspace: Optional[Workspace] = None
        self.buffers: Dict[str, Tuple[str, int]] = {}  # relpath -> (uri, version) given to the Workspace
        self.config_shown: Optional[Tuple[str, Tuple[types.Diagnostic, ...]]] = None  # (uri, diagnostics)
        self.last_notice = ""

    @property
    def config_path(self) -> Optional[Path]:
        workspace = self.workspace
        return self.explicit_config or (workspace.config.path if workspace is not None else None)

    def run(self, documents: Mapping[str, OpenDocument], reload: bool, disk: Optional[DiskChanges] = None) -> Outcome:
        outcome = Outcome({uri: DocumentResult(d.version, None) for uri, d in documents.items()})
        workspace = self._workspace(documents, reload, outcome)
        if workspace is None:
            return outcome
        disk = disk or DiskChanges()
        if disk.watched and not workspace.watched:
            workspace.start_watching()
        workspace.disk_changed(r for r in (relative(path, workspace.config.root) for path in disk.changed) if r)
        if disk.came_or_went:
            workspace.files_came_or_went()
        wanted = self._give_buffers(workspace, documents)
        try:
            result = workspace.analyse()
        except ConfigError as error:  # the configuration no longer matches the code (a canonical is gone)
            self._show_config_error(workspace.config.path, error.problems, outcome)
            return outcome
        self._show_config_error(None, (), outcome)
        outcome.documents.update(self._diagnostics(workspace, result, wanted))
        return outcome

    def _workspace(self, documents: Mapping[str, OpenDocument], reload: bool, outcome: Outcome) -> Optional[Workspace]:
        """The project, its configuration read again if asked or if it was wrong."""
        if self.workspace is not None and not reload:
            return self.workspace
        path = self.explicit_config or self._find_config(documents)
        if path is None:
            self.workspace = None
            self._show_config_error(None, (), outcome)
            self._notice(types.MessageType.Info, f"ssot-lint: {NO_CONFIG}", outcome)
            return None
        try:
            config = load_config(path)
            if self.workspace is None or self.workspace.config != config:
                self.workspace = None
                self.workspace = Workspace(config, jobs=self.jobs, use_cache=self.use_cache)
                self.buffers = {}
        except ConfigError as error:
            self.workspace = None
            self._show_config_error(path, error.problems, outcome)
            return None
        return self.workspace

    def _find_config(self, documents: Mapping[str, OpenDocument]) -> Optional[Path]:
        starts = [self.root] if self.root is not None else []
        starts += [document.path for document in documents.values() if document.path is not None]
        for start in starts:
            found = find_config_file(start)
            if found is not None:
                return found.resolve()
        return None

    def _give_buffers(self, workspace: Workspace, documents: Mapping[str, OpenDocument]) -> Dict[str, OpenDocument]:
        """Give the Workspace the open documents of its project (the other files are the disk's); returns them
        by the path the analysis names them by. A buffer is encoded again only when its version changed."""
        wanted = {}
        for document in documents.values():
            relpath = relative(document.path, workspace.config.root)
            if relpath is not None and relpath.endswith(".py"):
                wanted[relpath] = document
        for relpath in [r for r in self.buffers if r not in wanted]:
            workspace.set_buffer(relpath, None)
            del self.buffers[relpath]
        for relpath, document in wanted.items():
            if self.buffers.get(relpath) != (document.uri, document.version):
                workspace.set_buffer(relpath, encode_source(document.text))
                self.buffers[relpath] = (document.uri, document.version)
        return wanted

    def _diagnostics(self, workspace: Workspace, result: WorkspaceResult,
                     wanted: Dict[str, OpenDocument]) -> Dict[str, DocumentResult]:
        """Each open document that is a file of the project: its violations and their diagnostics."""
        by_path: Dict[str, List[Violation]] = {}
        for violation in result.violations:
            by_path.setdefault(violation.path, []).append(violation)
        in_project = {source.relpath for source in result.files}
        texts: Dict[str, Optional[str]] = {}

        def read(source: SourceFile) -> Optional[str]:
            if source.relpath not in texts:
                document = wanted.get(source.relpath)
                try:
                    texts[source.relpath] = document.text if document is not None else \
                        decode_source(Path(source.absolute).read_bytes())
                except OSError:
                    texts[source.relpath] = None
            return texts[source.relpath]

        def uri_of(source: SourceFile) -> str:
            document = wanted.get(source.relpath)
            return document.uri if document is not None else from_fs_path(source.absolute)

        related = Related.of(workspace.config, result.files, read)
        found = {}
        for relpath, document in wanted.items():
            if relpath in in_project:
                violations = tuple(by_path.get(relpath, ()))
                lines = split_lines(document.text)
                found[document.uri] = DocumentResult(document.version, violations, tuple(
                    diagnostic(v, lines, self.encoding, related, uri_of) for v in violations))
        return found

    def _show_config_error(self, path: Optional[Path], problems: Sequence[str], outcome: Outcome) -> None:
        """Show the problems on the config file (none: clear what was shown), if that changes what is shown."""
        shown = None
        if path is not None and problems:
            try:
                text: Optional[str] = path.read_bytes().decode("utf-8", "replace")
            except OSError:
                text = None
            shown = (from_fs_path(str(path)), tuple(config_diagnostics(problems, path, text, self.encoding)))
        if shown == self.config_shown:
            return
        if self.config_shown is not None and (shown is None or shown[0] != self.config_shown[0]):
            outcome.config.append((self.config_shown[0], ()))
        self.config_shown = shown
        if shown is not None:
            outcome.config.append(shown)
            count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            self._notice(types.MessageType.Warning, f"ssot-lint: the configuration has {count}; see {path}", outcome)
        else:
            self.last_notice = ""

    def _notice(self, kind: types.MessageType, message: str, outcome: Outcome) -> None:
        if message != self.last_notice:
            self.last_notice = message
            outcome.notices.append((kind, message))


def relative(path: Optional[Path], root: Path) -> Optional[str]:
    """A file's path as the analysis names it: relative to the project root, or absolute outside it (a `src`
    folder beside the config's, as discovery names it)."""
    if path is None:
        return None
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
