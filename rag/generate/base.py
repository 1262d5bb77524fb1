"""The generator seam: one protocol and a frozen Draft (the factory is rag.generate.create).

A generator only drafts cited sentences. It never decides to refuse: the pipeline asks rag.policy
before and after it runs. A generator that can stream yields text pieces, then its Draft.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from rag.retrieval import Retrieval
from rag.types import AnswerSentence


@dataclass(frozen=True)
class Draft:
    """A generator's cited sentences (possibly none), how they were made, and any notice for the reader."""

    sentences: tuple[AnswerSentence, ...]
    mode: str = "extractive"
    notice: str | None = None


class Generator(Protocol):
    mode: str

    def generate(self, question: str, retrieval: Retrieval) -> Draft: ...

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Draft]: ...
