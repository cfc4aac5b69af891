"""Request-scoped agent execution (one factory per HTTP request)."""
from __future__ import annotations

from typing import Any, Dict

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.core.managers.execution_engine_factory import (
    RequestScopedExecutionEngineFactory,
    UserExecutionEngineFactory,
    get_execution_engine_factory,
)


class RequestScope:
    """Everything one request needs; discarded when the request ends."""

    def __init__(self, user_id: str, thread_id: str, shared: bool = False) -> None:
        self.context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        self.factory: UserExecutionEngineFactory = (
            get_execution_engine_factory() if shared else RequestScopedExecutionEngineFactory(max_engines_per_user=1)
        )

    async def run(self, agent: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        engine = await self.factory.create_for_user(self.context)
        try:
            return (await engine.execute_agent(agent, payload)).output
        finally:
            await self.factory.release(engine)
