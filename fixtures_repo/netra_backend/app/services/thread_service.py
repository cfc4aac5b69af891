"""Thread service: agent runs that continue an existing conversation thread."""
from __future__ import annotations

from typing import Any, Dict

from netra_backend.app.agents.engine_exports import ExecutionEngineFactory, UserExecutionContext


class ThreadService:
    """Continues a thread with a new run, keeping the thread id."""

    def __init__(self, factory: ExecutionEngineFactory) -> None:
        self._factory = factory

    async def continue_thread(self, user_id: str, thread_id: str, text: str) -> Dict[str, Any]:
        context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        engine = await self._factory.create_for_user(context)
        try:
            result = await engine.execute_agent("triage", {"text": text})
        finally:
            await self._factory.release(engine)
        return {"thread_id": thread_id, "run_id": context.run_id, "output": result.output}
