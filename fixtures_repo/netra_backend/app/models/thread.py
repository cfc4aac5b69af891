"""Conversation thread model."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from netra_backend.app.models.message import ChatMessage, MessageRole


@dataclass
class Thread:
    """A conversation between one user and the assistant."""

    thread_id: str
    user_id: str
    title: Optional[str] = None
    messages: List[ChatMessage] = field(default_factory=list)

    def add(self, message: ChatMessage) -> None:
        if self.title is None and message.role is MessageRole.USER:
            self.title = message.content[:60]
        self.messages.append(message)

    def last(self, role: Optional[MessageRole] = None) -> Optional[ChatMessage]:
        for message in reversed(self.messages):
            if role is None or message.role is role:
                return message
        return None
