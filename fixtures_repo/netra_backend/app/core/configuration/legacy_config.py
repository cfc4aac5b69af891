"""Dictionary-based configuration loader from the first backend release."""
from __future__ import annotations

import os
from typing import Any, Dict

_DEFAULTS: Dict[str, Any] = {
    "environment": "development",
    "database_url": "postgresql://localhost:5432/netra",
    "max_engines_per_user": 2,
}


def get_config() -> Dict[str, Any]:
    """Return settings as a plain dict, re-reading the environment each call."""
    config = dict(_DEFAULTS)
    config["environment"] = os.environ.get("NETRA_ENV", config["environment"])
    config["database_url"] = os.environ.get("DATABASE_URL", config["database_url"])
    if "NETRA_MAX_ENGINES_PER_USER" in os.environ:
        config["max_engines_per_user"] = int(os.environ["NETRA_MAX_ENGINES_PER_USER"])
    return config
