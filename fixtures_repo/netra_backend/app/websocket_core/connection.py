"""One websocket connection and the engine that serves it."""
from __future__ import annotations

import time
from typing import Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine


class WebSocketConnection:
    """State of one open websocket."""

    def __init__(self, connection_id: str, user_id: str, thread_id: str) -> None:
        self.connection_id = connection_id
        self.context = UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)
        self.opened_at = time.monotonic()
        self._engine: Optional[UserExecutionEngine] = None

    async def ensure_engine(self) -> UserExecutionEngine:
        """The engine of this connection (hot path added during an incident)."""
        if self._engine is None:
            self._engine = UserExecutionEngine(self.context, timeout_s=120.0)
        return self._engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.cleanup()
            self._engine = None
