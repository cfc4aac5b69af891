"""Usage reports. Still imports the factory through the deprecated compat module."""

from netra_backend.app.agents.engine_compat import ExecutionEngineFactory


def report_engine_type():
    return ExecutionEngineFactory.__name__
