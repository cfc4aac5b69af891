"""`ssot-lint check` answered by a running `ssot-lint server` (commands/check_client.py, server_check.py).

Each test starts a real server on a tree in tmp_path (lsp_session.py: pygls's client over stdio, as an
editor), waits until the server makes itself findable (its state file), then runs `ssot-lint check` in
subprocesses, as a user or pre-commit does: with `--verbose` to see which way it went, and without, and
compares with `check --no-server`, which analyses in its own process. Nothing here waits for a fixed time
or measures one (the waits poll, and end as soon as the condition holds).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import List, Optional

import pytest

from helpers import CANONICAL_IMPORT, FIXTURES_REPO, SHIM_IMPORT, SHIM_PYPROJECT, ssot, write_tree
from lsp_session import TIMEOUT, run
from ssot_lint import __version__
from ssot_lint.commands.check_client import parse
from ssot_lint.commands.server_protocol import CACHE_DIRNAME, PROTOCOL, git_environment
from ssot_lint.files.cache import CACHE_DIRNAME as FACTS_CACHE_DIRNAME
from ssot_lint.rule import EXAMPLE_FILES

SERVED = "answered by the running server"
IN_PROCESS = "checking in this process"
SERVICE = "netra_backend/app/services/agent_service.py"
SHIM = "netra_backend.app.core.managers.execution_engine_factory"
NEW_VIOLATION = f"\nfrom {SHIM} import ExecutionEngineFactory as Late\n"


def fixtures(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES_REPO, root, ignore=shutil.ignore_patterns(CACHE_DIRNAME))
    return root


def small(tmp_path: Path, files: Optional[dict] = None) -> Path:
    root = tmp_path / "small"
    write_tree(root, {**EXAMPLE_FILES, "pyproject.toml": SHIM_PYPROJECT, "app/service.py": SHIM_IMPORT,
                      **(files or {})})
    return root


def servers(root: Path) -> List[Path]:
    folder = root / CACHE_DIRNAME / "servers"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


async def findable(root: Path) -> dict:
    """The state file of the server, once it has written it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not servers(root):
        assert loop.time() < deadline, f"no server state file in {root} within {TIMEOUT} s"
        await asyncio.sleep(0.05)
    return json.loads(servers(root)[0].read_text())


async def settled(root: Path, env: Optional[dict] = None) -> None:
    """Once a served check says nothing changed: every file is older than the two seconds within which a
    stamp cannot vouch for its file, and the server's snapshot holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while "nothing changed on disk" not in (await in_thread(check, root, "--verbose", env=env)).stderr:
        assert loop.time() < deadline, f"the server's answer for {root} never settled within {TIMEOUT} s"
        await asyncio.sleep(0.1)


def check(root: Path, *args: str, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssot_lint", "check", *args], cwd=root, capture_output=True,
                          text=True, timeout=300, env=env)


def same_as_alone(root: Path, *args: str, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Run the check served (asserting that it was) and alone: the same stdout and exit code, and, without
    --verbose, the same stderr (with --quiet, which --verbose cannot join, only that). Returns the served
    one."""
    served = None
    if "--quiet" not in args:
        served = check(root, *args, "--verbose", env=env)
        assert SERVED in served.stderr, served.stderr
        alone = check(root, *args, "--verbose", "--no-server", env=env)
        assert SERVED not in alone.stderr
        assert (served.stdout, served.returncode) == (alone.stdout, alone.returncode), (args, served.stderr)
    plain, plain_alone = check(root, *args, env=env), check(root, *args, "--no-server", env=env)
    assert (plain.stdout, plain.stderr, plain.returncode) == \
        (plain_alone.stdout, plain_alone.stderr, plain_alone.returncode), args
    return served or plain


def in_thread(function, *args, **keywords):
    return asyncio.get_running_loop().run_in_executor(None, lambda: function(*args, **keywords))


# The answer is the check's own.

