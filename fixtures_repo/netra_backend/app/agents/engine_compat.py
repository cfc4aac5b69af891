"""Deprecated names of the agents package, kept so that old import paths keep working.

ExecutionEngineFactory moved to netra_backend.app.agents.supervisor.execution_engine_factory; importing
it from here still works, with a DeprecationWarning, until the last caller has moved.
"""

import importlib
import warnings

_MOVED = {
    "ExecutionEngineFactory": "netra_backend.app.agents.supervisor.execution_engine_factory",
}


def __getattr__(name):
    if name in _MOVED:
        warnings.warn(f"{__name__}.{name} is deprecated; import it from {_MOVED[name]}",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
