"""What every module of a project binds at runtime, as JSON: run it in a fresh interpreter.

`python tests/runtime_names.py ROOT` imports every module of the project at ROOT
(its configured `src` folders on `sys.path`) and prints, for each, either the
error that stopped its import or each module-level name with the identity of
the object it holds: `module.qualname` for classes and functions, the module's
name for modules, the type for anything else. Comparing two runs shows whether
a change to the code (a fix) changed what any name is bound to.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from pathlib import Path


def identity(value) -> str:
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    if isinstance(value, (type, types.FunctionType)):
        return f"{value.__module__}.{value.__qualname__}"
    return f"a {type(value).__module__}.{type(value).__qualname__}"


def main(root: str) -> None:
    from ssot_lint.config import load_config
    from ssot_lint.files.discovery import discover

    config = load_config(Path(root) / "pyproject.toml")
    sys.dont_write_bytecode = True  # a fixed file can keep its size and mtime second: no stale .pyc
    for folder in reversed(config.src_roots):
        sys.path.insert(0, str(folder))
    report = {}
    for source in sorted(discover(config), key=lambda s: s.module):
        try:
            module = importlib.import_module(source.module)
        except BaseException as exc:  # noqa: BLE001 - a module that cannot import is a finding, not a crash
            report[source.module] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        report[source.module] = {"names": {name: identity(value) for name, value in sorted(vars(module).items())
                                           if not name.startswith("__")}}
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
