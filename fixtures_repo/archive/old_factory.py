"""Archived 2023 request-scoped factory. Not imported anywhere; kept for reference."""
from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine
from netra_backend.app.core.managers.execution_engine_factory import RequestScopedExecutionEngineFactory

OldRequestScopedFactory = RequestScopedExecutionEngineFactory

shared_engine = UserExecutionEngine(UserExecutionContext(user_id="archive", thread_id="archive", run_id="archive"))


class ExecutionEngineFactory:
    """The 2023 factory: every caller got the same engine."""

    def create_for_user(self, context):
        return shared_engine
