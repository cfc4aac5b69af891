"""Checks that the old import paths still reach the real factory."""
import importlib
import unittest
import warnings

from netra_backend.app.agents.execution_engine_unified_factory import UnifiedExecutionEngineFactory
from netra_backend.app.core.managers.execution_engine_factory import ExecutionEngineFactory

# Every path the factory was ever imported from; each must still import.
LEGACY_PATHS = [
    "netra_backend.app.core.managers.execution_engine_factory",
    "netra_backend.app.agents.execution_engine_unified_factory.UnifiedExecutionEngineFactory",
    "netra_backend.app.agents.supervisor.execution_engine_factory",
]


class TestOldPaths(unittest.TestCase):
    def test_every_legacy_path_still_imports(self):
        for path in LEGACY_PATHS:
            module_path = path if path.endswith("factory") else path.rpartition(".")[0]
            self.assertIsNotNone(importlib.import_module(module_path))

    def test_managers_module_still_resolves(self):
        module = importlib.import_module("netra_backend.app.core.managers.execution_engine_factory")
        self.assertIs(module.ExecutionEngineFactory, ExecutionEngineFactory)

    def test_unified_module_still_resolves(self):
        module = __import__("netra_backend.app.agents.execution_engine_unified_factory", fromlist=["UnifiedExecutionEngineFactory"])
        self.assertIs(module.UnifiedExecutionEngineFactory, UnifiedExecutionEngineFactory)

    def test_unified_factory_delegates(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            unified = UnifiedExecutionEngineFactory()
        self.assertEqual(unified.get_factory_metrics(), {"active_engines": 0, "created_total": 0})


if __name__ == "__main__":
    unittest.main()
