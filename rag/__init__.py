"""政策问答: cited question answering over Chinese government documents (offline by default).

Small public API::

    from rag import Settings, build_index, Pipeline
    settings = Settings.from_env()
    build_index(settings)
    answer = Pipeline(settings).ask("以后在二道看病会更方便吗？")
"""

from __future__ import annotations

from typing import Any

from rag.config import Settings
from rag.types import Answer, Chunk, Citation, Document, Hit, Section

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "Document",
    "Hit",
    "Pipeline",
    "Section",
    "Settings",
    "ask",
    "build_index",
    "load_index",
]


def build_index(settings: Settings) -> dict[str, Any]:
    from rag.indexer import build_index as _build

    return _build(settings)


def load_index(settings: Settings) -> Any:
    from rag.embed import model_name
    from rag.store import load_index as _load

    return _load(settings.index_path, expected_model=model_name(settings))


def ask(question: str, settings: Settings | None = None) -> Answer:
    """One-off question (loads everything; use Pipeline for many questions)."""
    from rag.pipeline import Pipeline

    return Pipeline(settings or Settings.from_env()).ask(question)


def __getattr__(name: str) -> Any:
    if name == "Pipeline":
        from rag.pipeline import Pipeline

        return Pipeline
    raise AttributeError(name)
