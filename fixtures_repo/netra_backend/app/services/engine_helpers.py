"""Helpers for building engine factory settings."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory

_default_factory_cls = ExecutionEngineFactory

_DEFAULT_SETTINGS: Dict[str, Any] = {"max_engines_per_user": 2, "engine_timeout_s": 300.0}


def _clean(overrides: Mapping[str, Any]) -> Dict[str, Any]:
    unknown = set(overrides) - set(_DEFAULT_SETTINGS)
    if unknown:
        raise KeyError(f"unknown engine settings: {sorted(unknown)}")
    return dict(overrides)


def build_engine_settings(overrides: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Defaults merged with ``overrides``."""
    settings = dict(_DEFAULT_SETTINGS)
    settings.update(_clean(overrides or {}))
    return settings


def build_factory(overrides: Optional[Mapping[str, Any]] = None) -> ExecutionEngineFactory:
    """A new factory with the merged settings."""
    return _default_factory_cls(**build_engine_settings(overrides))
