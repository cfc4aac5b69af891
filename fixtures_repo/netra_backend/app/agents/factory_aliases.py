"""Short aliases for the supervisor types most agent code touches."""
from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory

Context = UserExecutionContext
Factory = ExecutionEngineFactory
