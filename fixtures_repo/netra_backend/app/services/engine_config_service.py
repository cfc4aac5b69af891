"""Per-tenant engine settings, editable from the admin console."""
from __future__ import annotations

from typing import Any, Dict, Optional

from netra_backend.app.services.engine_helpers import *  # noqa: F403


class EngineConfigService:
    """Holds a tenant's overrides and builds factories from them."""

    def __init__(self, overrides: Optional[Dict[str, Any]] = None) -> None:
        self._overrides = dict(overrides or {})

    def effective_settings(self) -> Dict[str, Any]:
        return build_engine_settings(self._overrides)

    def new_factory(self) -> ExecutionEngineFactory:
        return ExecutionEngineFactory(**self.effective_settings())
