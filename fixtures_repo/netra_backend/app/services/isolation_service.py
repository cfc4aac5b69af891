"""Runs agents for tenants that require strict thread isolation."""
from __future__ import annotations

from typing import Any, Dict, Optional

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.services.isolated_execution_engine_factory import IsolatedExecutionEngineFactory


class IsolationService:
    """Agent runs for enterprise tenants, one factory per tenant."""

    def __init__(self) -> None:
        self._factories: Dict[str, IsolatedExecutionEngineFactory] = {}

    def factory_for(self, tenant_id: str) -> IsolatedExecutionEngineFactory:
        if tenant_id not in self._factories:
            self._factories[tenant_id] = IsolatedExecutionEngineFactory(max_engines_per_user=1)
        return self._factories[tenant_id]

    async def run(self, tenant_id: str, context: UserExecutionContext, agent: str,
                  payload: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        factory = self.factory_for(tenant_id)
        engine = await factory.create_for_user(context)
        try:
            result = await engine.execute_agent(agent, payload or {})
            return result.output
        finally:
            await factory.release(engine)
