"""Routes exposing the (non-secret) configuration."""
from __future__ import annotations

from typing import Any, Dict

from netra_backend.app.core.config import AppConfig, get_config

_PUBLIC_FIELDS = ("environment", "llm_model", "max_engines_per_user", "engine_timeout_s")


def public_settings(config: AppConfig) -> Dict[str, Any]:
    return {name: getattr(config, name) for name in _PUBLIC_FIELDS}


async def get_settings(body: Dict[str, Any]) -> Dict[str, Any]:
    """GET /api/config"""
    return public_settings(get_config())


ROUTES = {("GET", "/api/config"): get_settings}
