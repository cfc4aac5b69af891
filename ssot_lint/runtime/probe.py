"""What the runtime binds: run inside the project's own interpreter, which need not have ssot-lint (or
anything but the standard library) installed, so this file imports nothing else of ours.

`python probe.py REQUEST.json [FIRST]` reads a request (written by `runtime/session.py`): the folders to
put first on `sys.path`, the canonical objects to compare with, and groups of queries, each under the
module to import before asking them. It imports the canonicals, then each group from the FIRST on, and
writes one JSON line per step on its standard output, which it keeps for itself: what the project prints
while it is imported goes to standard error. A group announces itself before it starts, so that the
caller, which owns the time limit, knows which module hung when it has to kill the process.

In the same process (`observe`), the test suite's oracle asks it without a subprocess.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
import types
import warnings

_MISSING = object()


def _error(exc: BaseException) -> dict:
    """The exception (`ModuleNotFoundError: No module named 'redis'`) and where it was raised: the
    innermost frame outside the import machinery, relative to the project root when inside it."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "importlib" not in f.filename
              and not f.filename.startswith("<frozen") and f.filename != __file__]
    message = " ".join(str(exc).split())  # one line, however many the message has
    if len(message) > 300:
        message = message[:297] + "..."
    error = {"text": f"{type(exc).__name__}: {message}" if message else type(exc).__name__}
    if frames:
        path = frames[-1].filename
        inside = os.path.abspath(path).startswith(os.getcwd() + os.sep)
        error.update(path=os.path.relpath(path).replace(os.sep, "/") if inside else path, line=frames[-1].lineno)
    return error


def _value(query: dict):
    """What `getattr(module, name)` ("namespace", which a module-level `__getattr__` answers too) or
    `from module import name` ("import": also a submodule) gives; `_MISSING` if nothing."""
    try:
        module = importlib.import_module(query["module"])
    except ModuleNotFoundError as exc:  # the module itself (or a package above it) does not exist
        if exc.name and (query["module"] + ".").startswith(exc.name + "."):
            return _MISSING
        raise
    name = query.get("name")
    if name is None:
        return module
    try:
        return getattr(module, name)
    except AttributeError:
        if query["query"] != "import":
            return _MISSING
    try:
        return importlib.import_module(f"{query['module']}.{name}")
    except ImportError:
        return _MISSING


def _describe(value, canonicals: dict) -> dict:
    """An observation: what the value is, and which canonical objects it is (compared with `is`)."""
    if value is _MISSING:
        return {"state": "missing"}
    if isinstance(value, types.ModuleType):
        return {"state": "module", "module": value.__name__}
    try:
        text = repr(value)
    except Exception:  # a project's __repr__ may fail: the type is enough
        text = f"<{type(value).__name__} object>"
    return {"state": "object", "module": getattr(value, "__module__", None),
            "qualname": getattr(value, "__qualname__", None), "repr": text[:120],
            "is": [symbol for symbol, obj in canonicals.items() if value is obj]}


def _failed(exc: BaseException) -> dict:
    """An import's exception as an error to report: any, SystemExit too, but Ctrl-C."""
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    return _error(exc)


def _ask(query: dict, canonicals: dict) -> dict:
    try:
        return _describe(_value(query), canonicals)
    except BaseException as exc:  # the module it reads from failed to import
        return {"state": "error", "error": _failed(exc)}


def canonical_objects(request: dict) -> tuple:
    """({symbol: object}, {symbol: why it could not be had})."""
    found, errors = {}, {}
    for canonical in request["canonicals"]:
        try:
            value = importlib.import_module(canonical["module"])
            for part in canonical["qualname"].split("."):
                value = getattr(value, part)
            found[canonical["symbol"]] = value
        except BaseException as exc:
            errors[canonical["symbol"]] = _failed(exc)
    return found, errors


def observe(request: dict, emit, first: int = 0) -> None:
    """Ask every group from `first` on, emitting each step (a dict) as it happens."""
    canonicals, errors = canonical_objects(request)
    emit({"event": "canonicals", "errors": errors})
    for index, group in enumerate(request["groups"][first:], first):
        if group["symbols"] and all(symbol in errors for symbol in group["symbols"]):
            # Nothing to compare with: not worth running its code.
            emit({"event": "group", "group": index, "results": [],
                  "error": {"text": "not imported: the canonical objects it is about could not be had"}})
            continue
        emit({"event": "start", "group": index})
        error = None
        try:
            importlib.import_module(group["module"])
        except BaseException as exc:  # SystemExit and the like too: the module failed to import
            error = _failed(exc)
        # What it reads from other modules can still be asked when it failed; its own namespace cannot.
        emit({"event": "group", "group": index, "error": error,
              "results": [{"state": "error", "error": error} if error and query["module"] == group["module"]
                          else _ask(query, canonicals) for query in group["queries"]]})


def main(argv) -> None:
    with open(argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    first = int(argv[2]) if len(argv) > 2 else 0
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the project's prints, even from C, go to standard error
    sys.stdout = sys.stderr
    del sys.path[0]  # this file's folder
    sys.path[:0] = request["paths"]
    warnings.simplefilter("ignore", DeprecationWarning)  # a deprecation shim warns when asked: expected

    def emit(step: dict) -> None:
        channel.write(json.dumps(step) + "\n")
        channel.flush()

    observe(request, emit, first)
    emit({"event": "done"})
    channel.close()
    os._exit(0)  # no atexit hooks nor thread joins of the project's: they are not ours to wait for


if __name__ == "__main__":
    main(sys.argv)
