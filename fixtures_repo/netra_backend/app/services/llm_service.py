"""LLM client wrapper (the fixture returns canned completions)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

from netra_backend.app.config import AppConfig, get_config


@dataclass
class Completion:
    model: str
    text: str
    tokens: int


class LLMService:
    """Sends prompts to the configured model."""

    def __init__(self, config: Optional[AppConfig] = None) -> None:
        self._config = config or get_config()

    @property
    def model(self) -> str:
        return self._config.llm_model

    async def complete(self, prompt: str, max_tokens: int = 256) -> Completion:
        await asyncio.sleep(0)
        words = prompt.split()[:max_tokens]
        return Completion(model=self.model, text=" ".join(words), tokens=len(words))
