"""Tracks which engine factory each subsystem uses (ops dashboard)."""
from __future__ import annotations

from typing import Dict

from netra_backend.app.core.managers.execution_engine_factory import *  # noqa: F401,F403


class EngineRegistryService:
    """Maps subsystem names to the factory instance they were given."""

    def __init__(self) -> None:
        self._by_subsystem: Dict[str, ExecutionEngineFactory] = {}

    def register(self, subsystem: str) -> ExecutionEngineFactory:
        factory = get_execution_engine_factory()
        self._by_subsystem[subsystem] = factory
        return factory

    def snapshot(self) -> Dict[str, Dict[str, int]]:
        return {name: factory.metrics() for name, factory in self._by_subsystem.items()}