def test_every_output_format_paths_and_options_are_as_a_check_in_its_own_process(tmp_path):
    root = fixtures(tmp_path)
    assert ssot(root, "baseline", "netra_backend/app/services").returncode == 0

    async def scenario(session):
        state = await findable(root)
        assert state["version"] == __version__ and state["config"] == str((root / "pyproject.toml").resolve())
        for args in ([], ["--output-format", "json"], ["--output-format=json-lines"], ["--output-format", "GitHub"],
                     ["--output-format", "sarif"], ["--output-format", "junit"], ["--output-format", "text"],
                     ["--quiet"], ["--exit-zero"], ["--unsafe-fixes"], ["-j", "1"],
                     [SERVICE], [SERVICE, "--output-format", "json"], ["netra_backend/app/services", "tests"],
                     ["--baseline", ".ssot-lint-baseline.json"],
                     ["--baseline", ".ssot-lint-baseline.json", "--output-format", "json"],
                     ["--config", "pyproject.toml", "netra_backend"], ["netra_backend/app/agents/__init__.py"]):
            await in_thread(same_as_alone, root, *args)
        # From a folder below the root, with paths relative to it (printed relative to it).
        await in_thread(same_as_alone, root / "netra_backend", "app/services")

    run(root, scenario)


def test_clean_files_a_baseline_that_knows_all_and_violations_in_other_files(tmp_path):
    root = small(tmp_path, {"app/clean.py": CANONICAL_IMPORT})
    assert ssot(root, "baseline").returncode == 0

    async def scenario(session):
        await findable(root)
        for args in (["app/clean.py"], ["app/clean.py", "--output-format", "junit"], ["--baseline",
                     ".ssot-lint-baseline.json"], ["app/service.py"], []):
            await in_thread(same_as_alone, root, *args)

    run(root, scenario)


def test_it_answers_from_the_disk_not_from_the_editors_unsaved_text(tmp_path):
    root = fixtures(tmp_path)
    on_disk = (root / SERVICE).read_text(encoding="utf-8")

    async def scenario(session):
        await findable(root)
        before = await in_thread(same_as_alone, root, "--output-format", "json")
        session.open(SERVICE)
        version = session.change(SERVICE, on_disk + NEW_VIOLATION)  # typed, not saved
        diagnostics = await session.diagnostics(SERVICE, version=version)
        assert any("Late" in d.message for d in diagnostics)  # the editor sees it
        after = await in_thread(same_as_alone, root, "--output-format", "json")
        assert after.stdout == before.stdout and "Late" not in after.stdout  # the check does not

    run(root, scenario)


def test_a_file_written_just_before_the_check_is_seen(tmp_path):
    root = fixtures(tmp_path)
    path = root / SERVICE
    original = path.read_text(encoding="utf-8")

    async def scenario(session):
        await findable(root)
        await settled(root)
        path.write_text(original + NEW_VIOLATION, encoding="utf-8")  # no editor, no watcher: only the disk
        served = await in_thread(same_as_alone, root, SERVICE, "--output-format", "json")
        assert "Late" in served.stdout and "1 file changed on disk read again" in served.stderr
        # The same size, in the same second: a stamp cannot tell the two apart, the content can.
        path.write_text(original + NEW_VIOLATION.replace("Late", "Lat2"), encoding="utf-8")
        served = await in_thread(same_as_alone, root, SERVICE, "--output-format", "json")
        assert "Lat2" in served.stdout and "Late" not in served.stdout
        # A new file, and a file gone.
        (root / "netra_backend/app/late.py").write_text(NEW_VIOLATION, encoding="utf-8")
        served = await in_thread(same_as_alone, root, "--output-format", "json")
        assert "netra_backend/app/late.py" in served.stdout and "listed again" in served.stderr
        (root / "netra_backend/app/late.py").unlink()
        path.write_text(original, encoding="utf-8")
        served = await in_thread(same_as_alone, root, "--output-format", "json")
        assert "late.py" not in served.stdout and "Lat2" not in served.stdout

    run(root, scenario)


