"""The server's side of `ssot-lint check` answered by a running server (server_protocol.py says how the two
find each other and talk; check_client.py is the other side).

A `CheckService` keeps a `Workspace` of its own, given no editor buffer, so that it finds what `check`
finds in the files on disk, whatever the editor has unsaved; and unwatched, so that each analysis looks at
the disk itself (the editor's file watcher reports changes late, and a check must see a file written a
millisecond before it). Its analyses and the editor's take turns (`analysis_lock`: the environment git
reads is set for the one running, and parsing workers are shared). Between analyses it keeps its last
answer and a `Snapshot` of what that answer was computed from (server_snapshot.py): while the snapshot
holds, and the environment git reads is the same, a check is answered without analysing.

Once its first analysis is done it listens on a Unix-domain socket and writes its state file; before, or
where there are no Unix-domain sockets, `check` does not find it, and analyses in its own process. A
request it cannot answer exactly (another version, another config file or a changed one, a configuration
error) is answered "fallback", with the reason.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, Mapping, Optional, Tuple

from ssot_lint import __version__
from ssot_lint.atomic import write_atomically
from ssot_lint.commands.server_protocol import (
    CACHE_DIRNAME, PROTOCOL, SOCKET_NAME, LineReader, encode_line, git_environment, servers_folder, which_git,
)
from ssot_lint.commands.server_analysis import relative
from ssot_lint.commands.server_snapshot import Changes, Snapshot
from ssot_lint.config import Config, ConfigError, load_config
from ssot_lint.engine.run import under
from ssot_lint.engine.selection import check_selectors
from ssot_lint.engine.workspace import Workspace, WorkspaceResult
from ssot_lint.facts.model import FileFacts

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0  # seconds a client has to send its request once connected


@dataclass(frozen=True)
class Answer:
    """The last analysis: for which environment, from what on disk, and what it found."""

    environment: Tuple[Tuple[str, str], ...]
    snapshot: Snapshot
    result: WorkspaceResult
    covered: bool  # the snapshot stamped every file of the project (else it vouches for nothing)


class Fallback(Exception):
    """The request cannot be answered exactly: the client checks in its own process."""


class CheckService:
    def __init__(self, analysis_lock: threading.Lock, *, jobs: Optional[int] = None, use_cache: bool = True,
                 facts_from: Optional[Callable[[], Mapping[str, FileFacts]]] = None):
        self.analysis_lock = analysis_lock
        self.facts_from = facts_from  # the editor's analysis's facts: one copy of what both have
        self.jobs, self.use_cache = jobs, use_cache
        self.lock = threading.Lock()  # this object's state; one check (or start) at a time
        self.switch_lock = threading.Lock()  # `wanted` and `closed`, which never wait for an analysis
        self.wanted: Optional[Path] = None  # the config file of the editor's analysis
        self.config_path: Optional[Path] = None  # the config file served
        self.workspace: Optional[Workspace] = None
        self.answer: Optional[Answer] = None
        self.listener: Optional[socket.socket] = None
        self.socket_folder: Optional[str] = None
        self.state_path: Optional[str] = None
        self.closed = False
        self.git_versions: Dict[Tuple, Optional[str]] = {}  # (path, size, mtime) -> its `--version`
        self.git = self._git_version(which_git(os.environ))
        self.own_environment = git_environment(os.environ)

    # Following the editor's configuration.

    def follow(self, config_path: Optional[Path]) -> None:
        """Serve the project of this config file (the editor's analysis found it; None: none). Called in the
        analysis thread after each of its analyses; returns at once: a new config file is read, analysed,
        then served, in a thread of its own."""
        with self.switch_lock:
            if self.closed or config_path == self.wanted:
                return
            self.wanted = config_path
        threading.Thread(target=self._switch, args=(config_path,), name="ssot-lint check start", daemon=True).start()

    def _switch(self, config_path: Optional[Path]) -> None:
        with self.lock:
            with self.switch_lock:
                if self.wanted != config_path or self.closed:
                    return  # another came after
                self._withdraw()
            self.config_path, self.workspace, self.answer = config_path, None, None
            if config_path is None or not hasattr(socket, "AF_UNIX"):
                return
            try:
                config = load_config(config_path)
                check_selectors(config)
                self._analyse(self._workspace_for(config), self.own_environment)
            except ConfigError:
                pass  # each check reads it again (and checks itself while it is wrong)
            except Exception:  # noqa: BLE001 - the editor's session goes on without it
                logger.exception("ssot-lint: the analysis for `ssot-lint check` failed")
            try:
                self._advertise(config_path)
            except OSError as error:  # no socket, or the cache folder is not writable: not served
                logger.info("ssot-lint: `ssot-lint check` will not find this server: %s", error)

    def _workspace_for(self, config: Config) -> Workspace:
        if self.workspace is None or self.workspace.config != config:
            self.workspace, self.answer = None, None
            # Watched: this service tells it what changed on disk (from its snapshots), so an analysis does
            # not list the files again through git unless one came or went.
            self.workspace = Workspace(config, jobs=self.jobs, use_cache=self.use_cache, watched=True,
                                       facts_from=self.facts_from)
        return self.workspace

    def _analyse(self, workspace: Workspace, environment: Mapping[str, str],
                 changes: Optional[Changes] = None) -> Tuple[WorkspaceResult, str]:
        """Analyse the disk as it is now, with git seeing `environment`; keep the answer and its snapshot.
        `changes`: what changed since the last answer (None: anything may have; the files are listed
        again). Returns the result and how it was found, in words."""
        last, self.answer = self.answer, None
        changed = None if changes is None or changes.relist else changes.files
        with self.analysis_lock, applied(environment):
            snapshot = None
            if changed is not None and last is not None:
                snapshot = last.snapshot.updated(changed, changes)  # (stamped before they are read)
                contents = {}
                for path in changed:
                    try:
                        with open(path, "rb") as handle:
                            contents[relative(Path(path), workspace.config.root)] = handle.read()
                    except OSError:  # unreadable now: listed again and read as check would
                        snapshot = None
                        break
                else:  # given to the Workspace as they are now; the others are as the last answer read them
                    for relpath, data in contents.items():
                        workspace.set_buffer(relpath, data)
            how = f"{len(changed or ())} file{'' if len(changed or ()) == 1 else 's'} changed on disk read again"
            if snapshot is None:
                how = "the files listed again (one came, went, or something git reads changed)"
                snapshot = Snapshot.take(workspace.config, environment)  # before the analysis reads anything
                for relpath in list(workspace.buffers):  # the disk's own contents, as listed again
                    workspace.set_buffer(relpath, None)
                workspace.files_came_or_went()
            result = workspace.analyse()
        # Only if the snapshot looked at every file the analysis read can it vouch for the answer later.
        covered = all(source.absolute in snapshot.contents for source in result.files)
        self.answer = Answer(tuple(sorted(environment.items())), snapshot, result, covered)
        return result, how

    # Answering.

    def respond(self, request: object) -> Tuple[dict, bytes]:
        """The header and payload for a request (server_protocol.py)."""
        started = time.perf_counter()
        try:
            result, how, config = self._result(request)
        except Fallback as reason:
            return {"status": "fallback", "reason": str(reason)}, b""
        assert isinstance(request, dict)
        inside = under(config, [Path(p) for p in request["paths"]])
        violations = tuple(v for v in result.violations if inside(v.path))
        payload = pickle.dumps(violations, protocol=pickle.HIGHEST_PROTOCOL)
        return {"status": "ok", "pid": os.getpid(), "files": len(result.files), "suppressed": result.suppressed,
                "how": how, "seconds": round(time.perf_counter() - started, 4), "size": len(payload)}, payload

    def _result(self, request: object) -> Tuple[WorkspaceResult, str, Config]:
        if not isinstance(request, dict) or request.get("protocol") != PROTOCOL or \
                request.get("version") != __version__:
            raise Fallback(f"this server is ssot-lint {__version__} (protocol {PROTOCOL})")
        paths, environment = request.get("paths"), request.get("env")
        if not isinstance(paths, list) or not all(isinstance(p, str) and os.path.isabs(p) for p in paths) or \
                not isinstance(environment, dict) or \
                not all(isinstance(k, str) and isinstance(v, str) for k, v in environment.items()):
            raise Fallback("a malformed request")
        theirs = self._git_version(request.get("git"))
        if theirs != self.git:
            raise Fallback(f"this server runs {self.git or 'no git'}, the check {theirs or 'no git'}")
        environment = git_environment(environment)
        with self.lock:
            if self.config_path is None or request.get("config") != str(self.config_path):
                raise Fallback(f"this server serves {self.config_path}")
            try:
                config = load_config(self.config_path)
                check_selectors(config)
            except ConfigError as error:
                raise Fallback(f"the configuration has problems ({len(error.problems)})") from None
            workspace = self._workspace_for(config)  # (a new one if the configuration changed: read as check would)
            answer, changes = self.answer, None
            if answer is not None and answer.covered and answer.environment == tuple(sorted(environment.items())):
                changes = answer.snapshot.changes(environment)
                if changes.none:
                    if changes.restamped:  # git's index was written, tracking the same files
                        self.answer = dataclasses.replace(answer, snapshot=answer.snapshot.updated((), changes))
                    return answer.result, "nothing changed on disk since its last analysis", config
            try:
                result, how = self._analyse(workspace, environment, changes)
                return result, how, config
            except ConfigError as error:  # the configuration no longer matches the code
                raise Fallback(f"the configuration does not match the code ({len(error.problems)} problems)") \
                    from None

    def _git_version(self, git: object) -> Optional[str]:
        """What `git --version` says of the git named (server_protocol.which_git); None: no git."""
        if not (isinstance(git, list) and len(git) == 3 and isinstance(git[0], str)):
            return None
        key = tuple(git)
        if key not in self.git_versions:
            try:
                said = subprocess.run([git[0], "--version"], capture_output=True, timeout=30, check=False)
                self.git_versions[key] = said.stdout.decode("utf-8", "replace").strip() or f"{git[0]}: no version"
            except (OSError, subprocess.SubprocessError) as error:
                self.git_versions[key] = f"{git[0]}: {error}"
        return self.git_versions[key]

    # The socket and the state file.

    def _advertise(self, config_path: Path) -> None:
        """Listen (once), and write the state file in the project's cache folder (if it has one: the
        analysis made it; a project whose cache cannot be written is not served)."""
        cache = config_path.parent / CACHE_DIRNAME
        with self.switch_lock:
            if self.closed or not cache.is_dir():
                return
            self._listen()
            folder = servers_folder(str(config_path.parent))
            os.makedirs(folder, exist_ok=True)
            state = {"protocol": PROTOCOL, "version": __version__, "pid": os.getpid(), "config": str(config_path),
                     "socket": os.path.join(self.socket_folder or "", SOCKET_NAME), "python": sys.executable}
            path = os.path.join(folder, f"{os.getpid()}.json")
            write_atomically(Path(path), json.dumps(state, indent=2).encode() + b"\n", mode=0o600, durable=False)
            self.state_path = path

    def _listen(self) -> None:
        if self.listener is None:
            self.socket_folder = tempfile.mkdtemp(prefix="ssot-lint-")  # (mode 0700)
            address = os.path.join(self.socket_folder, SOCKET_NAME)
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(address)
            listener.listen(16)
            self.listener = listener
            threading.Thread(target=self._accept, args=(listener,), name="ssot-lint check listener",
                             daemon=True).start()

    def _withdraw(self) -> None:
        """Remove the state file (check no longer finds this server). Under `switch_lock`, or `lock`."""
        if self.state_path is not None:
            try:
                os.unlink(self.state_path)
            except OSError:
                pass
            self.state_path = None

    def close(self) -> None:
        """The session ends: no state file, no socket (at once: an analysis running is not waited for)."""
        with self.switch_lock:
            self.closed = True
            self._withdraw()
            listener, self.listener = self.listener, None
            folder, self.socket_folder = self.socket_folder, None
        if listener is not None:
            try:
                listener.close()
            except OSError:
                pass
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the session is over
                return
            threading.Thread(target=self._serve, args=(connection,), name="ssot-lint check", daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.settimeout(REQUEST_TIMEOUT)
                request = LineReader(connection).line()
                connection.sendall(encode_line({"status": "working"}))
                connection.settimeout(None)
                try:
                    header, payload = self.respond(request)
                except Exception as error:  # noqa: BLE001 - a bug must not end the session: the client checks itself
                    logger.exception("ssot-lint: answering a check failed")
                    header, payload = {"status": "fallback",
                                       "reason": f"internal error: {type(error).__name__}: {error}"}, b""
                connection.sendall(encode_line(header) + payload)
            except OSError:  # the client went away
                pass


@contextmanager
def applied(environment: Mapping[str, str]) -> Iterator[None]:
    """The variables git reads (server_protocol.git_environment) set as in `environment`, for the analysis
    running (under the analysis lock: no other runs git meanwhile)."""
    saved: Dict[str, Optional[str]] = {name: os.environ.get(name) for name in git_environment(os.environ)}
    saved.update({name: os.environ.get(name) for name in environment})
    try:
        for name in saved:
            if name in environment:
                os.environ[name] = environment[name]
            else:
                os.environ.pop(name, None)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
