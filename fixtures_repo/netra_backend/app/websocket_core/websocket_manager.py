"""Accepts websocket connections and routes their messages to engines."""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine
from netra_backend.app.utils.ids import new_id
from netra_backend.app.websocket_core.handlers import MessageHandlerFactory

logger = logging.getLogger(__name__)

engine_factory = ExecutionEngineFactory()


class WebSocketManager:
    """Owns the open connections of one process."""

    def __init__(self, factory: Optional[ExecutionEngineFactory] = None) -> None:
        self._factory = factory or engine_factory
        self._engines: Dict[str, UserExecutionEngine] = {}
        self._handlers = MessageHandlerFactory()

    async def connect(self, user_id: str, thread_id: str) -> str:
        """Open a connection; return its id."""
        connection_id = new_id("ws")
        context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        self._engines[connection_id] = await self._factory.create_for_user(context)
        logger.info("websocket %s connected for %s", connection_id, user_id)
        return connection_id

    async def handle_message(self, connection_id: str, message: Dict[str, Any]) -> Dict[str, Any]:
        engine = self._engines[connection_id]
        handler = self._handlers.for_type(str(message.get("type", "")))
        return await handler.handle(message, engine)

    async def disconnect(self, connection_id: str) -> None:
        engine = self._engines.pop(connection_id, None)
        if engine is not None:
            await self._factory.release(engine)

    @property
    def open_connections(self) -> int:
        return len(self._engines)
