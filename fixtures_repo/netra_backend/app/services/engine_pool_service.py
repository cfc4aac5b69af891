"""Pre-warms engine factories for bursts of websocket connections."""
from __future__ import annotations

import warnings
from typing import Any, List

from netra_backend.app.core.managers.execution_engine_factory import create_request_scoped_engine_factory


class EnginePoolService:
    """Keeps a few ready factories so bursts do not pay construction cost."""

    def __init__(self, size: int = 2) -> None:
        self._size = size
        self._ready: List[Any] = []

    def warm_up(self) -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            while len(self._ready) < self._size:
                self._ready.append(create_request_scoped_engine_factory(max_engines_per_user=1))
        return len(self._ready)

    def take(self) -> Any:
        if not self._ready:
            self.warm_up()
        return self._ready.pop()
