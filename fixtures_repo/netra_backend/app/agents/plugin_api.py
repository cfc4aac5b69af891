"""The stable surface third-party agent plugins are written against."""
from __future__ import annotations

import logging
from typing import Callable, Dict

from netra_backend.app.agents.factory_aliases import Context, Factory

logger = logging.getLogger(__name__)

EngineFactoryAlias = Factory

PluginHook = Callable[[Context], None]

_plugins: Dict[str, PluginHook] = {}


def register_plugin(name: str, hook: PluginHook) -> None:
    """Register ``hook`` to be called with the context of every new run."""
    if name in _plugins:
        raise ValueError(f"plugin {name!r} is already registered")
    _plugins[name] = hook
    logger.info("registered agent plugin %s", name)


def registered_plugins() -> Dict[str, PluginHook]:
    return dict(_plugins)


__all__ = ["Context", "EngineFactoryAlias", "PluginHook", "register_plugin", "registered_plugins"]
