"""How `ssot-lint check` finds a running `ssot-lint server` for its project and asks it for the answer:
what both sides must agree on. The standard library only, and little of it: the client side runs before
anything else is imported (ssot_lint/entry.py).

**Finding a server.** A server whose analysis of a project is ready says so in a state file,
`.ssot_lint_cache/servers/<pid>.json` at the project root (the folder of its config file), owned by the
user and readable by nobody else:

    {"protocol": 1, "version": "0.1.0", "pid": 4242, "config": "/abs/pyproject.toml",
     "socket": "/tmp/ssot-lint-x1y2z3/check.sock"}

`socket` is a Unix-domain socket in a private temporary folder (mode 0700; a short path, as socket paths
must be). A server killed without its clean-up leaves its file behind: a client finding the pid gone, or
the socket refusing it, removes the file. Where Python has no Unix-domain sockets (Windows), no server
advertises itself, and `check` always runs in its own process.

**One request per connection.** The client sends one JSON line:

    {"protocol": 1, "version": "0.1.0", "config": "/abs/pyproject.toml",
     "paths": ["/abs/app/service.py"], "env": {"GIT_INDEX_FILE": ".git/index"},
     "git": ["/usr/bin/git", 3713416, 1759795200000000000]}

(`paths` resolved, as check's arguments; `env`: the variables that can change what git lists, which the
server applies to the analysis it runs for this request; `git`: the git the client would run). The server
answers a JSON line at once, `{"status": "working"}` (it read the request: a server that does not answer
this is not waited for), then a JSON line

    {"status": "ok", "pid": 4242, "files": 14546, "suppressed": 3, "seconds": 0.03, "size": 5120,
     "how": "nothing changed on disk since its last analysis"}

followed by `size` bytes, a pickle of the violations in those paths (a tuple of `rule.Violation`, sorted
and fingerprinted, exactly `check`'s), or `{"status": "fallback", "reason": "..."}`: the client then runs
the check itself. So does any other answer, an error, a timeout, or a connection closed early.
"""

from __future__ import annotations

import json
import os
from typing import Dict, List, Mapping, Optional

PROTOCOL = 1
CACHE_DIRNAME = ".ssot_lint_cache"  # files/cache.py's (a test checks that they agree)
SERVERS_FOLDER = "servers"
SOCKET_NAME = "check.sock"
MAX_LINE = 1 << 24  # the longest JSON line either side reads (a request naming thousands of paths)

# The environment git reads that can change what discovery lists: which index, which repository, which
# configuration and ignore files. Everything else git reads (who commits, which editor, the network) cannot.
IRRELEVANT_TO_GIT_LISTING = (
    "GIT_AUTHOR_", "GIT_COMMITTER_", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PAGER", "GIT_PREFIX", "GIT_SSL_",
    "GIT_SSH", "GIT_ASKPASS", "GIT_TERMINAL_PROMPT", "GIT_TRACE", "GIT_REFLOG_ACTION", "GIT_HTTP_", "GIT_PROXY_",
    "GIT_MERGE_", "GIT_DIFF_", "GIT_EXTERNAL_DIFF", "GIT_PUSH_", "GIT_EXEC_PATH", "GIT_PROTOCOL",
)
ALSO_READ_BY_GIT = ("HOME", "XDG_CONFIG_HOME")  # where the global configuration and ignore files are


def git_environment(environ: Mapping[str, str]) -> Dict[str, str]:
    """The variables of `environ` that git's listing of the files may depend on."""
    return {name: value for name, value in environ.items()
            if name in ALSO_READ_BY_GIT or (name.startswith("GIT_") and not name.startswith(IRRELEVANT_TO_GIT_LISTING))}


def which_git(environ: Mapping[str, str]) -> Optional[List]:
    """The git a subprocess would run (`shutil.which`, without importing shutil): [path, size, mtime_ns], or
    None. (git runs its hooks with its own folder first on the PATH, where it has a copy of itself: the
    server compares versions, `git --version`, not paths.)"""
    for folder in environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or os.curdir, "git")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            path = os.path.realpath(candidate)
            try:
                stat = os.stat(path)
            except OSError:
                return None
            return [path, stat.st_size, stat.st_mtime_ns]
    return None


def servers_folder(root: str) -> str:
    return os.path.join(root, CACHE_DIRNAME, SERVERS_FOLDER)


def encode_line(message: Mapping) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode("utf-8") + b"\n"


class LineReader:
    """Lines off a socket, then the bytes after them (each read bounded by the socket's timeout)."""

    def __init__(self, connection):
        self.connection = connection
        self.buffer = b""

    def line(self) -> Optional[dict]:
        """The next JSON line as a dict; None if the connection ends first, or the line is not one."""
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                return None
            chunk = self.connection.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            message = json.loads(line)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    def exactly(self, size: int) -> Optional[bytes]:
        """The next `size` bytes; None if the connection ends first."""
        chunks, have = [self.buffer], len(self.buffer)
        while have < size:
            chunk = self.connection.recv(min(1 << 20, max(65536, size - have)))
            if not chunk:
                return None
            chunks.append(chunk)
            have += len(chunk)
        data = b"".join(chunks)
        self.buffer = data[size:]
        return data[:size]
