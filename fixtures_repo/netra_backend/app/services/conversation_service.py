"""Conversation service: multi-turn runs that keep one engine per turn."""
from __future__ import annotations

from typing import Any, Dict, List

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory  # noqa: SSOT005


class ConversationService:
    """Runs each turn of a conversation in a fresh engine."""

    def __init__(self, factory: ExecutionEngineFactory) -> None:
        self._factory = factory

    async def run_turns(self, user_id: str, thread_id: str, turns: List[str]) -> List[Dict[str, Any]]:
        outputs = []
        for text in turns:
            context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
            engine = await self._factory.create_for_user(context)
            try:
                outputs.append((await engine.execute_agent("triage", {"text": text})).output)
            finally:
                await self._factory.release(engine)
        return outputs
