"""Liveness and readiness probes."""
from __future__ import annotations

import platform
import time
from typing import Any, Dict

from netra_backend import __version__
from netra_backend.app.config import get_config

_STARTED_AT = time.time()


async def liveness(body: Dict[str, Any]) -> Dict[str, Any]:
    """GET /health/live"""
    return {"status": "ok", "uptime_s": round(time.time() - _STARTED_AT, 3)}


async def readiness(body: Dict[str, Any]) -> Dict[str, Any]:
    """GET /health/ready"""
    config = get_config()
    return {
        "status": "ready",
        "version": __version__,
        "environment": config.environment,
        "python": platform.python_version(),
    }


ROUTES = {("GET", "/health/live"): liveness, ("GET", "/health/ready"): readiness}
