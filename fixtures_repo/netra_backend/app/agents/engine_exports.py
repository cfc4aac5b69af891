"""Convenience exports so agent code needs a single import line."""
from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
from netra_backend.app.agents.supervisor.execution_engine_factory import get_execution_engine_factory

__all__ = ["ExecutionEngineFactory", "UserExecutionContext", "get_execution_engine_factory"]
