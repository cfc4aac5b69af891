"""Loads agent plugins and gives each a factory of its own."""
from __future__ import annotations

from typing import Dict

from netra_backend.app.agents.plugin_api import EngineFactoryAlias, register_plugin


class PluginService:
    """One engine factory per plugin, so a plugin cannot starve the others."""

    def __init__(self) -> None:
        self._factories: Dict[str, EngineFactoryAlias] = {}

    def load(self, name: str) -> EngineFactoryAlias:
        if name not in self._factories:
            register_plugin(name, lambda context: None)
            self._factories[name] = EngineFactoryAlias(max_engines_per_user=1)
        return self._factories[name]
