"""`ssot-lint server`: a language server over stdio (pygls), keeping the analysis resident.

Two threads share the work. pygls's event loop talks to the editor: it keeps the open documents,
answers hovers and code actions from the last diagnostics published, and asks for an analysis on every
open, change, save and watched-file event. The analysis thread (server_worker.py: debounced, one run at
a time, the changes made during a run coalesced into one more) runs the project (server_analysis.py: the
configuration, a `Workspace` given the open documents' texts, which finds exactly what `ssot-lint check`
would find in them) and hands the outcome back to the event loop, which publishes the diagnostics of the
documents not changed since (server_lsp.py makes them).

Memory stays that of one version of the project: the Workspace keeps the facts of the current contents
only, and the server the text and the last diagnostics of each open document, no history.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.exceptions import JsonRpcContentModified
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from ssot_lint import __version__
from ssot_lint.atomic import WRITE_LOCK
from ssot_lint.commands.server_check import CheckService
from ssot_lint.commands.server_analysis import DiskChanges, OpenDocument, Outcome, ProjectAnalysis
from ssot_lint.commands.server_lsp import encode_source, hover, overlaps, rules_by_code, text_edits
from ssot_lint.commands.server_worker import QUIET_PERIOD, AnalysisWorker
from ssot_lint.config import CONFIG_FILENAMES
from ssot_lint.facts.model import FileFacts
from ssot_lint.facts.source_text import decode_source
from ssot_lint.rule import Violation
from ssot_lint.rules import all_rules

logger = logging.getLogger(__name__)

FIX_ALL_KIND = "source.fixAll.ssot-lint"
FIX_ALL_TITLE = "Fix all safe ssot-lint violations in this file"
WATCHED = ("**/*.py", *(f"**/{name}" for name in CONFIG_FILENAMES))


@dataclass(frozen=True)
class Published:
    """The diagnostics last published for a document, and the violations they show (in the same order)."""

    version: int
    violations: Tuple[Violation, ...]
    diagnostics: Tuple[types.Diagnostic, ...]


class SsotLintServer(LanguageServer):
    def __init__(self, config_path: Optional[Path] = None, *, jobs: Optional[int] = None, use_cache: bool = True):
        super().__init__("ssot-lint", __version__)
        self.explicit_config = config_path.resolve() if config_path is not None else None
        self.jobs, self.use_cache = jobs, use_cache
        self.rules = rules_by_code(all_rules())
        # Shared by both threads, under the lock: what the editor has open, and whether to read the config again.
        self.lock = threading.Lock()
        self.documents: Dict[str, OpenDocument] = {}
        self.reload_config = True
        # What the client's file watcher reported since the last analysis (once it watches for us).
        self.disk = DiskChanges()
        # The event loop's: what was published, and the documents owed a publication even if nothing changed.
        self.published: Dict[str, Published] = {}
        self.owed: Set[str] = set()
        self.told: Set[str] = set()  # the internal errors shown (once each)
        # Set at initialisation.
        self.analysis: Optional[ProjectAnalysis] = None  # the analysis thread's
        self.encoding: str = types.PositionEncodingKind.Utf16
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.markdown = True
        self.resolves_edits = False
        self.versioned_edits = False
        self.worker = AnalysisWorker(self.analyse_and_publish)
        # `ssot-lint check` answered from the disk by an analysis of its own (server_check.py); it and the
        # editor's take turns. Not with --no-cache: the state file that makes it found is in the cache folder.
        self.analysis_lock = threading.Lock()
        self.checks = CheckService(self.analysis_lock, jobs=jobs, use_cache=use_cache,
                                   facts_from=self._editor_facts) if use_cache else None
        self.fixer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssot-lint fix")
        self._register()

    def _editor_facts(self) -> Mapping[str, FileFacts]:
        """(under the analysis lock) The facts the editor's analysis holds, for the check's to share."""
        workspace = self.analysis.workspace if self.analysis is not None else None
        return workspace.facts if workspace is not None else {}

    def _register(self) -> None:
        features = [
            (types.INITIALIZE, self.on_initialize, None),
            (types.INITIALIZED, self.on_initialized, None),
            (types.SHUTDOWN, self.on_shutdown, None),
            (types.EXIT, self.on_exit, None),
            (types.TEXT_DOCUMENT_DID_OPEN, self.did_open, None),
            (types.TEXT_DOCUMENT_DID_CHANGE, self.did_change, None),
            (types.TEXT_DOCUMENT_DID_SAVE, self.did_save, types.SaveOptions(include_text=False)),
            (types.TEXT_DOCUMENT_DID_CLOSE, self.did_close, None),
            (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, self.did_change_watched_files, None),
            (types.TEXT_DOCUMENT_HOVER, self.on_hover, None),
            (types.TEXT_DOCUMENT_CODE_ACTION, self.code_actions,
             types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
                                     resolve_provider=True)),
            (types.CODE_ACTION_RESOLVE, self.resolve_code_action, None),
        ]
        for name, method, options in features:
            self.feature(name, options)(_handler(method))

    # Life cycle.

    def on_initialize(self, params: types.InitializeParams) -> None:
        self.loop = asyncio.get_running_loop()
        folders = params.workspace_folders or []
        root = to_fs_path(folders[0].uri) if folders else \
            (to_fs_path(params.root_uri) if params.root_uri else params.root_path)
        capabilities = params.capabilities
        self.encoding = ServerCapabilitiesBuilder.choose_position_encoding(capabilities)
        self.analysis = ProjectAnalysis(self.explicit_config, Path(root).resolve() if root else None, self.encoding,
                                        jobs=self.jobs, use_cache=self.use_cache)
        document = capabilities.text_document
        hover_formats = document.hover.content_format if document and document.hover else None
        self.markdown = not hover_formats or types.MarkupKind.Markdown in hover_formats
        action = document.code_action if document else None
        resolvable = action.resolve_support.properties if action and action.resolve_support else []
        self.resolves_edits = "edit" in resolvable
        edits = capabilities.workspace.workspace_edit if capabilities.workspace else None
        self.versioned_edits = bool(edits and edits.document_changes)
        self.worker.start()

    async def on_initialized(self, params: types.InitializedParams) -> None:
        self.worker.request(0)  # read the project now: the first document opened is then answered at once
        workspace = self.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if not (watched and watched.dynamic_registration):
            return
        patterns = list(WATCHED)
        if self.explicit_config is not None and self.explicit_config.name not in CONFIG_FILENAMES:
            patterns.append(f"**/{self.explicit_config.name}")
        registration = types.Registration(
            id="ssot-lint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in patterns]))
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as error:  # the client refused: files changed on disk are still seen at the next analysis
            self._tell(types.MessageType.Info, f"ssot-lint: could not register file watchers: {error}")
            return
        with self.lock:  # from now on the watcher reports every change: an analysis looks only at those
            self.disk.watched = True
            self.disk.came_or_went = True  # (what changed before it watched is looked for once)

    def on_shutdown(self, params: Any = None) -> None:
        self.worker.stop()
        if self.checks is not None:
            self.checks.close()

    def on_exit(self, params: Any = None) -> None:
        """Exit at once (0 after a shutdown request, else 1, as LSP asks), letting a file being written finish,
        and taking no parsing worker along (they would wait for work forever)."""
        code = 0 if getattr(self.protocol, "_shutdown", False) else 1
        if self.checks is not None:
            self.checks.close()
        with WRITE_LOCK:
            multiprocessing = sys.modules.get("multiprocessing")
            for child in multiprocessing.active_children() if multiprocessing else ():
                child.terminate()
            sys.stderr.flush()
            os._exit(code)

    # Documents.

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        self._keep(item.uri, item.version, item.text)
        self.worker.request(0)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        document = self.workspace.get_text_document(params.text_document.uri)  # pygls applied the changes
        self._keep(document.uri, params.text_document.version, document.source)
        self.worker.request(QUIET_PERIOD)

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        self.owed.add(uri)
        if self._is_config(_path_of(uri)):
            with self.lock:
                self.reload_config = True
        self.worker.request(0)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        with self.lock:
            self.documents.pop(uri, None)
        self.owed.discard(uri)
        if self.published.pop(uri, None) is not None:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.worker.request(QUIET_PERIOD)  # its file is the disk's again, for the other documents

    def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        """Files changed outside the editor (a checkout, a formatter): the analysis looks at these again (once
        the watcher is ours, at these only), and reads the config again if it is one of them."""
        with self.lock:
            for change in params.changes:
                path = _path_of(change.uri)
                if self._is_config(path, any_name=True):
                    self.reload_config = True
                if change.type == types.FileChangeType.Changed and path is not None:
                    self.disk.changed.add(path)
                else:  # created or deleted: discovery must run again
                    self.disk.came_or_went = True
        self.worker.request(QUIET_PERIOD)

    def _keep(self, uri: str, version: int, text: str) -> None:
        with self.lock:
            self.documents[uri] = OpenDocument(uri, _path_of(uri), version, text)
        self.owed.add(uri)

    def _is_config(self, path: Optional[Path], any_name: bool = False) -> bool:
        """Is it the config file in use (or, `any_name`, any file named like one: a nearer one may appear)?"""
        if path is None:
            return False
        in_use = self.analysis.config_path if self.analysis is not None else None
        return path == in_use or (any_name and path.name in CONFIG_FILENAMES)

    # The analysis (in the analysis thread), and its outcome (in the event loop).

    def analyse_and_publish(self) -> None:
        with self.lock:
            documents = dict(self.documents)
            reload, self.reload_config = self.reload_config, False
            disk, self.disk = self.disk, DiskChanges(self.disk.watched)
        analysis = self.analysis
        if analysis is None:
            return
        try:
            with self.analysis_lock:
                outcome = analysis.run(documents, reload, disk)
        except Exception as error:  # noqa: BLE001 - a bug must not end the session: say it, and go on
            message = f"ssot-lint: internal error: {type(error).__name__}: {error} (please report it)"
            self._call_in_loop(self._tell, types.MessageType.Error, message, traceback.format_exc())
            return
        self._call_in_loop(self._publish, outcome)
        if self.checks is not None:  # check is served for the configuration the editor's analysis read
            self.checks.follow(analysis.config_path if analysis.workspace is not None else None)

    def _publish(self, outcome: Outcome) -> None:
        """Publish each document's diagnostics, unless it changed since the analysis read it (the analysis
        already asked for publishes it), or nothing changed and nothing is owed; and the config file's."""
        for uri, diagnostics in outcome.config:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, list(diagnostics)))
        for kind, message in outcome.notices:
            self._tell(kind, message)
        for uri, result in outcome.documents.items():
            document = self.documents.get(uri)
            if document is None or document.version != result.version:
                continue
            if result.violations is None:  # not (or no longer) a file of the project, or nothing was analysed
                self.owed.discard(uri)
                if self.published.pop(uri, None) is not None:
                    self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
                continue
            last = self.published.get(uri)
            if uri not in self.owed and last is not None and last.diagnostics == result.diagnostics:
                continue
            self.owed.discard(uri)
            self.published[uri] = Published(result.version, result.violations, result.diagnostics)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=list(result.diagnostics), version=result.version))

    def _tell(self, kind: types.MessageType, message: str, details: str = "") -> None:
        """A message in the client's log; a warning or an error is also shown (an internal error once)."""
        logger.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, "%s\n%s", message, details)
        self.window_log_message(types.LogMessageParams(type=kind, message=f"{message}\n{details}".rstrip()))
        if kind in (types.MessageType.Error, types.MessageType.Warning) and message not in self.told:
            if kind == types.MessageType.Error:
                self.told.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def _call_in_loop(self, function, *args) -> None:
        if self.loop is None:
            return
        try:
            self.loop.call_soon_threadsafe(function, *args)
        except RuntimeError:  # the loop is closed: the session is over
            pass

    # Answers (in the event loop).

    def _current(self, uri: str) -> Optional[Tuple[OpenDocument, Published]]:
        """The document and its diagnostics, if they are of its current version."""
        document, published = self.documents.get(uri), self.published.get(uri)
        if document is None or published is None or published.version != document.version:
            return None
        return document, published

    def on_hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        current = self._current(params.text_document.uri)
        if current is None:
            return None
        here = types.Range(params.position, params.position)
        pairs = [(v, d) for v, d in zip(current[1].violations, current[1].diagnostics) if overlaps(d.range, here)]
        if not pairs:
            return None
        return types.Hover(contents=hover([v for v, _ in pairs], self.rules, self.markdown), range=pairs[0][1].range)

    async def code_actions(self, params: types.CodeActionParams) -> Optional[List[types.CodeAction]]:
        uri = params.text_document.uri
        current = self._current(uri)
        if current is None:
            return None
        document, published = current
        only = params.context.only
        actions = []
        if _wanted(types.CodeActionKind.QuickFix, only):
            for violation, shown in zip(published.violations, published.diagnostics):
                fix = violation.fix
                if fix is None or not overlaps(shown.range, params.range):
                    continue
                actions.append(types.CodeAction(
                    title=f"ssot-lint ({violation.code}): {fix.message}{'' if fix.is_safe else ' (unsafe)'}",
                    kind=types.CodeActionKind.QuickFix, diagnostics=[shown], is_preferred=fix.is_safe,
                    data={"uri": uri, "version": document.version, "fingerprint": violation.fingerprint}))
        if _wanted(FIX_ALL_KIND, only) and any(v.fix is not None and v.fix.is_safe for v in published.violations):
            actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND,
                                            data={"uri": uri, "version": document.version, "all": True}))
        if not self.resolves_edits:  # the client cannot ask for the edits later: they are computed now
            actions = [a for a in [await self._with_edit(a) for a in actions] if a.edit is not None]
        return actions

    async def resolve_code_action(self, action: types.CodeAction) -> types.CodeAction:
        resolved = await self._with_edit(action)
        if resolved is None:
            raise JsonRpcContentModified("the document changed since the code action was offered; ask again")
        return resolved

    async def _with_edit(self, action: types.CodeAction) -> Optional[types.CodeAction]:
        """The action with its edit: the fix (or every safe fix of the file) applied to the document's text
        as `--fix` applies it. None if the document changed since the action was offered."""
        data = action.data if isinstance(action.data, dict) else {}
        current = self._current(str(data.get("uri", "")))
        if current is None or current[0].version != data.get("version"):
            return None
        document, published = current
        fixes = [v.fix for v in published.violations if v.fix is not None and
                 (v.fix.is_safe if data.get("all") else v.fingerprint == data.get("fingerprint"))]
        if not fixes:
            return None
        new_text = await asyncio.get_running_loop().run_in_executor(self.fixer, _fixed_text, document.text, fixes)
        if self._current(document.uri) is None or self.documents[document.uri].version != document.version:
            return None
        edits = text_edits(document.text, new_text, self.encoding)
        if not edits:
            return action
        if self.versioned_edits:
            edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version), edits)])
        else:
            edit = types.WorkspaceEdit(changes={document.uri: edits})
        return types.CodeAction(title=action.title, kind=action.kind, diagnostics=action.diagnostics,
                                is_preferred=action.is_preferred, edit=edit, data=action.data)


