"""`ssot-lint server`: a real server process driven over stdio by pygls's LSP client (lsp_session.py).

Each test starts a server on a tree in tmp_path (a copy of fixtures_repo, or a small generated
project), acts as an editor would, and waits for the notifications it expects: never for a fixed time,
and nothing here measures one. The analysis thread's scheduling (debounce, coalescing) and the memory a
long session keeps are tested in-process at the end.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from lsprotocol import types

from helpers import CANONICAL_IMPORT, FIXTURES_REPO, SHIM_IMPORT, SHIM_PYPROJECT, ssot, write_tree
from lsp_session import capabilities, run
from ssot_lint.rule import EXAMPLE_FILES

SERVICE = "app/service.py"
FIX_ALL = "source.fixAll.ssot-lint"


def tree(root: Path, files: dict) -> Path:
    write_tree(root, {**EXAMPLE_FILES, "pyproject.toml": SHIM_PYPROJECT, **files})
    return root


def codes(diagnostics) -> list:
    return [d.code for d in diagnostics]


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_json(root: Path, *paths: str) -> list:
    """What `check` finds, in its own process (not asking the server under test)."""
    result = ssot(root, "check", "--output-format", "json", "--exit-zero", "--no-server", *paths)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# Start-up.

def test_it_initialises_and_asks_the_client_to_watch_the_python_and_config_files(tmp_path):
    tree(tmp_path, {SERVICE: CANONICAL_IMPORT})

    async def scenario(session):
        registrations = await session.registered()
        assert [r.method for r in registrations] == ["workspace/didChangeWatchedFiles"]
        patterns = [w["globPattern"] for w in registrations[0].register_options["watchers"]]
        assert {"**/*.py", "**/pyproject.toml", "**/ssot-lint.toml", "**/.ssot-lint.toml"} <= set(patterns)

    session = run(tmp_path, scenario, "--stdio")  # (what some clients add: accepted)
    server = session.initialize_result.capabilities
    assert session.initialize_result.server_info.name == "ssot-lint"
    assert server.hover_provider
    assert server.code_action_provider.resolve_provider
    assert set(server.code_action_provider.code_action_kinds) == {"quickfix", FIX_ALL}
    assert server.position_encoding == "utf-16"


def test_without_watchers_a_change_on_disk_is_seen_at_the_next_analysis(tmp_path):
    tree(tmp_path, {"app/middle.py": "from app.factory import EngineFactory\n",
                    SERVICE: "from app.middle import EngineFactory\n"})

    async def scenario(session):
        session.open(SERVICE)
        assert "SSOT002" in codes(await session.diagnostics(SERVICE, version=1))
        (tmp_path / "app/middle.py").unlink()  # no notification comes: the next edit's analysis sees it
        version = session.change(SERVICE, "\n" + session.texts[session.uri(SERVICE)])
        assert "SSOT009" in codes(await session.diagnostics(SERVICE, version=version))

    assert run(tmp_path, scenario, client_capabilities=capabilities(watch=False)).registrations == []


# Diagnostics.

def test_every_open_file_of_fixtures_repo_gets_what_check_reports_on_it(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES_REPO, root, ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    expected = {}
    for v in check_json(root):
        expected.setdefault(v["filename"], []).append(
            (v["code"], v["location"]["row"] - 1, v["location"]["column"] - 1, v["end_location"]["row"] - 1,
             v["end_location"]["column"] - 1, v["message"], v["severity"]))
    clean = "netra_backend/app/agents/supervisor/user_execution_engine.py"
    assert len(expected) > 30 and clean not in expected and (root / clean).is_file()
    severities = {types.DiagnosticSeverity.Error: "error", types.DiagnosticSeverity.Warning: "warning"}

    async def scenario(session):
        for relpath in [*expected, clean]:
            session.open(relpath)
        for relpath, wanted in expected.items():
            got = await session.diagnostics(relpath, version=1)
            assert [(d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character,
                     d.message, severities[d.severity]) for d in got] == wanted, relpath
            assert all(d.source == "ssot-lint" for d in got)
            for d in got:
                for info in d.related_information or ():
                    assert info.location.uri.startswith("file://") and info.location.uri != session.uri(relpath)
        assert await session.diagnostics(clean, version=1) == []

    run(root, scenario)


def test_parsing_in_worker_processes_does_not_hang_the_server(tmp_path):
    """Workers forked from the server would inherit the lock of stdin that pygls's reader holds while it
    waits, and wait for it forever: they are spawned instead. fixtures_repo is enough files to parse in
    parallel, and the client waits (so the reader blocks) while the server parses it."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES_REPO, root, ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    relpath = "netra_backend/app/services/agent_service.py"

    async def scenario(session):
        session.open(relpath)
        assert codes(await session.diagnostics(relpath, version=1)) == [v["code"] for v in check_json(root, relpath)]

    run(root, scenario, "--jobs", "2", "--no-cache")


