"""Chat message model."""
from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import Any, Dict


class MessageRole(str, enum.Enum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


@dataclass
class ChatMessage:
    """One message of a thread."""

    role: MessageRole
    content: str
    created_at: float = field(default_factory=time.time)
    metadata: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return {"role": self.role.value, "content": self.content, "created_at": self.created_at}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ChatMessage":
        return cls(role=MessageRole(data["role"]), content=str(data["content"]),
                   created_at=float(data.get("created_at", time.time())))