def test_an_edit_to_the_configuration_is_read_by_the_next_check(tmp_path):
    root = small(tmp_path, {"app/other.py": "from app.factory import EngineFactory as Renamed\n"})

    async def scenario(session):
        await findable(root)
        assert "SSOT005" in (await in_thread(same_as_alone, root)).stdout
        config = root / "pyproject.toml"
        config.write_text(SHIM_PYPROJECT.replace("[tool.ssot-lint]\n", '[tool.ssot-lint]\nignore = ["SSOT005"]\n'))
        assert "SSOT005" not in (await in_thread(same_as_alone, root)).stdout
        config.write_text("[tool.ssot-lint]\nsrcs = ['.']\n")  # an error: the check's own message, exit 2
        served = check(root, "--verbose")
        alone = check(root, "--no-server")
        assert served.returncode == alone.returncode == 2 and IN_PROCESS in served.stderr
        assert served.stdout == alone.stdout and served.stderr.endswith(alone.stderr)

    run(root, scenario)


def test_a_check_in_a_git_hooks_environment_is_served_with_gits_variables(tmp_path):
    """git runs a pre-commit hook with GIT_INDEX_FILE set (and its author, editor, ...): the server lists
    the files with the index the hook names, as the check itself would."""
    root = small(tmp_path, {".gitignore": "app/kept.py\n", "app/kept.py": SHIM_IMPORT})
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    for args in (["init", "-q"], ["add", "-A"], ["add", "-f", "app/kept.py"], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    hook = {**os.environ, "GIT_INDEX_FILE": ".git/index", "GIT_AUTHOR_NAME": "t", "GIT_PREFIX": ""}
    empty = {**os.environ, "GIT_INDEX_FILE": str(tmp_path / "empty-index")}  # kept.py: untracked, so ignored
    subprocess.run(["git", "read-tree", "--empty"], cwd=root, env=empty, check=True)

    async def scenario(session):
        await findable(root)
        assert "app/kept.py" in (await in_thread(same_as_alone, root, env=hook)).stdout
        assert "app/kept.py" not in (await in_thread(same_as_alone, root, env=empty)).stdout
        await settled(root, hook)  # the answer kept for the hook's variables
        subprocess.run(["git", "read-tree", "HEAD"], cwd=root, check=True)  # the index written again, the same
        served = await in_thread(same_as_alone, root, env=hook)
        assert "nothing changed on disk" in served.stderr
        subprocess.run(["git", "rm", "-q", "--cached", "app/kept.py"], cwd=root, check=True)  # now ignored
        served = await in_thread(same_as_alone, root, env=hook)
        assert "app/kept.py" not in served.stdout and "listed again" in served.stderr
        (root / "app/late.py").write_text(SHIM_IMPORT, encoding="utf-8")  # untracked: still linted
        served = await in_thread(same_as_alone, root, env=hook)
        assert "app/late.py" in served.stdout

    run(root, scenario)


# When it is not asked, or cannot answer.

def test_options_it_cannot_serve_and_the_opt_outs_check_in_this_process(tmp_path):
    root = small(tmp_path)

    async def scenario(session):
        await findable(root)
        for args in (["--select", "SSOT002"], ["--ignore=SSOT002"], ["--no-cache"], ["--diff"], ["--no-server"],
                     ["-qv"], ["--", "app"]):
            served = check(root, *args, "--verbose")
            assert SERVED not in served.stderr, args
        environment = {**os.environ, "SSOT_LINT_NO_SERVER": "1"}
        assert SERVED not in check(root, "--verbose", env=environment).stderr
        # Bad input is reported by the command line, as without a server.
        (root / "broken-baseline.json").write_text("{not json")
        for args in (["missing.py"], ["--config", "missing.toml"], ["--output-format", "xml"], ["--jobs", "0"],
                     ["--quiet", "--verbose"], ["--baseline", "missing.json"], ["--baseline", "broken-baseline.json"]):
            served, alone = check(root, *args), check(root, *args, "--no-server")
            assert (served.returncode, served.stdout, served.stderr) == (alone.returncode, alone.stdout, alone.stderr)
            assert served.returncode == 2 and served.stderr.startswith("ssot-lint: error:"), args

    run(root, scenario)


def test_another_config_file_is_not_served(tmp_path):
    root = small(tmp_path)
    (root / "other.toml").write_text(SHIM_PYPROJECT.replace("[tool.ssot-lint]\n", '[tool.ssot-lint]\nselect = '
                                                            '["SSOT002"]\n'), encoding="utf-8")

    async def scenario(session):
        await findable(root)
        served = check(root, "--config", "other.toml", "--verbose")
        assert SERVED not in served.stderr and "serves" in served.stderr and IN_PROCESS in served.stderr
        alone = check(root, "--config", "other.toml", "--no-server")
        assert (served.stdout, served.returncode) == (alone.stdout, alone.returncode)
        await in_thread(same_as_alone, root, "--config", "pyproject.toml")

    run(root, scenario, "--config", "pyproject.toml")


def test_a_server_started_without_its_cache_is_not_found(tmp_path):
    root = small(tmp_path)

    async def scenario(session):
        session.open("app/service.py")
        await session.diagnostics("app/service.py")  # (its analyses are done: it would have written its file)
        assert servers(root) == [] and SERVED not in check(root, "--verbose").stderr

    run(root, scenario, "--no-cache")


def test_the_state_file_goes_with_the_server(tmp_path):
    root = small(tmp_path)

    async def scenario(session):
        state = await findable(root)
        assert Path(state["socket"]).exists()
        mode = os.stat(servers(root)[0]).st_mode & 0o777
        assert mode == 0o600 and os.stat(Path(state["socket"]).parent).st_mode & 0o077 == 0
        session.state = state

    session = run(root, scenario)
    assert servers(root) == [] and not Path(session.state["socket"]).exists()


class Killed(Exception):
    pass


def test_a_killed_servers_state_file_is_ignored_and_removed(tmp_path):
    root = small(tmp_path)

    async def scenario(session):
        state = await findable(root)
        session.client._server.kill()
        await session.client._server.wait()
        assert servers(root)  # left behind
        served = check(root, "--verbose")
        assert "no server is running" in served.stderr and IN_PROCESS in served.stderr
        alone = check(root, "--no-server")
        assert (served.stdout, served.returncode) == (alone.stdout, alone.returncode)
        assert servers(root) == [] and not Path(state["socket"]).parent.exists()  # cleaned up
        raise Killed

    with pytest.raises(Killed):
        run(root, scenario)


def test_stale_and_foreign_state_files_fall_back(tmp_path):
    root = small(tmp_path)
    assert check(root, "--no-server").returncode == 1  # (makes the cache folder)
    folder = root / CACHE_DIRNAME / "servers"
    folder.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    config = str((root / "pyproject.toml").resolve())
    state = {"protocol": PROTOCOL, "version": __version__, "config": config}
    (folder / "dead.json").write_text(json.dumps({**state, "pid": dead.pid, "socket": "/nonexistent/s"}))
    (folder / "old.json").write_text(json.dumps({**state, "version": "0.0.0", "pid": os.getpid(), "socket": "/x"}))
    (folder / "broken.json").write_text("{not json")
    refused = tempfile.mkdtemp()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.path.join(refused, "s"))  # bound, never listening: refuses
    (folder / "refusing.json").write_text(json.dumps({**state, "pid": os.getpid(),
                                                       "socket": os.path.join(refused, "s")}))
    try:
        served = check(root, "--verbose")
        alone = check(root, "--no-server")
        assert IN_PROCESS in served.stderr and "is ssot-lint 0.0.0" in served.stderr
        assert (served.stdout, served.returncode) == (alone.stdout, alone.returncode)
        assert sorted(p.name for p in folder.iterdir()) == ["broken.json", "old.json"]  # the dead ones went
    finally:
        listener.close()
        shutil.rmtree(refused)


