"""Application configuration (the single source of truth for settings).

Read settings with :func:`get_config`; it parses the environment once and
returns the same immutable :class:`AppConfig` afterwards.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Mapping, Optional

from netra_backend.app.core.exceptions import ConfigurationError

__all__ = ["AppConfig", "get_config"]

_ENVIRONMENTS = ("development", "staging", "production", "test")


@dataclass(frozen=True)
class AppConfig:
    """Immutable settings of one backend process."""

    environment: str = "development"
    database_url: str = "postgresql://localhost:5432/netra"
    redis_url: str = "redis://localhost:6379/0"
    llm_model: str = "gemini-2.5-flash"
    max_engines_per_user: int = 2
    engine_timeout_s: float = 300.0

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def load_config(environ: Optional[Mapping[str, str]] = None) -> AppConfig:
    """Build an :class:`AppConfig` from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    environment = env.get("NETRA_ENV", "development")
    if environment not in _ENVIRONMENTS:
        raise ConfigurationError(f"NETRA_ENV must be one of {_ENVIRONMENTS}, got {environment!r}")
    try:
        max_engines = int(env.get("NETRA_MAX_ENGINES_PER_USER", "2"))
        timeout_s = float(env.get("NETRA_ENGINE_TIMEOUT_S", "300"))
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    return AppConfig(
        environment=environment,
        database_url=env.get("DATABASE_URL", AppConfig.database_url),
        redis_url=env.get("REDIS_URL", AppConfig.redis_url),
        llm_model=env.get("NETRA_LLM_MODEL", AppConfig.llm_model),
        max_engines_per_user=max_engines,
        engine_timeout_s=timeout_s,
    )


@functools.lru_cache(maxsize=1)
def get_config() -> AppConfig:
    """Return the process configuration, parsed from the environment once."""
    return load_config()
