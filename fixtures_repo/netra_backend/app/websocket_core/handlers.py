"""Handlers for the websocket message types."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

from netra_backend.app.models.message import ChatMessage, MessageRole

if TYPE_CHECKING:
    from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine


class BaseMessageHandler:
    """Handles one websocket message type."""

    message_type = ""

    async def handle(self, message: Dict[str, Any], engine: "UserExecutionEngine") -> Dict[str, Any]:
        raise NotImplementedError


class UserMessageHandler(BaseMessageHandler):
    message_type = "user_message"

    async def handle(self, message: Dict[str, Any], engine: "UserExecutionEngine") -> Dict[str, Any]:
        incoming = ChatMessage(role=MessageRole.USER, content=str(message.get("text", "")))
        result = await engine.execute_agent("triage", {"text": incoming.content})
        return {"type": "agent_completed", "output": result.output}


class PingHandler(BaseMessageHandler):
    message_type = "ping"

    async def handle(self, message: Dict[str, Any], engine: "UserExecutionEngine") -> Dict[str, Any]:
        return {"type": "pong"}


class MessageHandlerFactory:
    """Returns the handler for a message type."""

    def __init__(self) -> None:
        self._handlers: Dict[str, BaseMessageHandler] = {
            handler.message_type: handler for handler in (UserMessageHandler(), PingHandler())
        }

    def for_type(self, message_type: str) -> BaseMessageHandler:
        try:
            return self._handlers[message_type]
        except KeyError:
            raise ValueError(f"unsupported websocket message type {message_type!r}") from None

    def supported_types(self) -> List[str]:
        return sorted(self._handlers)