def test_related_information_points_at_the_shim_and_the_canonical_definition(tmp_path):
    tree(tmp_path, {SERVICE: SHIM_IMPORT})

    async def scenario(session):
        session.open(SERVICE)
        [found] = await session.diagnostics(SERVICE, bool)
        related = {info.message: info.location for info in found.related_information}
        shim = related["declared shim: app.legacy"]
        canonical = related["the canonical definition: app.factory:EngineFactory"]
        assert shim.uri == session.uri("app/legacy.py")
        assert (shim.range.start.line, shim.range.start.character) == (0, len("from app.factory import "))
        assert canonical.uri == session.uri("app/factory.py")
        assert (canonical.range.start.line, canonical.range.start.character) == (3, len("class "))
        assert found.data["fix"] == {"applicability": "safe", "message": "import EngineFactory from app.factory"}

    run(tmp_path, scenario)


def test_editing_into_and_out_of_a_violation(tmp_path):
    tree(tmp_path, {SERVICE: CANONICAL_IMPORT})

    async def scenario(session):
        session.open(SERVICE)
        assert await session.diagnostics(SERVICE, version=1) == []
        version = session.change(SERVICE, SHIM_IMPORT)
        [found] = await session.diagnostics(SERVICE, version=version)
        assert (found.code, found.range.start.line, found.range.start.character) == \
            ("SSOT002", 0, len("from app.legacy import "))
        version = session.change(SERVICE, CANONICAL_IMPORT)
        assert await session.diagnostics(SERVICE, version=version) == []
        # An incremental change, as editors send while typing: `factory` -> `legacy` in place.
        start = len("from app.")
        version = session.change_range(SERVICE, types.TextEdit(
            types.Range(types.Position(0, start), types.Position(0, start + len("factory"))), "legacy"))
        assert codes(await session.diagnostics(SERVICE, version=version)) == ["SSOT002"]
        assert (tmp_path / SERVICE).read_text() == CANONICAL_IMPORT  # nothing written

    run(tmp_path, scenario)


def test_an_unsaved_edit_to_one_file_changes_another_files_diagnostics_and_closing_it_unsaved_reverts(tmp_path):
    tree(tmp_path, {"app/middle.py": "from app.other import EngineFactory\n",
                    "app/other.py": "class EngineFactory:\n    pass\n",  # a second implementation (SSOT001)
                    SERVICE: "from app.middle import EngineFactory\n"})

    async def scenario(session):
        session.open(SERVICE)
        assert "SSOT002" not in codes(await session.diagnostics(SERVICE, version=1))
        session.open("app/middle.py")
        await session.diagnostics("app/middle.py", version=1)
        seen = session.count(SERVICE)
        session.change("app/middle.py", "from app.factory import EngineFactory\n")  # now a re-export of the canonical
        assert "SSOT002" in codes(await session.diagnostics(SERVICE, lambda d: "SSOT002" in codes(d), after=seen))
        seen = session.count(SERVICE)
        session.close("app/middle.py")  # never saved: the disk's text counts again
        assert "SSOT002" not in codes(await session.diagnostics(SERVICE, lambda d: "SSOT002" not in codes(d),
                                                                after=seen))

    run(tmp_path, scenario)


