"""DEPRECATED redirect to the supervisor's execution engine factory.

This module used to hold the request-scoped factory. It now re-exports the
canonical factory under the old names; the fallback classes below are only
used in partial deployments where the supervisor package is missing.
New code imports from ``netra_backend.app.agents.supervisor.execution_engine_factory``.
"""
from __future__ import annotations

import logging
import warnings
from typing import Any, Dict, Optional

logger = logging.getLogger(__name__)

try:
    from netra_backend.app.agents.supervisor.execution_engine_factory import (
        ExecutionEngineFactory as UserExecutionEngineFactory,
    )
    from netra_backend.app.agents.supervisor.execution_engine_factory import get_execution_engine_factory

    ExecutionEngineFactory = UserExecutionEngineFactory
    RequestScopedExecutionEngineFactory = UserExecutionEngineFactory
    get_engine_factory = get_execution_engine_factory

    def create_request_scoped_engine_factory(**factory_kwargs: Any) -> UserExecutionEngineFactory:
        """Build a fresh factory for one request scope (old API)."""
        warnings.warn(
            "create_request_scoped_engine_factory is deprecated; use get_execution_engine_factory",
            DeprecationWarning,
            stacklevel=2,
        )
        return UserExecutionEngineFactory(**factory_kwargs)

except ImportError:  # pragma: no cover - partial deployments only
    logger.warning("supervisor package unavailable; using fallback engine factories")

    class ExecutionEngineFactory:  # type: ignore[no-redef]
        """Fallback factory: no isolation, no limits."""

        def __init__(self, **factory_kwargs: Any) -> None:
            self.factory_kwargs: Dict[str, Any] = dict(factory_kwargs)

        async def create_for_user(self, context: Any) -> Any:
            raise RuntimeError("execution engines are unavailable in this deployment")

    class RequestScopedExecutionEngineFactory(ExecutionEngineFactory):  # type: ignore[no-redef]
        """Fallback request-scoped factory, built on the fallback above."""

        def __init__(self, request_id: Optional[str] = None) -> None:
            super().__init__(request_id=request_id)
            self.request_id = request_id

        async def create_for_user(self, context: Any) -> Any:
            raise RuntimeError("execution engines are unavailable in this deployment")

    UserExecutionEngineFactory = ExecutionEngineFactory  # type: ignore[misc]

    def get_execution_engine_factory() -> ExecutionEngineFactory:  # type: ignore[misc]
        return ExecutionEngineFactory()

    get_engine_factory = get_execution_engine_factory

    def create_request_scoped_engine_factory(**factory_kwargs: Any) -> ExecutionEngineFactory:  # type: ignore[misc]
        return ExecutionEngineFactory(**factory_kwargs)


__all__ = [
    "ExecutionEngineFactory",
    "RequestScopedExecutionEngineFactory",
    "UserExecutionEngineFactory",
    "create_request_scoped_engine_factory",
    "get_engine_factory",
    "get_execution_engine_factory",
]
