"""Agent service: runs a named agent on behalf of a user."""
from __future__ import annotations

from typing import Any, Dict, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.core.managers.execution_engine_factory import ExecutionEngineFactory


class AgentService:
    """Thin service over the engine factory used by the agent routes."""

    def __init__(self, factory: Optional[ExecutionEngineFactory] = None) -> None:
        self._factory = factory or ExecutionEngineFactory()

    async def run_agent(self, user_id: str, thread_id: str, agent: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        engine = await self._factory.create_for_user(context)
        try:
            result = await engine.execute_agent(agent, payload)
        finally:
            await self._factory.release(engine)
        return {"agent": agent, "success": result.success, "output": result.output}