def test_saving_publishes_and_closing_clears(tmp_path):
    tree(tmp_path, {SERVICE: CANONICAL_IMPORT})

    async def scenario(session):
        session.open(SERVICE)
        await session.diagnostics(SERVICE, version=1)
        version = session.change(SERVICE, SHIM_IMPORT)
        assert codes(await session.diagnostics(SERVICE, version=version)) == ["SSOT002"]
        seen = session.count(SERVICE)
        session.save(SERVICE)
        assert codes(await session.diagnostics(SERVICE, after=seen)) == ["SSOT002"]
        assert check_json(tmp_path, SERVICE)[0]["code"] == "SSOT002"  # the disk now says what the buffer said
        seen = session.count(SERVICE)
        session.close(SERVICE)
        assert await session.diagnostics(SERVICE, after=seen) == []

    run(tmp_path, scenario)


@pytest.mark.parametrize("encoding", [None, "utf-8", "utf-32"])
def test_positions_count_the_code_units_of_the_agreed_encoding_on_non_ascii_lines(tmp_path, encoding):
    before = 'x = "é𝄞"; from app.legacy import '
    tree(tmp_path, {SERVICE: before + "EngineFactory\n"})
    count = {None: utf16, "utf-8": lambda t: len(t.encode()), "utf-32": len}[encoding]

    async def scenario(session):
        session.open(SERVICE)
        [found] = await session.diagnostics(SERVICE, bool)
        assert (found.range.start.line, found.range.start.character, found.range.end.character) == \
            (0, count(before), count(before + "EngineFactory"))

    session = run(tmp_path, scenario, client_capabilities=capabilities(encoding=encoding))
    assert session.initialize_result.capabilities.position_encoding == (encoding or "utf-16")


def test_hover_on_a_diagnostic_shows_its_rules_documentation(tmp_path):
    tree(tmp_path, {SERVICE: "\n" + SHIM_IMPORT})

    async def scenario(session):
        session.open(SERVICE)
        await session.diagnostics(SERVICE, bool)
        shown = await session.hover(SERVICE, 1, len("from app.legacy import Eng"))
        assert shown.contents.kind == "markdown"
        text = shown.contents.value
        assert "SSOT002 indirect-import" in text and "EngineFactory imported through shim app.legacy" in text
        assert "## What it does" in text and "## How to fix" in text
        assert "Quick fix: import EngineFactory from app.factory" in text
        assert await session.hover(SERVICE, 0, 0) is None

    run(tmp_path, scenario)


# Code actions.

@pytest.mark.parametrize("resolve, versioned", [(True, True), (False, False)], ids=["resolved", "eager"])
def test_a_quick_fix_is_the_fix_check_applies_and_the_diagnostic_goes(tmp_path, resolve, versioned):
    text = "import os\nfrom app.legacy import EngineFactory  # the factory\n\nfactory_class = EngineFactory\n"
    tree(tmp_path, {SERVICE: text})
    expected = tmp_path / "expected"
    tree(expected, {SERVICE: text})
    assert ssot(expected, "check", "--fix").returncode in (0, 1)

    async def scenario(session):
        session.open(SERVICE)
        found = await session.diagnostics(SERVICE, bool)
        shim_import = next(d for d in found if d.code == "SSOT002")
        cursor = types.Range(shim_import.range.start, shim_import.range.start)
        actions = await session.code_actions(SERVICE, cursor)
        [fix] = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
        assert fix.title == "ssot-lint (SSOT002): import EngineFactory from app.factory"
        assert fix.is_preferred and fix.diagnostics[0].code == "SSOT002"
        if resolve:
            assert fix.edit is None
            fix = await session.resolve(fix)
        versions = session.apply(fix.edit)
        assert session.texts[session.uri(SERVICE)] == (expected / SERVICE).read_text()
        after = await session.diagnostics(SERVICE, version=versions[SERVICE])
        assert "SSOT002" not in codes(after)
        assert await session.code_actions(SERVICE, cursor, only=[types.CodeActionKind.QuickFix]) == []

    run(tmp_path, scenario, client_capabilities=capabilities(resolve=resolve, versioned=versioned))


