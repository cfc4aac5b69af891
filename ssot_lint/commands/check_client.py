"""`ssot-lint check` answered by a running `ssot-lint server` for the project, when it can be (see
server_protocol.py for how the two find each other and talk).

`served(args)` is called before the command line itself is loaded (typer and the engine cost 0.1 s of
imports, most of what a check answered by a server takes). It asks a server only for a check whose answer
is then guaranteed to be the one this process would find: options it understands exactly (the paths to
report on, `--config`, `--output-format`, `--baseline`, `--exit-zero`, `--quiet`, `--verbose`,
`--unsafe-fixes`, `--jobs`), a server of the same version for the same config file, which answers from the
files on disk as they are at the request. Anything else (another option, a path that does not exist, no
config, no server, a server of another version or configuration, a stale state file, an error, a timeout,
a server that dies mid-answer) returns None before anything is printed, and the check runs in this process
as it always has: its error messages, exit codes and output are the command line's own. The violations a
server sends are printed by check_output.py, as the command line prints its own.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ssot_lint import __version__
from ssot_lint.commands.server_protocol import (
    PROTOCOL, LineReader, encode_line, git_environment, servers_folder, which_git,
)

FORMATS = ("concise", "text", "json", "json-lines", "github", "sarif", "junit")
FLAGS = {"--exit-zero": "exit_zero", "--quiet": "quiet", "-q": "quiet", "--verbose": "verbose", "-v": "verbose",
         "--unsafe-fixes": "unsafe_fixes"}
VALUED = {"--config": "config", "--output-format": "output_format", "--baseline": "baseline", "--jobs": "jobs",
          "-j": "jobs"}

CONNECT_TIMEOUT = 1.0  # seconds: a server that does not accept at once is not waited for
ACK_TIMEOUT = 5.0  # ... nor one that does not say it read the request
ANSWER_TIMEOUT = float(os.environ.get("SSOT_LINT_SERVER_TIMEOUT", "") or 300.0)  # an analysis of a large change


class NotServed(Exception):
    """Why the check runs in this process (said with --verbose)."""


def parse(args: List[str]) -> Optional[Dict[str, object]]:
    """check's options, if they are all ones a server can serve and spelt so that their meaning is certain;
    else None (the command line then parses them, and reports what is wrong with them)."""
    options: Dict[str, object] = {"paths": []}
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg in FLAGS:
            options[FLAGS[arg]] = True
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in VALUED:
            if not equals:
                if index >= len(args):
                    return None
                value = args[index]
                index += 1
            key = VALUED[name]
            if key in options or not value or value.startswith("-"):
                return None
            options[key] = value
            continue
        if arg.startswith("-") or not arg:  # another option (--fix, --select, --no-server, --help, --), or "-"
            return None
        options["paths"].append(arg)  # type: ignore[union-attr]
    if options.get("quiet") and options.get("verbose"):
        return None
    output_format = str(options.get("output_format", "concise"))
    if not output_format.isascii() or output_format.lower() not in FORMATS:
        return None
    options["output_format"] = output_format.lower()
    jobs = options.get("jobs")
    if jobs is not None and not (str(jobs).isdigit() and str(jobs).isascii() and int(str(jobs)) >= 1):
        return None
    return options


def served(args: List[str]) -> Optional[int]:
    """`ssot-lint check ARGS` answered by a running server: its exit code; None when it is not (nothing
    was printed, except with --verbose one line on stderr saying why)."""
    options = parse(args)
    if options is None:
        return None
    verbose = bool(options.get("verbose"))
    try:
        answer = ask(options)
    except NotServed as reason:
        if verbose:
            sys.stderr.write(f"ssot-lint: {reason}; checking in this process\n")
        return None
    except KeyboardInterrupt:
        sys.stderr.write("ssot-lint: interrupted\n")
        return 130
    except Exception as error:  # noqa: BLE001 - whatever goes wrong here, the check itself is still run
        if verbose:
            sys.stderr.write(f"ssot-lint: asking the server failed ({type(error).__name__}: {error}); checking "
                             "in this process\n")
        return None
    try:
        output, said, code = prepare(options, *answer)
    except KeyboardInterrupt:
        sys.stderr.write("ssot-lint: interrupted\n")
        return 130
    except Exception as error:  # noqa: BLE001 - a baseline that cannot be read, say: the command line says it
        if verbose:
            sys.stderr.write(f"ssot-lint: the server answered, but {type(error).__name__}: {error}; checking in "
                             "this process\n")
        return None
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
        if verbose:
            sys.stderr.write(said)
    except BrokenPipeError:
        _silence_stdout()
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("ssot-lint: interrupted\n")
        return 130
    return code


def ask(options: Dict[str, object]) -> Tuple[object, Path, dict]:
    """(the result to print, the config file, the server's header); NotServed if no server answers."""
    paths = [Path(p) for p in options["paths"]]  # type: ignore[union-attr]
    if not all(path.exists() for path in paths):
        raise NotServed("a path given does not exist")
    config = config_file(options.get("config"), paths)  # type: ignore[arg-type]
    root = config.parent
    request = {"protocol": PROTOCOL, "version": __version__, "config": str(config),
               "paths": [str(path.resolve()) for path in paths], "env": git_environment(os.environ),
               "git": which_git(os.environ)}
    folder = servers_folder(str(root))
    try:
        names = [entry for entry in os.scandir(folder) if entry.name.endswith(".json")]
    except OSError:
        raise NotServed("no server is running for this project") from None
    if not names:
        raise NotServed("no server is running for this project")
    reasons = []
    for entry in sorted(names, key=_newest_first):
        state = _state(entry.path)
        if state is None:
            continue
        if state.get("protocol") != PROTOCOL or state.get("version") != __version__:
            reasons.append(f"the server running (pid {state.get('pid')}) is ssot-lint {state.get('version')}, "
                           f"this is {__version__}")
            continue
        if state.get("config") != str(config):
            reasons.append(f"the server running (pid {state.get('pid')}) serves {state.get('config')}, not {config}")
            continue
        connection = _connect(entry.path, state)
        if connection is None:
            continue
        with connection:
            header, violations = _exchange(connection, request, state)
        from ssot_lint.commands.check_output import ServedResult

        return ServedResult(violations, int(header["files"]), int(header["suppressed"])), config, header
    raise NotServed("; ".join(reasons) or "no server is running for this project")


def config_file(option: Optional[str], paths: List[Path]) -> Path:
    """The config file the command line would read (config.load_project_config), resolved."""
    if option is not None:
        path = Path(option)
        if not path.is_file():
            raise NotServed(f"{option}: no such config file")
        return path.resolve()
    from ssot_lint.config import find_config_file

    found = find_config_file(paths[0] if paths else Path.cwd())
    if found is None:
        raise NotServed("no configuration found")
    return found.resolve()


def _newest_first(entry: os.DirEntry) -> float:
    try:
        return -entry.stat().st_mtime
    except OSError:
        return 0.0


def _state(path: str) -> Optional[dict]:
    """A server's state file, if it is one of this user's."""
    import json

    try:
        with open(path, "rb") as handle:
            if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_uid != os.getuid():
                return None
            state = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("pid"), int) else None


