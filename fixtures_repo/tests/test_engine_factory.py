"""Unit tests of the canonical execution engine factory."""
import asyncio
import importlib
import unittest
from unittest import mock

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
from netra_backend.app.core.exceptions import EngineLimitExceeded


def _context(user_id="user-1", thread_id="thread-1"):
    return UserExecutionContext.from_request(user_id=user_id, thread_id=thread_id)


class TestExecutionEngineFactory(unittest.TestCase):
    def test_each_request_gets_its_own_engine(self):
        factory = ExecutionEngineFactory()

        async def scenario():
            return await factory.create_for_user(_context()), await factory.create_for_user(_context())

        first, second = asyncio.run(scenario())
        self.assertIsNot(first, second)
        self.assertEqual(factory.metrics()["active_engines"], 2)

    def test_limit_per_user(self):
        factory = ExecutionEngineFactory(max_engines_per_user=1)

        async def scenario():
            await factory.create_for_user(_context())
            await factory.create_for_user(_context())

        with self.assertRaises(EngineLimitExceeded):
            asyncio.run(scenario())

    def test_release_frees_the_slot(self):
        factory = ExecutionEngineFactory(max_engines_per_user=1)

        async def scenario():
            engine = await factory.create_for_user(_context())
            await factory.release(engine)
            return await factory.create_for_user(_context())

        self.assertTrue(asyncio.run(scenario()).is_active)

    def test_accessor_builds_the_factory_once(self):
        module = importlib.import_module("netra_backend.app.agents.supervisor.execution_engine_factory")
        with mock.patch.object(module, "_factory_instance", None), \
                mock.patch("netra_backend.app.agents.supervisor.execution_engine_factory.ExecutionEngineFactory") as factory_cls:
            self.assertIs(module.get_execution_engine_factory(), factory_cls.return_value)
            self.assertIs(module.get_execution_engine_factory(), factory_cls.return_value)
            factory_cls.assert_called_once()


if __name__ == "__main__":
    unittest.main()
