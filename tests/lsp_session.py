"""Driving a real `ssot-lint server` process over stdio with pygls's own LSP client, from plain tests.

`run(root, scenario)` starts the server in `root`, initialises it as an editor would, runs
`await scenario(session)`, then shuts the server down (and kills it if it will not go). A `Session`
opens, edits, saves and closes documents the way an editor does, keeps every publishDiagnostics it
receives, and waits for one matching a condition: never for a fixed time (the machine may be loaded, so
the waits are long, and end as soon as the notification comes).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Awaitable, Callable, Dict, List, Optional, Sequence

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path, to_fs_path

TIMEOUT = 180.0  # seconds to wait for a notification or an answer: generous, for a loaded machine


def capabilities(*, watch: bool = True, resolve: bool = True, versioned: bool = True,
                 encoding: Optional[str] = None) -> types.ClientCapabilities:
    """What an editor such as VS Code says it can do (the parts the server reads)."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[encoding]) if encoding else None,
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=watch),
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=versioned)),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True,
                                                                           version_support=True),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            code_action=types.CodeActionClientCapabilities(
                data_support=True, is_preferred_support=True,
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]) if resolve else None,
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]))),
        ),
    )


class Session:
    def __init__(self, root: Path, client: LanguageClient):
        self.root = root
        self.client = client
        self.published: Dict[str, List[types.PublishDiagnosticsParams]] = defaultdict(list)
        self.registrations: List[types.Registration] = []
        self.messages: List[str] = []
        self.stderr = bytearray()
        self.initialize_result: Optional[types.InitializeResult] = None
        self.texts: Dict[str, str] = {}
        self.versions: Dict[str, int] = {}
        self._event = asyncio.Event()

    def uri(self, relpath: str) -> str:
        return from_fs_path(str(self.root / relpath))

    # What an editor sends.

    def open(self, relpath: str, text: Optional[str] = None) -> str:
        uri = self.uri(relpath)
        text = (self.root / relpath).read_text(encoding="utf-8") if text is None else text
        self.texts[uri], self.versions[uri] = text, 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        return uri

    def change(self, relpath: str, text: str) -> int:
        """The whole new text, as one change; returns the new version."""
        uri = self.uri(relpath)
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))
        return self.versions[uri]

    def change_range(self, relpath: str, edit: types.TextEdit) -> int:
        """An incremental change, as editors send them while typing."""
        uri = self.uri(relpath)
        self.versions[uri] += 1
        self.texts[uri] = apply_edits(self.texts[uri], [edit])
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)]))
        return self.versions[uri]

    def save(self, relpath: str) -> None:
        """Write the editor's text to disk, then say so."""
        uri = self.uri(relpath)
        (self.root / relpath).write_text(self.texts[uri], encoding="utf-8")
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))

    def close(self, relpath: str) -> None:
        uri = self.uri(relpath)
        self.texts.pop(uri)
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))

    def watched(self, *changes: "tuple[str, types.FileChangeType]") -> None:
        self.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri=self.uri(relpath), type=kind) for relpath, kind in changes]))

    async def code_actions(self, relpath: str, range_: types.Range,
                           only: Optional[Sequence[str]] = None) -> List[types.CodeAction]:
        uri = self.uri(relpath)
        diagnostics = self.latest(relpath)
        result = await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri=uri), range_,
            types.CodeActionContext(diagnostics=diagnostics, only=list(only) if only is not None else None))),
            TIMEOUT)
        return [action for action in result or [] if isinstance(action, types.CodeAction)]

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        return await asyncio.wait_for(self.client.code_action_resolve_async(action), TIMEOUT)

    async def hover(self, relpath: str, line: int, character: int) -> Optional[types.Hover]:
        return await asyncio.wait_for(self.client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri=self.uri(relpath)), types.Position(line, character))), TIMEOUT)

    def apply(self, edit: types.WorkspaceEdit) -> Dict[str, int]:
        """Apply a workspace edit to the open documents, as the editor would (each a didChange); refuses an
        edit made for another version of a document."""
        per_uri: Dict[str, List[types.TextEdit]] = {}
        for change in edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit)
            assert change.text_document.version == self.versions[change.text_document.uri], "an edit of an old version"
            per_uri.setdefault(change.text_document.uri, []).extend(change.edits)
        for uri, edits in (edit.changes or {}).items():
            per_uri.setdefault(uri, []).extend(edits)
        versions = {}
        for uri, edits in per_uri.items():
            relpath = Path(self._path(uri)).relative_to(self.root).as_posix()
            versions[relpath] = self.change(relpath, apply_edits(self.texts[uri], edits))
        return versions

    def _path(self, uri: str) -> str:
        return to_fs_path(uri)

    # What the server sends.

    def latest(self, relpath: str) -> List[types.Diagnostic]:
        received = self.published.get(self.uri(relpath))
        return list(received[-1].diagnostics) if received else []

    async def diagnostics(self, relpath: str, condition: Callable[[List[types.Diagnostic]], bool] = lambda d: True,
                          version: Optional[int] = None, after: int = 0) -> List[types.Diagnostic]:
        """The first diagnostics published for the document (after the first `after` ones), for `version` if
        given, that satisfy `condition`."""
        uri = self.uri(relpath)

        def found() -> Optional[List[types.Diagnostic]]:
            for params in self.published.get(uri, [])[after:]:
                if (version is None or params.version in (None, version)) and condition(list(params.diagnostics)):
                    return list(params.diagnostics)
            return None

        return await self.wait_for(found, f"diagnostics for {relpath} (version {version})")

    async def wait_for(self, found: Callable[[], Optional[object]], what: str):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while True:
            result = found()
            if result is not None:
                return result
            self._event.clear()  # (nothing runs between the check and here: one event loop)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no {what} within {TIMEOUT} s; received: {dict(self.published)}; "
                                     f"server stderr: {self.stderr.decode(errors='replace')[-3000:]}")
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def registered(self) -> List[types.Registration]:
        return await self.wait_for(lambda: self.registrations or None, "client/registerCapability")

    def count(self, relpath: str) -> int:
        return len(self.published.get(self.uri(relpath), []))

    def _received(self) -> None:
        self._event.set()


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Text edits (UTF-16 positions, LSP's default) applied to a text: every position is read in the
    original text, then the edits are made from the last to the first."""
    starts = [0, *(match.end() for match in re.finditer(r"\r\n|\r|\n", text))]

    def offset(position: types.Position) -> int:
        if position.line >= len(starts):
            return len(text)
        line_end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
        line = text[starts[position.line]:line_end].rstrip("\r\n")
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return starts[position.line] + index
            units += 2 if ord(char) > 0xFFFF else 1
        return starts[position.line] + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


async def session(root: Path, scenario: Callable[[Session], Awaitable[None]], *args: str,
                  client_capabilities: Optional[types.ClientCapabilities] = None) -> Session:
    client = LanguageClient("ssot-lint-tests", "0")
    result = Session(root, client)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        result.published[params.uri].append(params)
        result._received()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        result.registrations.extend(params.registrations)
        result._received()

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def on_show(params: types.ShowMessageParams) -> None:
        result.messages.append(params.message)
        result._received()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        result.messages.append(params.message)
        result._received()

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    await client.start_io(sys.executable, "-m", "ssot_lint", "server", *args, cwd=str(root), env=env)
    drain = asyncio.create_task(_drain(client._server.stderr, result.stderr))  # a full pipe would block the server
    folder = root
    try:
        result.initialize_result = await asyncio.wait_for(client.initialize_async(types.InitializeParams(
            process_id=os.getpid(), root_uri=from_fs_path(str(folder)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(folder)), name=folder.name)],
            capabilities=client_capabilities or capabilities())), TIMEOUT)
        client.initialized(types.InitializedParams())
        await scenario(result)
        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        client.exit(None)
        await asyncio.wait_for(client._server.wait(), TIMEOUT)
        assert client._server.returncode == 0, result.stderr.decode(errors="replace")
    finally:
        if client._server.returncode is None:  # the scenario failed: end it without waiting on the server
            client._server.kill()
            await client._server.wait()
            for task in [*client._async_tasks, drain]:  # (a child of the server may hold its pipes open)
                task.cancel()
        else:
            await asyncio.wait_for(client.stop(), TIMEOUT)
            await drain
    return result


async def _drain(stream, into: bytearray) -> None:
    while True:
        chunk = await stream.read(65536)
        if not chunk:
            return
        into.extend(chunk)


def run(root: Path, scenario: Callable[[Session], Awaitable[None]], *args: str, **options) -> Session:
    """Run `scenario` against a server started in `root`; returns the session (what it received)."""
    return asyncio.run(session(root, scenario, *args, **options))
