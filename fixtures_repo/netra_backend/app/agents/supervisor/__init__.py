"""Supervisor: creates per-user execution engines and runs agents in them."""
from .execution_engine_factory import ExecutionEngineFactory

__all__ = ["ExecutionEngineFactory"]
