"""Scheduled maintenance jobs (cron-like, run inside the worker process)."""
from __future__ import annotations

import logging
from typing import Any, Dict

from netra_backend.app.agents.supervisor.execution_context import UserExecutionContext
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine

logger = logging.getLogger(__name__)

Factory2 = ExecutionEngineFactory

SYSTEM_CONTEXT = UserExecutionContext(user_id="system", thread_id="scheduler", run_id="bootstrap")

#: Engine shared by every maintenance job (they all run as the system user).
default_engine = UserExecutionEngine(SYSTEM_CONTEXT, timeout_s=24 * 3600.0)


def make_job_factory() -> ExecutionEngineFactory:
    """Factory for jobs that must run as a real user."""
    return Factory2(max_engines_per_user=1)


async def nightly_usage_report() -> Dict[str, Any]:
    result = await default_engine.execute_agent("reporting", {"period": "1d"})
    logger.info("nightly usage report done in %.3fs", result.duration_s)
    return result.output
