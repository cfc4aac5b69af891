"""Per-user execution engine factory: the single source of truth.

Every chat request gets its own :class:`UserExecutionEngine`, created here and
nowhere else, so that no state is shared between users. Import the factory
from this module::

    from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Dict, List, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine
from netra_backend.app.config import get_config
from netra_backend.app.core.exceptions import EngineLimitExceeded

logger = logging.getLogger(__name__)

__all__ = ["EngineFactory", "ExecutionEngineFactory", "get_execution_engine_factory"]


class ExecutionEngineFactory:
    """Creates and tracks one isolated :class:`UserExecutionEngine` per request.

    The factory keeps no per-user state besides the bookkeeping of live
    engines, which it uses to enforce ``max_engines_per_user`` and to clean
    engines up when a request ends or times out.
    """

    def __init__(self, max_engines_per_user: int = 2, engine_timeout_s: float = 300.0) -> None:
        self.max_engines_per_user = max_engines_per_user
        self.engine_timeout_s = engine_timeout_s
        self._engines: Dict[str, UserExecutionEngine] = {}
        self._lock: Optional[asyncio.Lock] = None
        self._created_total = 0

    def _get_lock(self) -> asyncio.Lock:
        # Created lazily: the factory may be built before any event loop runs.
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def create_for_user(self, context: UserExecutionContext) -> UserExecutionEngine:
        """Return a fresh engine bound to ``context``."""
        async with self._get_lock():
            live = self._engines_for(context.user_id)
            if len(live) >= self.max_engines_per_user:
                raise EngineLimitExceeded(context.user_id, self.max_engines_per_user)
            engine = UserExecutionEngine(
                context,
                agent_names=agent_registry.get_agent_registry().names(),
                timeout_s=self.engine_timeout_s,
            )
            self._engines[engine.engine_id] = engine
            self._created_total += 1
        logger.debug("created engine %s for user %s", engine.engine_id, context.user_id)
        return engine

    async def release(self, engine: UserExecutionEngine) -> None:
        """Forget ``engine`` and clean it up."""
        async with self._get_lock():
            self._engines.pop(engine.engine_id, None)
        await engine.cleanup()

    async def cleanup_expired(self, now: Optional[float] = None) -> int:
        """Clean up every engine past its timeout; return how many were removed."""
        current = time.monotonic() if now is None else now
        async with self._get_lock():
            expired = [e for e in self._engines.values() if e.is_expired(current)]
            for engine in expired:
                del self._engines[engine.engine_id]
        for engine in expired:
            await engine.cleanup()
        return len(expired)

    def _engines_for(self, user_id: str) -> List[UserExecutionEngine]:
        return [e for e in self._engines.values() if e.context.user_id == user_id]

    def metrics(self) -> Dict[str, int]:
        """Counters for the admin and health endpoints."""
        return {"active_engines": len(self._engines), "created_total": self._created_total}


#: Short alias used inside the supervisor package.
EngineFactory = ExecutionEngineFactory

_factory_instance: Optional[ExecutionEngineFactory] = None


def get_execution_engine_factory() -> ExecutionEngineFactory:
    """Return the process-wide factory, creating it on first use."""
    global _factory_instance
    if _factory_instance is None:
        config = get_config()
        _factory_instance = ExecutionEngineFactory(
            max_engines_per_user=config.max_engines_per_user,
            engine_timeout_s=config.engine_timeout_s,
        )
    return _factory_instance


# The registry imports this module back; importing it last keeps both import
# orders working (see agent_registry.py).
from netra_backend.app.agents.supervisor import agent_registry  # noqa: E402
