"""Supervisor service: fans a request out to several agents."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Sequence

from netra_backend.app.agents.supervisor import ExecutionEngineFactory
from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext


class SupervisorService:
    """Runs a plan of agents in one engine, concurrently."""

    def __init__(self, factory: ExecutionEngineFactory) -> None:
        self._factory = factory

    async def run_plan(self, context: UserExecutionContext, agents: Sequence[str],
                       payload: Dict[str, Any]) -> List[Dict[str, Any]]:
        engine = await self._factory.create_for_user(context)
        try:
            results = await asyncio.gather(*(engine.execute_agent(a, payload) for a in agents))
        finally:
            await self._factory.release(engine)
        return [r.output for r in results]
