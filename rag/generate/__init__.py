"""Generators: turn a question and its retrieval into cited sentences (extractive by default, LLM when set)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.generate.base import Draft, Generator

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.store import Index


def create(settings: Settings, index: Index) -> Generator:
    """The extractive generator, or the chat generator (with the extractive one as its fallback) when an LLM is set."""
    from rag.generate.extractive import Extractive

    extractive = Extractive(index, settings)
    if not settings.llm_enabled:
        return extractive
    from rag.generate.chat import ChatGenerator

    return ChatGenerator(settings, index, fallback=extractive)


__all__ = ["Draft", "Generator", "create"]
