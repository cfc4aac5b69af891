"""Legacy worker for v0 batch jobs (shared engine pool)."""
from __future__ import annotations

from typing import Any, Dict, List

from netra_backend.app.agents.legacy.execution_engine_factory import ExecutionEngineFactory


class LegacyWorker:
    """Runs v0 jobs on the shared pool; scheduled for removal."""

    def __init__(self, pool_size: int = 2) -> None:
        self._factory = ExecutionEngineFactory(pool_size=pool_size)

    def run_batch(self, jobs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [self._factory.get_engine(job.get("user_id")).run(job["agent"], job.get("payload", {})) for job in jobs]
