"""Identifier helpers for requests, runs and threads."""
from __future__ import annotations

import re
import uuid

_ID_PATTERN = re.compile(r"^[a-z]+-[0-9a-f]{12}$")


def new_id(prefix: str) -> str:
    """Return a short, prefixed, random identifier such as ``run-1a2b3c4d5e6f``."""
    if not prefix.isalpha():
        raise ValueError(f"id prefix must be alphabetic, got {prefix!r}")
    return f"{prefix.lower()}-{uuid.uuid4().hex[:12]}"


def new_request_id() -> str:
    """Identifier of one incoming request."""
    return new_id("req")


def new_run_id() -> str:
    """Identifier of one agent run inside a thread."""
    return new_id("run")


def is_valid_id(value: str) -> bool:
    """True if ``value`` looks like an identifier made by :func:`new_id`."""
    return bool(_ID_PATTERN.match(value))
