"""Benchmark the resident analysis (`ssot-lint server`) against ruff's cold run, in one run.

What it measures, on the corpus and configurations of bench/run.py (the monorepo by default):

- ruff: ``ruff check --no-cache`` (TID251, the same shims banned), the yardstick of every ratio;
- the server's first diagnostics: from ``initialize`` to the first publication for the touched file;
- an edit to a checked file: a function appended to the touched file (open in the editor), from the
  ``didChange`` to the publication of that version's diagnostics;
- an edit to any other file: the same in the touched-elsewhere file (open too), a file that names
  nothing tracked but that resolution passes through;
- memory: the server's resident set after the first analysis and after N scripted edits (alternating
  the two files, each waited for), read from /proc.

The client is pygls's (the server's own library), speaking LSP over stdio with the capabilities of an
editor (dynamic file watchers, so the server runs watched). Rounds interleave with ruff's runs.

    .venv/bin/python bench/resident.py --rounds 5 --edits 1000
    .venv/bin/python bench/resident.py --corpus /tmp/corp/monorepo --configuration hot

Linux only (it reads /proc); Python 3.9+, with ssot-lint (and so pygls) installed next to this Python.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402 (bench/run.py: the corpus, its configurations and the tools' venv)

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

TIMEOUT = 600.0


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Editor:
    """An editor's side of a session: open documents, their versions, and the diagnostics published."""

    def __init__(self, corpus: Path):
        self.corpus = corpus
        self.client = LanguageClient("ssot-lint-bench", "0")
        self.versions: Dict[str, int] = {}
        self.texts: Dict[str, str] = {}
        self.published: Dict[str, int] = {}  # uri -> the last version published
        self.changed = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            if params.version is not None:
                self.published[params.uri] = params.version
            self.changed.set()

        @self.client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def on_register(params: types.RegistrationParams) -> None:
            return None

    def uri(self, relpath: str) -> str:
        return from_fs_path(str(self.corpus / relpath))

    async def start(self, config: str) -> None:
        await self.client.start_io(sys.executable, "-m", "ssot_lint", "server", "--config", config,
                                   cwd=str(self.corpus))
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)),
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)))
        folder = from_fs_path(str(self.corpus))
        await self.client.initialize_async(types.InitializeParams(
            process_id=os.getpid(), root_uri=folder, capabilities=capabilities,
            workspace_folders=[types.WorkspaceFolder(uri=folder, name=self.corpus.name)]))
        self.client.initialized(types.InitializedParams())

    def open(self, relpath: str) -> None:
        uri = self.uri(relpath)
        self.texts[uri], self.versions[uri] = (self.corpus / relpath).read_text("utf-8"), 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=self.texts[uri])))

    def append(self, relpath: str, text: str) -> int:
        uri = self.uri(relpath)
        self.versions[uri] += 1
        self.texts[uri] += text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangeWholeDocument(text=self.texts[uri])]))
        return self.versions[uri]

    async def published_version(self, relpath: str, version: int) -> None:
        uri = self.uri(relpath)
        while self.published.get(uri, 0) < version:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), TIMEOUT)

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def session(corpus: Path, configuration: bench.Configuration, edits_per_round: int,
                  memory_edits: int) -> Dict[str, object]:
    editor = Editor(corpus)
    started = time.perf_counter()
    await editor.start(configuration.ssot_config)
    touched, elsewhere = configuration.touched, configuration.touched_elsewhere
    editor.open(touched)
    editor.open(elsewhere)
    await editor.published_version(touched, 1)
    await editor.published_version(elsewhere, 1)
    first = time.perf_counter() - started
    pid = editor.client._server.pid
    after_first = rss_mb(pid)
    timings: Dict[str, List[float]] = {"checked": [], "elsewhere": []}
    counter = 0
    for _ in range(edits_per_round):
        for kind, relpath in (("checked", touched), ("elsewhere", elsewhere)):
            counter += 1
            begin = time.perf_counter()
            version = editor.append(relpath, f"\n\ndef _ssot_lint_resident_{counter}():\n    return {counter}\n")
            await editor.published_version(relpath, version)
            timings[kind].append(time.perf_counter() - begin)
    for index in range(memory_edits):
        counter += 1
        relpath = touched if index % 2 else elsewhere
        version = editor.append(relpath, f"\nx_{counter} = {counter}\n")
        await editor.published_version(relpath, version)
    after_edits = rss_mb(pid)
    await editor.stop()
    return {"first": first, "checked": timings["checked"], "elsewhere": timings["elsewhere"],
            "rss_after_first_mb": after_first, "rss_after_edits_mb": after_edits, "edits": counter}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(bench.SHAPES), default="monorepo")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--configuration", default=None, help="the key of one configuration (default: each)")
    parser.add_argument("--rounds", type=int, default=3, help="ruff runs and server sessions, interleaved")
    parser.add_argument("--edits", type=int, default=1000, help="scripted edits before memory is read")
    args = parser.parse_args()
    shape = bench.SHAPES[args.shape]
    corpus = (args.corpus or bench.BENCH_DIR / ".corpus" / shape.name).resolve()
    bench.ensure_corpus(shape, corpus)
    bench.write_configs(shape, corpus)  # (the configurations the three tools read)
    tools = bench.ensure_tools_venv()
    results = {}
    for configuration in shape.configurations:
        if args.configuration and configuration.key != args.configuration:
            continue
        ruff, sessions = [], []
        for number in range(args.rounds):
            ruff_case = (str(tools["ruff"]), "check", "--no-cache", "--exit-zero", "--config", configuration.ruff_config)
            ruff.append(bench.timed_run(ruff_case, corpus, dict(os.environ, NO_COLOR="1")).seconds)
            # the memory figure from the last session only: the others run a few edits
            outcome = asyncio.run(session(corpus, configuration, 3, args.edits if number == args.rounds - 1 else 0))
            sessions.append(outcome)
            bench.say(f"{configuration.key} round {number + 1}: ruff {ruff[-1]:.2f} s, first {outcome['first']:.2f} s,"
                      f" checked {statistics.median(outcome['checked']):.3f} s,"
                      f" elsewhere {statistics.median(outcome['elsewhere']):.3f} s")
        ruff_median = statistics.median(ruff)
        checked = statistics.median(t for s in sessions for t in s["checked"])
        elsewhere = statistics.median(t for s in sessions for t in s["elsewhere"])
        first = statistics.median(s["first"] for s in sessions)
        last = sessions[-1]
        results[configuration.key] = {
            "ruff_cold_s": ruff_median, "server_first_s": first, "edit_checked_s": checked,
            "edit_elsewhere_s": elsewhere, "edit_checked_ratio": checked / ruff_median,
            "edit_elsewhere_ratio": elsewhere / ruff_median, "rss_after_first_mb": last["rss_after_first_mb"],
            "rss_after_edits_mb": last["rss_after_edits_mb"], "edits": last["edits"],
        }
        bench.say(json.dumps(results[configuration.key], indent=2))
    (bench.BENCH_DIR / f"results-resident-{shape.name}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