def test_an_unsafe_fix_is_marked_and_not_preferred_and_fix_all_applies_the_safe_ones(tmp_path):
    text = ("from app.legacy import EngineFactory\nfrom app.factory import EngineFactory as Factory\n\n\n"
            "def build():\n    from app.legacy import EngineFactory as Maker\n    return Maker(), Factory()\n")
    tree(tmp_path, {SERVICE: text})
    expected = tmp_path / "expected"
    tree(expected, {SERVICE: text})
    assert ssot(expected, "check", "--fix").returncode in (0, 1)  # safe fixes only

    async def scenario(session):
        session.open(SERVICE)
        found = await session.diagnostics(SERVICE, bool)
        assert codes(found) == ["SSOT002", "SSOT005", "SSOT002"]
        alias = found[1]
        [unsafe] = await session.code_actions(SERVICE, alias.range, only=[types.CodeActionKind.QuickFix])
        assert unsafe.title == "ssot-lint (SSOT005): rename Factory to EngineFactory (unsafe)"
        assert not unsafe.is_preferred
        whole = types.Range(types.Position(0, 0), types.Position(7, 0))
        everything = await session.code_actions(SERVICE, whole)
        assert [a.kind for a in everything] == ["quickfix"] * 3 + [FIX_ALL]
        [fix_all] = await session.code_actions(SERVICE, alias.range, only=[types.CodeActionKind.SourceFixAll])
        assert fix_all.title == "Fix all safe ssot-lint violations in this file"
        assert await session.code_actions(SERVICE, alias.range, only=[types.CodeActionKind.Refactor]) == []
        versions = session.apply((await session.resolve(fix_all)).edit)
        assert session.texts[session.uri(SERVICE)] == (expected / SERVICE).read_text()
        assert "SSOT002" not in codes(await session.diagnostics(SERVICE, version=versions[SERVICE]))

    run(tmp_path, scenario)


def test_a_code_action_for_a_version_since_changed_is_not_resolved(tmp_path):
    tree(tmp_path, {SERVICE: SHIM_IMPORT})

    async def scenario(session):
        session.open(SERVICE)
        [found] = await session.diagnostics(SERVICE, bool)
        [fix, _] = await session.code_actions(SERVICE, found.range)
        session.change(SERVICE, "\n" + SHIM_IMPORT)
        with pytest.raises(Exception, match="Content Modified|changed since"):
            await session.resolve(fix)

    run(tmp_path, scenario)


# Files changed outside the editor.

def test_with_the_watcher_a_file_changed_on_disk_is_seen_when_reported(tmp_path):
    """Once the watcher is registered, the server looks again only at what it reports (the Workspace's watched
    mode: no stat of every file per keystroke); a reported change is seen."""
    tree(tmp_path, {"app/middle.py": "from app.factory import EngineFactory\n",
                    SERVICE: "from app.middle import EngineFactory\n"})

    async def scenario(session):
        session.open(SERVICE)
        assert "SSOT002" in codes(await session.diagnostics(SERVICE, version=1))
        seen = session.count(SERVICE)
        (tmp_path / "app/middle.py").write_text("class EngineFactory:\n    pass\n")  # not open: on disk only
        session.watched(("app/middle.py", types.FileChangeType.Changed))
        changed = await session.diagnostics(SERVICE, lambda d: "SSOT002" not in codes(d), after=seen)
        assert codes(changed) == [v["code"] for v in check_json(tmp_path, SERVICE)]

    assert run(tmp_path, scenario).registrations


