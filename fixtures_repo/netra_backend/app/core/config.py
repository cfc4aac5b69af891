"""DEPRECATED: configuration moved to ``netra_backend.app.config``."""
from netra_backend.app.config import AppConfig, get_config

__all__ = ["AppConfig", "get_config"]
