"""Resolves the engine factory for agents loaded from configuration."""
from __future__ import annotations

import logging
from typing import Any, Callable

logger = logging.getLogger(__name__)


def resolve_factory_class() -> type:
    """Return the engine factory class, whichever layout is deployed."""
    try:
        from netra_backend.app.agents.execution_engine_factory import ExecutionEngineFactory
    except ImportError:
        from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
    return ExecutionEngineFactory


def install_engine_hooks(on_create: Callable[..., Any]) -> None:
    """Install a callback run whenever an engine is created (legacy API)."""
    from netra_backend.app.core.managers.execution_engine_factory import configure_engine_hooks

    configure_engine_hooks(on_create=on_create)
    logger.info("engine hooks installed")