def test_files_changed_and_deleted_on_disk_are_seen_through_watched_file_notifications(tmp_path):
    tree(tmp_path, {"app/middle.py": "from app.factory import EngineFactory\n",
                    SERVICE: "from app.middle import EngineFactory\n"})

    async def scenario(session):
        session.open(SERVICE)
        session.open("app/middle.py")
        assert "SSOT002" in codes(await session.diagnostics(SERVICE, version=1))
        assert "SSOT003" in codes(await session.diagnostics("app/middle.py", version=1))
        # A formatter, or a checkout, rewrites a file that is not open.
        seen = session.count(SERVICE)
        (tmp_path / "app/other.py").write_text("from app.factory import EngineFactory\n")
        session.watched(("app/other.py", types.FileChangeType.Created))
        # A file deleted: its diagnostics go, and the import of it is now broken.
        seen_middle = session.count("app/middle.py")
        (tmp_path / "app/middle.py").unlink()
        session.watched(("app/middle.py", types.FileChangeType.Deleted))
        assert await session.diagnostics("app/middle.py", after=seen_middle) == []
        broken = await session.diagnostics(SERVICE, lambda d: "SSOT009" in codes(d), after=seen)
        assert codes(broken) == [v["code"] for v in check_json(tmp_path, SERVICE)]

    run(tmp_path, scenario)


# The configuration.

def test_a_config_error_is_a_diagnostic_on_the_config_file_and_goes_when_fixed(tmp_path):
    tree(tmp_path, {SERVICE: SHIM_IMPORT})
    config = tmp_path / "pyproject.toml"
    good = config.read_text()

    async def scenario(session):
        session.open(SERVICE)
        assert codes(await session.diagnostics(SERVICE, version=1)) == ["SSOT002"]
        # An unknown key: on its line.
        config.write_text(good.replace("[tool.ssot-lint]\n", "[tool.ssot-lint]\nsrcs = ['.']\n"))
        session.watched(("pyproject.toml", types.FileChangeType.Changed))
        [problem] = await session.diagnostics("pyproject.toml", bool)
        assert problem.range.start.line == good.splitlines().index("[tool.ssot-lint]") + 1
        assert problem.message.startswith("tool.ssot-lint.srcs: unknown key (did you mean 'src'?")
        assert problem.severity == types.DiagnosticSeverity.Error and problem.source == "ssot-lint"
        assert await session.diagnostics(SERVICE, lambda d: d == []) == []
        assert await session.hover(SERVICE, 0, 0) is None  # still answering
        # Invalid TOML: at the line TOML names.
        config.write_text(good + "shims = [\n")
        session.watched(("pyproject.toml", types.FileChangeType.Changed))
        [problem] = await session.diagnostics("pyproject.toml", lambda d: bool(d) and "invalid TOML" in d[0].message)
        assert problem.range.start.line >= len(good.splitlines())
        # A shim the project does not have: found once the config is read against the code.
        config.write_text(good.replace('shims = ["app.legacy"]', 'shims = ["app.legacyy"]'))
        session.watched(("pyproject.toml", types.FileChangeType.Changed))
        [problem] = await session.diagnostics("pyproject.toml", lambda d: bool(d) and "app.legacyy" in d[0].message)
        assert problem.range.start.line == good.splitlines().index('shims = ["app.legacy"]')
        # Fixed: the error goes and the file's diagnostics come back.
        seen = session.count(SERVICE)
        config.write_text(good)
        session.watched(("pyproject.toml", types.FileChangeType.Changed))
        assert await session.diagnostics("pyproject.toml", lambda d: d == []) == []
        assert codes(await session.diagnostics(SERVICE, bool, after=seen)) == ["SSOT002"]

    run(tmp_path, scenario)


