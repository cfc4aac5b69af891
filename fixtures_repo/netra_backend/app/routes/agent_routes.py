"""HTTP routes that run a single agent."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

from netra_backend.app.services.agent_service import AgentService

if TYPE_CHECKING:
    from netra_backend.app.core.managers.execution_engine_factory import ExecutionEngineFactory

_service: Optional[AgentService] = None


def _agent_service() -> AgentService:
    global _service
    if _service is None:
        _service = AgentService(factory=_shared_factory())
    return _service


def _shared_factory() -> "ExecutionEngineFactory":
    from netra_backend.app.core.managers.execution_engine_factory import get_engine_factory

    return get_engine_factory()


async def run_agent(body: Dict[str, Any]) -> Dict[str, Any]:
    """POST /api/agents/{name}/run"""
    return await _agent_service().run_agent(body["user_id"], body["thread_id"], body["agent"], body.get("payload", {}))


ROUTES = {("POST", "/api/agents/run"): run_agent}
