"""HTTP routes for chat."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict

import netra_backend.app.agents.supervisor.execution_engine_factory as engine_factory_module
from netra_backend.app.services.chat_service import ChatService

if TYPE_CHECKING:
    from starlette.requests import Request  # noqa: F401  (framework type, not needed at runtime)

_chat_service = ChatService()


async def post_message(body: Dict[str, Any]) -> Dict[str, Any]:
    """POST /api/chat: run the triage agent on a user message."""
    reply = await _chat_service.send_message(body["user_id"], body["thread_id"], body["text"])
    return {"reply": reply.to_dict()}


async def get_engine_stats(body: Dict[str, Any]) -> Dict[str, Any]:
    """GET /api/chat/engines: counters of the process-wide engine factory."""
    factory = engine_factory_module.get_execution_engine_factory()
    return {"factory": type(factory).__name__, **factory.metrics()}


def new_private_factory() -> Any:
    """A factory outside the process-wide one (load tests only)."""
    from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory

    return ExecutionEngineFactory(max_engines_per_user=100)


ROUTES = {
    ("POST", "/api/chat"): post_message,
    ("GET", "/api/chat/engines"): get_engine_stats,
}
