"""An engine factory variant that pins every engine to a single thread."""
from __future__ import annotations

import logging
from typing import Dict

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine

logger = logging.getLogger(__name__)


class IsolatedExecutionEngineFactory(ExecutionEngineFactory):
    """Refuses to hand a thread's engine slot to another thread of the same user."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._thread_owner: Dict[str, str] = {}

    async def create_for_user(self, context: UserExecutionContext) -> UserExecutionEngine:
        owner = self._thread_owner.setdefault(context.thread_id, context.user_id)
        if owner != context.user_id:
            raise PermissionError(f"thread {context.thread_id} belongs to another user")
        engine = await super().create_for_user(context)
        logger.debug("isolated engine %s for thread %s", engine.engine_id, context.thread_id)
        return engine
