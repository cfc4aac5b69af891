"""The per-request execution engine.

A :class:`UserExecutionEngine` runs agents for exactly one
:class:`UserExecutionContext`. Engines are built by
``ExecutionEngineFactory.create_for_user`` and by nothing else: the factory
enforces per-user limits and cleans engines up.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.core.exceptions import AgentExecutionError

logger = logging.getLogger(__name__)


@dataclass
class AgentExecutionResult:
    """Outcome of one agent run."""

    agent_name: str
    success: bool
    output: Dict[str, Any] = field(default_factory=dict)
    error: Optional[str] = None
    duration_s: float = 0.0


class UserExecutionEngine:
    """Runs agents for one user request, with bounded concurrency."""

    def __init__(
        self,
        context: UserExecutionContext,
        *,
        agent_names: Iterable[str] = (),
        timeout_s: float = 300.0,
        max_concurrent_agents: int = 3,
    ) -> None:
        self.context = context
        self.engine_id = f"engine-{uuid.uuid4().hex[:12]}"
        self.created_at = time.monotonic()
        self.timeout_s = timeout_s
        self._agent_names = frozenset(agent_names)
        self._max_concurrent = max_concurrent_agents
        self._semaphore: Optional[asyncio.Semaphore] = None
        self._history: List[AgentExecutionResult] = []
        self._closed = False

    @property
    def is_active(self) -> bool:
        return not self._closed

    @property
    def history(self) -> List[AgentExecutionResult]:
        return list(self._history)

    def is_expired(self, now: Optional[float] = None) -> bool:
        """True once the engine has outlived its timeout."""
        current = time.monotonic() if now is None else now
        return current - self.created_at > self.timeout_s

    def _get_semaphore(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._max_concurrent)
        return self._semaphore

    async def execute_agent(self, agent_name: str, payload: Mapping[str, Any]) -> AgentExecutionResult:
        """Run ``agent_name`` on ``payload`` for this engine's user."""
        if self._closed:
            raise AgentExecutionError(agent_name, "engine already cleaned up")
        if self._agent_names and agent_name not in self._agent_names:
            raise AgentExecutionError(agent_name, "agent is not registered")
        started = time.monotonic()
        async with self._get_semaphore():
            # The real agents call the LLM here; the fixture just yields once.
            await asyncio.sleep(0)
            output = {"user_id": self.context.user_id, "run_id": self.context.run_id, "input": dict(payload)}
        result = AgentExecutionResult(agent_name, True, output, duration_s=time.monotonic() - started)
        self._history.append(result)
        logger.debug("engine %s ran %s", self.engine_id, agent_name)
        return result

    async def cleanup(self) -> None:
        """Release everything the engine holds; it cannot be used afterwards."""
        self._closed = True
        self._history.clear()
