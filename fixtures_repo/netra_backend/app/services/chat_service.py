"""Chat service: turns a user message into an agent run."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import get_execution_engine_factory
from netra_backend.app.models.message import ChatMessage, MessageRole
from netra_backend.app.models.thread import Thread

if TYPE_CHECKING:
    from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory


class ChatService:
    """Answers chat messages by running the triage agent for the sender."""

    def __init__(self, factory: Optional["ExecutionEngineFactory"] = None) -> None:
        self._factory = factory
        self._threads: Dict[str, Thread] = {}

    @property
    def factory(self) -> "ExecutionEngineFactory":
        if self._factory is None:
            self._factory = get_execution_engine_factory()
        return self._factory

    def thread(self, thread_id: str, user_id: str) -> Thread:
        if thread_id not in self._threads:
            self._threads[thread_id] = Thread(thread_id=thread_id, user_id=user_id)
        return self._threads[thread_id]

    async def send_message(self, user_id: str, thread_id: str, text: str) -> ChatMessage:
        thread = self.thread(thread_id, user_id)
        thread.add(ChatMessage(role=MessageRole.USER, content=text))
        context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        engine = await self.factory.create_for_user(context)
        try:
            result = await engine.execute_agent("triage", {"text": text})
        finally:
            await self.factory.release(engine)
        reply = ChatMessage(role=MessageRole.ASSISTANT, content=str(result.output["input"]["text"]))
        thread.add(reply)
        return reply

    def history(self, thread_id: str) -> List[ChatMessage]:
        thread = self._threads.get(thread_id)
        return list(thread.messages) if thread else []