@pytest.mark.parametrize("behaviour", ["close at once", "close after the ack", "half an answer", "not json",
                                       "a wrong payload", "fallback"])
def test_a_server_that_dies_or_misbehaves_mid_request_falls_back(tmp_path, behaviour):
    """A fake server in this process (its pid, its socket) answering badly: the check runs itself."""
    root = small(tmp_path)
    assert check(root, "--no-server").returncode == 1
    folder = root / CACHE_DIRNAME / "servers"
    folder.mkdir()
    private = tempfile.mkdtemp()
    address = os.path.join(private, "check.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(1)
    requests: List[dict] = []

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            data = b""
            while b"\n" not in data:
                data += connection.recv(65536)
            requests.append(json.loads(data.partition(b"\n")[0]))
            if behaviour == "close at once":
                return
            connection.sendall(b'{"status":"working"}\n')
            if behaviour == "half an answer":
                connection.sendall(b'{"status":"ok","files":7,"suppressed":0,"size":1000}\n' + b"\x80" * 10)
            elif behaviour == "not json":
                connection.sendall(b"<html>\n")
            elif behaviour == "a wrong payload":
                connection.sendall(b'{"status":"ok","files":7,"suppressed":0,"size":4}\nabcd')
            elif behaviour == "fallback":
                connection.sendall(b'{"status":"fallback","reason":"busy"}\n')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    (folder / f"{os.getpid()}.json").write_text(json.dumps({
        "protocol": PROTOCOL, "version": __version__, "pid": os.getpid(),
        "config": str((root / "pyproject.toml").resolve()), "socket": address}))
    try:
        served = check(root, "--verbose", "app")
        alone = check(root, "--no-server", "app")
        assert IN_PROCESS in served.stderr and SERVED not in served.stderr
        assert (served.stdout, served.returncode) == (alone.stdout, alone.returncode)
        thread.join(TIMEOUT)
        assert requests and requests[0]["paths"] == [str((root / "app").resolve())]
    finally:
        listener.close()
        shutil.rmtree(private)


# The client's side, in-process.

def test_the_options_it_serves_are_parsed_exactly_or_not_at_all():
    assert parse(["a.py", "--output-format=JSON", "-q", "--config", "x.toml", "-j", "2"]) == {
        "paths": ["a.py"], "output_format": "json", "quiet": True, "config": "x.toml", "jobs": "2"}
    for args in (["--fix"], ["--select", "X"], ["--config"], ["--config", "a", "--config", "b"], ["-"], [""],
                 ["--output-format", "xml"], ["-j", "0"], ["-j4"], ["--jobs", "x"], ["-qv"], ["-q", "-v"],
                 ["--quiet=1"], ["--help"], ["--no-server"], ["--", "a.py"], ["--config", "-x"]):
        assert parse(args) is None, args


def test_the_client_agrees_with_the_cache_on_its_folder_and_keeps_only_what_git_reads():
    assert CACHE_DIRNAME == FACTS_CACHE_DIRNAME
    environment = git_environment({"GIT_INDEX_FILE": "i", "GIT_DIR": "d", "GIT_AUTHOR_DATE": "x", "HOME": "/h",
                                   "GIT_EDITOR": ":", "PATH": "/bin", "GIT_CONFIG_PARAMETERS": "'a'='b'"})
    assert environment == {"GIT_INDEX_FILE": "i", "GIT_DIR": "d", "HOME": "/h", "GIT_CONFIG_PARAMETERS": "'a'='b'"}


def test_a_served_check_imports_neither_typer_nor_the_engine(tmp_path):
    root = small(tmp_path)
    probe = ("import sys\nsys.argv = ['ssot-lint', 'check']\nfrom ssot_lint.entry import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('typer', 'ssot_lint.cli', 'ssot_lint.engine.run', 'ssot_lint.analysis.project')"
             " if m in sys.modules), file=sys.stderr)\n")

    async def scenario(session):
        await findable(root)
        await in_thread(same_as_alone, root)
        result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True)
        assert result.stderr.strip().endswith("[]"), result.stderr

    run(root, scenario)


def test_the_client_knows_every_output_format_the_command_line_has():
    """The client spells the formats out (it runs before the command line is imported): the same set."""
    from ssot_lint.commands.check_client import FORMATS
    from ssot_lint.commands.check_output import OutputFormat

    assert set(FORMATS) == {f.value for f in OutputFormat}