def test_a_config_broken_from_the_start_is_shown_and_the_files_are_linted_once_it_is_fixed(tmp_path):
    tree(tmp_path, {SERVICE: SHIM_IMPORT})
    config = tmp_path / "pyproject.toml"
    good = config.read_text()
    config.write_text(good.replace('symbol = "app.factory:EngineFactory"', 'symbol = "app.factory"'))

    async def scenario(session):
        session.open(SERVICE)
        [problem] = await session.diagnostics("pyproject.toml", bool)
        assert "is not a symbol" in problem.message
        assert problem.range.start.line == good.splitlines().index('symbol = "app.factory:EngineFactory"')
        assert session.latest(SERVICE) == []
        config.write_text(good)
        session.watched(("pyproject.toml", types.FileChangeType.Changed))
        assert codes(await session.diagnostics(SERVICE, bool)) == ["SSOT002"]
        assert await session.diagnostics("pyproject.toml", lambda d: d == []) == []

    run(tmp_path, scenario)


def test_without_a_configuration_the_server_says_so_and_lints_nothing(tmp_path):
    write_tree(tmp_path, {**EXAMPLE_FILES, SERVICE: SHIM_IMPORT})

    async def scenario(session):
        session.open(SERVICE)
        def told():
            return [m for m in session.messages if "no [tool.ssot-lint] configuration found" in m] or None
        await session.wait_for(told, "the message that there is no configuration")
        assert session.published == {}

    run(tmp_path, scenario)


def test_a_config_saved_in_the_editor_is_read_again(tmp_path):
    """A client that watches no files still reloads the config when it is saved from the editor."""
    tree(tmp_path, {SERVICE: SHIM_IMPORT})
    config = tmp_path / "pyproject.toml"
    good = config.read_text()

    async def scenario(session):
        session.open(SERVICE)
        assert codes(await session.diagnostics(SERVICE, version=1)) == ["SSOT002"]
        session.open("pyproject.toml")
        session.change("pyproject.toml", good.replace("[tool.ssot-lint]\n", "[tool.ssot-lint]\nignore = ['SSOT002']\n"))
        session.save("pyproject.toml")
        assert await session.diagnostics(SERVICE, lambda d: d == []) == []

    run(tmp_path, scenario, client_capabilities=capabilities(watch=False))


def test_the_config_is_found_above_the_first_open_file_when_the_workspace_folder_has_none(tmp_path):
    project = tree(tmp_path / "project", {SERVICE: SHIM_IMPORT})

    async def scenario(session):
        session.open(f"project/{SERVICE}")
        assert codes(await session.diagnostics(f"project/{SERVICE}", bool)) == ["SSOT002"]

    assert project.is_dir()
    run(tmp_path, scenario)


def test_the_config_option_names_the_file(tmp_path):
    write_tree(tmp_path, {**EXAMPLE_FILES, SERVICE: SHIM_IMPORT, "lint/settings.toml": (
        'src = [".."]\n\n[[canonical]]\nsymbol = "app.factory:EngineFactory"\nshims = ["app.legacy"]\n')})
    # (paths in it are relative to its folder: the project is its parent; the workspace folder has no config)

    async def scenario(session):
        session.open(SERVICE)
        assert codes(await session.diagnostics(SERVICE, bool)) == ["SSOT002"]

    session = run(tmp_path, scenario, "--config", str(tmp_path / "lint/settings.toml"))
    watched = [w["globPattern"] for r in session.registrations for w in r.register_options["watchers"]]
    assert "**/settings.toml" in watched


def test_a_config_option_naming_no_file_is_an_error_at_start(tmp_path):
    result = ssot(tmp_path, "server", "--config", "missing.toml")
    assert result.returncode == 2 and result.stderr == "ssot-lint: error: missing.toml: no such config file\n"


