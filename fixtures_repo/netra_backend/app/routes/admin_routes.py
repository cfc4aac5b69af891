"""Admin-only routes: engine metrics and maintenance."""
from __future__ import annotations

from typing import Any, Dict

from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory as EEF
from netra_backend.app.agents.supervisor.execution_engine_factory import get_execution_engine_factory


async def engine_metrics(body: Dict[str, Any]) -> Dict[str, Any]:
    """GET /admin/engines"""
    factory: EEF = get_execution_engine_factory()
    return {"factory": EEF.__name__, **factory.metrics()}


async def cleanup_engines(body: Dict[str, Any]) -> Dict[str, Any]:
    """POST /admin/engines/cleanup: drop engines past their timeout."""
    removed = await get_execution_engine_factory().cleanup_expired()
    return {"removed": removed}


ROUTES = {("GET", "/admin/engines"): engine_metrics, ("POST", "/admin/engines/cleanup"): cleanup_engines}
