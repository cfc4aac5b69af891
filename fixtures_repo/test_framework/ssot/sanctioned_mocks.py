"""The sanctioned test double of the execution engine factory.

Real engines, recorded calls, no per-user limit. Tests that need a factory
use this and nothing else.
"""
from __future__ import annotations

from typing import List

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine


class SanctionedMockExecutionEngineFactory:
    """Wraps a real factory and records every engine it creates."""

    def __init__(self) -> None:
        self._real = ExecutionEngineFactory(max_engines_per_user=10_000)
        self.created: List[UserExecutionEngine] = []

    async def create_for_user(self, context: UserExecutionContext) -> UserExecutionEngine:
        engine = await self._real.create_for_user(context)
        self.created.append(engine)
        return engine

    async def release(self, engine: UserExecutionEngine) -> None:
        await self._real.release(engine)

    def detached_engine(self, context: UserExecutionContext) -> UserExecutionEngine:
        """An engine outside any factory bookkeeping (for engine unit tests)."""
        return UserExecutionEngine(context, timeout_s=5.0)
