"""Message service: persists messages and triggers agent runs for them."""
from __future__ import annotations

from typing import Any, Dict, List

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.core.managers.execution_engine_factory import ExecutionEngineFactory  # noqa: SSOT002
from netra_backend.app.models.message import ChatMessage, MessageRole


class MessageService:
    """Stores messages per thread and asks the triage agent about each."""

    def __init__(self, factory: ExecutionEngineFactory) -> None:
        self._factory = factory
        self._messages: Dict[str, List[ChatMessage]] = {}

    async def post(self, user_id: str, thread_id: str, text: str) -> Dict[str, Any]:
        self._messages.setdefault(thread_id, []).append(ChatMessage(role=MessageRole.USER, content=text))
        context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        engine = await self._factory.create_for_user(context)
        try:
            return (await engine.execute_agent("triage", {"text": text})).output
        finally:
            await self._factory.release(engine)
