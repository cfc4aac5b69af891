"""Bridges the old managers-based code paths to the agent runtime."""
from __future__ import annotations

from typing import Any

import netra_backend.app.core.managers.execution_engine_factory as legacy_factories


def build_legacy_factory(**factory_kwargs: Any) -> Any:
    """Factory for callers that still pass managers-era keyword arguments."""
    factory_kwargs.pop("request_id", None)
    return legacy_factories.ExecutionEngineFactory(**factory_kwargs)


def factory_is_shared() -> bool:
    """True when the managers path hands out the process-wide factory."""
    return legacy_factories.get_engine_factory() is legacy_factories.get_engine_factory()
