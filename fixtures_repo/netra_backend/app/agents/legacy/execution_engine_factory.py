"""The pre-isolation engine factory: one shared pool of engines for everyone.

Superseded by ``netra_backend.app.agents.supervisor.execution_engine_factory``;
still used by the legacy worker.
"""
from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional


class LegacyExecutionEngine:
    """An engine shared by every request that picks it from the pool."""

    _ids = itertools.count(1)

    def __init__(self) -> None:
        self.engine_id = next(self._ids)
        self.state: Dict[str, Any] = {}

    def run(self, agent_name: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        self.state[agent_name] = payload
        return {"agent": agent_name, "engine": self.engine_id, "input": payload}


class ExecutionEngineFactory:
    """Hands out engines from a fixed-size shared pool (round robin)."""

    def __init__(self, pool_size: int = 4) -> None:
        self._pool: List[LegacyExecutionEngine] = [LegacyExecutionEngine() for _ in range(pool_size)]
        self._next = 0

    def get_engine(self, user_id: Optional[str] = None) -> LegacyExecutionEngine:
        engine = self._pool[self._next % len(self._pool)]
        self._next += 1
        return engine

    def pool_size(self) -> int:
        return len(self._pool)