def _handler(method):
    """A function calling the method (pygls marks its handlers, and a bound method takes no attribute)."""
    if asyncio.iscoroutinefunction(method):
        async def handler(*args):
            return await method(*args)
    else:
        def handler(*args):
            return method(*args)
    return handler


def _fixed_text(text: str, fixes: List) -> str:
    from ssot_lint.fixes.apply import fix_source  # LibCST is imported when a first fix is asked for

    source = encode_source(text)
    fixed = fix_source(source, fixes)
    if fixed.source == source:
        return text
    new_text = decode_source(fixed.source)
    return "\ufeff" + new_text if text.startswith("\ufeff") and not new_text.startswith("\ufeff") else new_text


def _wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    """Does a client asking for the kinds `only` want a `kind` action? (Kinds are hierarchical.)"""
    return only is None or any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def _path_of(uri: str) -> Optional[Path]:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(path).resolve() if path else None


def serve(config_path: Optional[Path] = None, *, jobs: Optional[int] = None, use_cache: bool = True) -> None:
    """Run the server on stdin and stdout until the client says `exit` (or goes away)."""
    import multiprocessing

    # Parsing workers must not be forked from this process: its threads hold locks a child would wait on
    # forever (pygls's reader, blocked reading stdin, holds that stream's, and every multiprocessing child
    # closes stdin first). They are spawned (fresh interpreters, children of this process, as parallel.py's
    # orphan check wants): a start-up cost paid only by an analysis that parses many files.
    multiprocessing.set_start_method("spawn", force=True)
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print would corrupt the protocol: it goes to the log instead
    SsotLintServer(config_path, jobs=jobs, use_cache=use_cache).start_io(sys.stdin.buffer, protocol_out)