def _connect(state_path: str, state: dict):
    """A connection to the server the state file names; None (and the file removed) if it is gone."""
    import socket

    pid, address = state["pid"], state.get("socket")
    if not hasattr(socket, "AF_UNIX") or not isinstance(address, str):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:  # killed without cleaning up after itself
        _remove_stale(state_path, state)
        return None
    except PermissionError:  # the pid is another user's now
        _remove_stale(state_path, state)
        return None
    try:
        folder = os.stat(os.path.dirname(address))
        if hasattr(os, "getuid") and (folder.st_uid != os.getuid() or folder.st_mode & 0o077):
            return None  # not a private folder of this user's: not to be trusted
    except OSError:
        _remove_stale(state_path, state)
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(CONNECT_TIMEOUT)
    try:
        connection.connect(address)
    except (ConnectionRefusedError, FileNotFoundError):
        connection.close()
        _remove_stale(state_path, state)
        return None
    except OSError:
        connection.close()
        return None
    peer = getattr(socket, "SO_PEERCRED", None)
    if peer is not None:  # Linux: the process at the other end is the one the file names, and this user's
        import struct

        try:
            their_pid, their_uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, peer,
                                                                                struct.calcsize("3i")))
        except OSError:
            their_pid, their_uid = -1, -1
        if their_pid != pid or their_uid != os.getuid():
            connection.close()
            return None
    return connection


