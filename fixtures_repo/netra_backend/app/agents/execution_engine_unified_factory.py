"""DEPRECATED: the "unified" execution engine factory API.

Kept so that callers written against the 2024 unified API keep working.
New code imports ``ExecutionEngineFactory`` from
``netra_backend.app.agents.supervisor.execution_engine_factory``.
"""
from __future__ import annotations

import warnings
from typing import Any, Dict

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine

__all__ = ["UnifiedExecutionEngineFactory"]


class UnifiedExecutionEngineFactory:
    """Compatibility wrapper that forwards to :class:`ExecutionEngineFactory`."""

    def __init__(self, **factory_kwargs: Any) -> None:
        warnings.warn(
            "UnifiedExecutionEngineFactory is deprecated; use ExecutionEngineFactory",
            DeprecationWarning,
            stacklevel=2,
        )
        self._delegate = ExecutionEngineFactory(**factory_kwargs)

    async def create_for_user(self, context: UserExecutionContext) -> UserExecutionEngine:
        return await self._delegate.create_for_user(context)

    async def create_execution_engine(self, user_id: str, thread_id: str, run_id: str) -> UserExecutionEngine:
        """The old entry point, which took the identifiers one by one."""
        context = UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=run_id)
        return await self._delegate.create_for_user(context)

    async def cleanup_engine(self, engine: UserExecutionEngine) -> None:
        await self._delegate.release(engine)

    def get_factory_metrics(self) -> Dict[str, int]:
        return self._delegate.metrics()
