"""Logging configuration for the backend processes."""
from __future__ import annotations

import logging
import os
from typing import Optional

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_configured = False


def configure_logging(level: Optional[str] = None) -> None:
    """Configure the root logger once; later calls only change the level."""
    global _configured
    resolved = (level or os.environ.get("NETRA_LOG_LEVEL", "INFO")).upper()
    if not _configured:
        logging.basicConfig(format=_FORMAT)
        _configured = True
    logging.getLogger().setLevel(resolved)


def get_logger(name: str) -> logging.Logger:
    """Return a logger namespaced under ``netra``."""
    return logging.getLogger(f"netra.{name}")
