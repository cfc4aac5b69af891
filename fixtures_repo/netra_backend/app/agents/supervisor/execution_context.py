"""The immutable context that identifies one user request."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping, Optional

from netra_backend.app.utils.ids import new_request_id, new_run_id


@dataclass(frozen=True)
class UserExecutionContext:
    """Who is asking, in which thread, for which run.

    Everything an execution engine does is scoped to one of these; nothing is
    looked up from globals.
    """

    user_id: str
    thread_id: str
    run_id: str
    request_id: str = field(default_factory=new_request_id)
    metadata: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name in ("user_id", "thread_id", "run_id"):
            if not getattr(self, name):
                raise ValueError(f"UserExecutionContext.{name} must not be empty")

    @classmethod
    def from_request(
        cls, user_id: str, thread_id: str, run_id: Optional[str] = None
    ) -> "UserExecutionContext":
        """Build a context for a new request, inventing a run id if needed."""
        return cls(user_id=user_id, thread_id=thread_id, run_id=run_id or new_run_id())

    def for_run(self, run_id: str) -> "UserExecutionContext":
        """Same user and thread, another run (and a new request id)."""
        return dataclasses.replace(self, run_id=run_id, request_id=new_request_id())
