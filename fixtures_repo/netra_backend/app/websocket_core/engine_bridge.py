"""Bridge between websocket sessions and agent execution engines."""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext

logger = logging.getLogger(__name__)

try:
    from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
except ImportError:  # pragma: no cover - older deployments
    try:
        from netra_backend.app.core.managers.execution_engine_factory import ExecutionEngineFactory
    except ImportError:
        logger.error("no execution engine factory available; websocket agents disabled")

        class ExecutionEngineFactory:  # type: ignore[no-redef]
            """Placeholder that refuses to create engines."""

            def __init__(self, **factory_kwargs: Any) -> None:
                self.factory_kwargs = factory_kwargs

            async def create_for_user(self, context: Any) -> Any:
                raise RuntimeError("agent execution is not available")


class EngineBridge:
    """Runs one agent call for a websocket session."""

    def __init__(self, factory: Optional[ExecutionEngineFactory] = None) -> None:
        self._factory = factory or ExecutionEngineFactory()

    async def run(self, user_id: str, thread_id: str, agent: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        engine = await self._factory.create_for_user(context)
        try:
            return (await engine.execute_agent(agent, payload)).output
        finally:
            await self._factory.release(engine)