def _remove_stale(state_path: str, state: dict) -> None:
    """Remove a dead server's state file, unless a new one took its place meanwhile, and its socket's
    private folder."""
    if _state(state_path) != state:
        return
    try:
        os.unlink(state_path)
    except OSError:
        pass
    address = state.get("socket")
    folder = os.path.dirname(address) if isinstance(address, str) else ""
    if os.path.basename(folder).startswith("ssot-lint-"):  # (tempfile.mkdtemp's, as server_check.py names it)
        try:
            os.unlink(address)
            os.rmdir(folder)
        except OSError:
            pass


def _exchange(connection, request: dict, state: dict) -> Tuple[dict, tuple]:
    connection.settimeout(ACK_TIMEOUT)
    connection.sendall(encode_line(request))
    reader = LineReader(connection)
    ack = reader.line()
    if ack is None or ack.get("status") != "working":
        raise NotServed(f"the server (pid {state['pid']}) did not take the request")
    connection.settimeout(ANSWER_TIMEOUT)
    header = reader.line()
    if header is None:
        raise NotServed(f"the server (pid {state['pid']}) stopped before answering")
    if header.get("status") != "ok":
        raise NotServed(f"the server (pid {state['pid']}) cannot answer: {header.get('reason', 'no reason given')}")
    size = header.get("size")
    payload = reader.exactly(size) if isinstance(size, int) and size >= 0 else None
    if payload is None:
        raise NotServed(f"the server (pid {state['pid']}) stopped in the middle of its answer")
    import pickle

    violations = pickle.loads(payload)
    if not isinstance(violations, tuple):
        raise NotServed(f"the server (pid {state['pid']}) answered something else")
    return header, violations


def prepare(options: Dict[str, object], result, config: Path, header: dict) -> Tuple[str, str, int]:
    """What to print, as the command line prints its own answer (check_output.py), what --verbose adds on
    stderr, and the exit code. Nothing is printed yet, so that anything failing here still leaves the check
    to the command line."""
    started = time.perf_counter()
    from ssot_lint.commands.check_output import OutputFormat, apply_baseline, exit_code, known_line, render

    output_format = OutputFormat(options["output_format"])
    quiet, baseline = bool(options.get("quiet")), options.get("baseline")
    baseline_path = Path(str(baseline)) if baseline is not None else None
    result, known = apply_baseline(result, baseline_path)
    text = render(output_format, result, config.parent, quiet, bool(options.get("unsafe_fixes")))
    line = known_line(known, baseline_path, output_format, quiet)
    if line is not None:
        text += line + "\n"
    said = (
        f"ssot-lint: answered by the running server (pid {header.get('pid')}): {header['files']} files, "
        f"{header.get('how', '')}; config {config}\n"
        f"ssot-lint: time: server {float(header.get('seconds', 0.0)):.2f} s, printing "
        f"{time.perf_counter() - started:.2f} s\n")
    return text, said, exit_code(result, bool(options.get("exit_zero")))


def _silence_stdout() -> None:
    """After a broken pipe, Python's own flush at exit would complain: point stdout at nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
