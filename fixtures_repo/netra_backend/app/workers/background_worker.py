"""Background worker: runs agent jobs pulled from the queue."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory

logger = logging.getLogger(__name__)

_engine_factory: Optional[ExecutionEngineFactory] = None


def get_factory() -> ExecutionEngineFactory:
    """The worker's factory, created on first use."""
    global _engine_factory
    if _engine_factory is None:
        _engine_factory = ExecutionEngineFactory()
    return _engine_factory


@dataclass
class AgentJob:
    user_id: str
    thread_id: str
    agent: str
    payload: Dict[str, Any] = field(default_factory=dict)


class BackgroundWorker:
    """Consumes :class:`AgentJob` items from an asyncio queue."""

    def __init__(self, queue: "asyncio.Queue[Optional[AgentJob]]") -> None:
        self._queue = queue
        self.results: List[Dict[str, Any]] = []

    async def run(self) -> None:
        factory = get_factory()
        while True:
            job = await self._queue.get()
            if job is None:
                return
            context = UserExecutionContext.from_request(user_id=job.user_id, thread_id=job.thread_id)
            engine = await factory.create_for_user(context)
            try:
                self.results.append((await engine.execute_agent(job.agent, job.payload)).output)
            except Exception:  # noqa: BLE001 - a failed job must not stop the worker
                logger.exception("job for %s failed", job.user_id)
            finally:
                await factory.release(engine)
