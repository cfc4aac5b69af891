"""Exceptions shared by the agent runtime and the services."""
from __future__ import annotations


class NetraError(Exception):
    """Base class of every error raised by the backend on purpose."""


class ConfigurationError(NetraError):
    """A configuration value is missing or invalid."""


class EngineLimitExceeded(NetraError):
    """A user already has as many live execution engines as allowed."""

    def __init__(self, user_id: str, limit: int) -> None:
        super().__init__(f"user {user_id!r} already has {limit} active engine(s)")
        self.user_id = user_id
        self.limit = limit


class AgentExecutionError(NetraError):
    """An agent could not be run by an execution engine."""

    def __init__(self, agent_name: str, reason: str) -> None:
        super().__init__(f"agent {agent_name!r} failed: {reason}")
        self.agent_name = agent_name
        self.reason = reason
