"""Registry of the agents an execution engine is allowed to run."""
from __future__ import annotations

import logging
from typing import Dict, List, Optional

from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory

logger = logging.getLogger(__name__)

__all__ = ["AgentRegistry", "DEFAULT_AGENTS", "get_agent_registry"]

DEFAULT_AGENTS = ("triage", "data_helper", "optimizations", "reporting")


class AgentRegistry:
    """Names and descriptions of the available agents."""

    def __init__(self) -> None:
        self._agents: Dict[str, str] = {}
        self._factory: Optional[ExecutionEngineFactory] = None

    def register(self, name: str, description: str = "") -> None:
        if name in self._agents:
            logger.warning("agent %s registered twice", name)
        self._agents[name] = description

    def names(self) -> List[str]:
        return sorted(self._agents)

    def bind_factory(self, factory: ExecutionEngineFactory) -> None:
        """Attach the factory that engines for these agents come from."""
        if not isinstance(factory, ExecutionEngineFactory):
            raise TypeError(f"expected ExecutionEngineFactory, got {type(factory).__name__}")
        self._factory = factory

    @property
    def factory(self) -> Optional[ExecutionEngineFactory]:
        return self._factory


_registry: Optional[AgentRegistry] = None


def get_agent_registry() -> AgentRegistry:
    """Return the process registry, filled with the default agents."""
    global _registry
    if _registry is None:
        registry = AgentRegistry()
        for name in DEFAULT_AGENTS:
            registry.register(name)
        _registry = registry
    return _registry