def test_help_and_the_import_of_pygls_by_the_server_command_only(tmp_path):
    result = ssot(tmp_path, "server", "--help")
    assert result.returncode == 0
    for words in ("language server", "LSP over stdio", "--config", "--stdio", "quick fix", "source.fixAll.ssot-lint"):
        assert words in result.stdout
    imported = subprocess.run([sys.executable, "-c", "import sys, ssot_lint.cli; print('pygls' in sys.modules)"],
                              capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "False"


# Typing fast.

def test_typing_fast_ends_with_the_latest_text_and_never_publishes_an_older_version_after_a_newer(tmp_path):
    tree(tmp_path, {SERVICE: CANONICAL_IMPORT})

    async def scenario(session):
        session.open(SERVICE)
        await session.diagnostics(SERVICE, version=1)
        text = CANONICAL_IMPORT
        for index in range(60):  # a keystroke each: a comment grows, then the import goes through the shim
            text = text + "#" if index < 59 else SHIM_IMPORT + text
            version = session.change(SERVICE, text)
        assert codes(await session.diagnostics(SERVICE, version=version)) == ["SSOT002"]
        versions = [p.version for p in session.published[session.uri(SERVICE)]]
        assert versions == sorted(versions)

    run(tmp_path, scenario)


# The analysis thread, in-process.

def test_changes_during_an_analysis_coalesce_into_one_more_run_with_the_latest_contents():
    from ssot_lint.commands.server_worker import AnalysisWorker

    state = {"text": "first"}
    seen, started, release = [], threading.Semaphore(0), threading.Event()

    def job():
        seen.append(state["text"])
        started.release()
        release.wait()

    worker = AnalysisWorker(job)
    worker.start()
    worker.request(0)
    started.acquire()  # the first run is going on
    for index in range(50):
        state["text"] = f"edit {index}"
        worker.request(0.01)
    release.set()
    started.acquire()  # the second run
    while not worker.idle():
        time.sleep(0.01)
    assert seen == ["first", "edit 49"] and worker.runs == 2
    worker.stop()


def test_a_request_waits_for_the_quiet_period_and_a_later_one_moves_it():
    from ssot_lint.commands.server_worker import AnalysisWorker

    now = [0.0]
    ran = threading.Event()
    worker = AnalysisWorker(ran.set, max_delay=1.0, clock=lambda: now[0])
    worker.request(0.15)
    worker.request(0.15)
    assert worker._due == pytest.approx(0.15)
    now[0] = 0.1
    worker.request(0.15)
    assert worker._due == pytest.approx(0.25)  # the quiet period starts again
    now[0] = 0.9
    worker.request(0.15)
    assert worker._due == pytest.approx(1.0)  # but the first request waits no longer than max_delay
    now[0] = 2.0
    worker.start()
    assert ran.wait(60)
    worker.stop()


def test_memory_holds_one_version_of_each_open_document(tmp_path):
    """A long session keeps the current text and diagnostics of each open document, the Workspace one buffer
    each and the facts of current contents only: nothing grows with the number of edits."""
    from ssot_lint.commands.server_analysis import OpenDocument, ProjectAnalysis

    tree(tmp_path, {SERVICE: SHIM_IMPORT, "app/other.py": CANONICAL_IMPORT})
    analysis = ProjectAnalysis(None, tmp_path.resolve(), "utf-16", jobs=1)
    paths = {relpath: (tmp_path / relpath).resolve() for relpath in (SERVICE, "app/other.py")}
    sizes = []
    for version in range(1, 121):
        documents = {path.as_uri(): OpenDocument(path.as_uri(), path, version, (
            SHIM_IMPORT if relpath == SERVICE else CANONICAL_IMPORT) + f"VALUE = {version}\n")
            for relpath, path in paths.items()}
        outcome = analysis.run(documents, reload=False)
        assert [codes(r.diagnostics) for r in outcome.documents.values()] == [["SSOT002"], []]
        workspace = analysis.workspace
        sizes.append((len(workspace.buffers), len(workspace._facts), len(analysis.buffers)))
    assert sizes[-1] == sizes[10] and sizes[-1][0] == 2
