"""Websocket manager tests (some patches predate the factory consolidation)."""
import asyncio
import unittest
from unittest import mock

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


class TestWebSocketEngine(unittest.TestCase):
    @mock.patch("netra_backend.app.agents.execution_engine_unified_factory.UnifiedExecutionEngineFactory")
    def test_connect_creates_an_engine(self, unified_factory_cls):
        manager = WebSocketManager()

        async def scenario():
            connection_id = await manager.connect("user-ws-1", "thread-1")
            reply = await manager.handle_message(connection_id, {"type": "ping"})
            await manager.disconnect(connection_id)
            return reply

        self.assertEqual(asyncio.run(scenario()), {"type": "pong"})
        unified_factory_cls.assert_not_called()

    def test_user_message_runs_triage(self):
        manager = WebSocketManager()

        async def scenario():
            connection_id = await manager.connect("user-ws-2", "thread-2")
            try:
                return await manager.handle_message(connection_id, {"type": "user_message", "text": "hi"})
            finally:
                await manager.disconnect(connection_id)

        with mock.patch("netra_backend.app.agents.execution_engine_unified_factory.UnifiedExecutionEngineFactory") as unified_factory_cls:
            reply = asyncio.run(scenario())
        self.assertEqual(reply["output"]["input"], {"text": "hi"})
        unified_factory_cls.assert_not_called()

    def test_managers_factory_is_not_used(self):
        with mock.patch("netra_backend.app.core.managers.execution_engine_factory.ExecutionEngineFactory") as managers_cls:
            self.assertEqual(WebSocketManager().open_connections, 0)
        managers_cls.assert_not_called()

    def test_package_level_factory_is_not_used(self):
        with mock.patch("netra_backend.app.agents.supervisor.ExecutionEngineFactory") as package_cls:
            self.assertEqual(WebSocketManager().open_connections, 0)
        package_cls.assert_not_called()


if __name__ == "__main__":
    unittest.main()
