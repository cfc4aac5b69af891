"""Service kept for the v1 agent API, written against the unified factory."""
from __future__ import annotations

import warnings
from typing import Any, Dict, Optional

from netra_backend.app.agents.execution_engine_unified_factory import UnifiedExecutionEngineFactory


class UnifiedEngineService:
    """v1 API: identifiers are passed one by one."""

    def __init__(self) -> None:
        self._factory: Optional[UnifiedExecutionEngineFactory] = None

    @property
    def factory(self) -> UnifiedExecutionEngineFactory:
        if self._factory is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                self._factory = UnifiedExecutionEngineFactory()
        return self._factory

    async def execute(self, user_id: str, thread_id: str, run_id: str, agent: str,
                      payload: Dict[str, Any]) -> Dict[str, Any]:
        engine = await self.factory.create_execution_engine(user_id, thread_id, run_id)
        try:
            return (await engine.execute_agent(agent, payload)).output
        finally:
            await self.factory.cleanup_engine(engine)
