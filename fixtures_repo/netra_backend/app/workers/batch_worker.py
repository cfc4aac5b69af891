"""Replays queued websocket messages in batches after an outage."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

from netra_backend.app.websocket_core.handlers import MessageHandlerFactory as ExecutionEngineFactory


class BatchWorker:
    """Groups queued messages by type before replaying them."""

    def __init__(self) -> None:
        self._handlers = ExecutionEngineFactory()

    def group(self, messages: Iterable[Dict[str, Any]]) -> Dict[str, List[Dict[str, Any]]]:
        groups: Dict[str, List[Dict[str, Any]]] = {}
        for message in messages:
            message_type = str(message.get("type", ""))
            self._handlers.for_type(message_type)  # rejects unknown types early
            groups.setdefault(message_type, []).append(message)
        return groups
