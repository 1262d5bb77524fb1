"""Wiring only: question -> retrieve -> generate -> verify -> Answer. Every front end calls this.

Retrieval and generation are langchain-core Runnables, so an LLM generator replaces the extractive
one without touching the front ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableLambda

from rag import questions
from rag.config import Settings
from rag.embed import Embedder, load_embedder, model_name
from rag.generators import Draft, Extractive, Generator, answer_text, refusal_text, section_titles
from rag.retriever import HybridRetriever, Retrieval, Retriever
from rag.store import Index, load_index
from rag.types import Answer, Citation, SectionKey


@dataclass
class _State:
    question: str  # as asked
    query: str  # what retrieval reads: injection stripped, follow-up joined with its context
    top_k: int | None
    steered: bool = False
    retrieval: Retrieval | None = None
    draft: Draft | None = None
    t_retrieve: float = 0.0
    t_generate: float = 0.0


class Pipeline:
    """Loads the index and models once; answers any number of questions."""

    def __init__(
        self,
        settings: Settings,
        index: Index | None = None,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.index = index or load_index(settings.index_dir, expected_model=model_name(settings))
        self.embedder = embedder or load_embedder(settings)
        self.retriever = Retriever(self.index, self.embedder, settings)
        self.extractive = Extractive(self.index, settings)
        self.generator: Generator = generator or self._default_generator()
        self.titles = section_titles(self.index)
        self.chain = RunnableLambda(self._retrieve) | RunnableLambda(self._generate)
        # The web server answers from several threads; the embedder is not guaranteed reentrant.
        self._lock = threading.Lock()

    def _default_generator(self) -> Generator:
        if self.settings.llm_enabled:
            from rag.llm import ChatGenerator

            return ChatGenerator(self.settings, self.index, fallback=self.extractive)
        return self.extractive

    def langchain_retriever(self, k: int | None = None) -> HybridRetriever:
        return HybridRetriever(engine=self.retriever, k=k or self.settings.top_k)

    def _retrieve(self, state: _State) -> _State:
        t = time.perf_counter()
        # An all-instruction question has an empty query: retrieval still names the nearest sections.
        with self._lock:
            state.retrieval = self.retriever.search(state.query or state.question, state.top_k)
        state.retrieval.steered = state.steered
        state.t_retrieve = (time.perf_counter() - t) * 1000
        return state

    def _generate(self, state: _State) -> _State:
        assert state.retrieval is not None
        t = time.perf_counter()
        state.draft = self.generator.generate(state.query, state.retrieval)
        state.t_generate = (time.perf_counter() - t) * 1000
        return state

    def prepare(self, question: object, history: list[str] | None = None, top_k: int | None = None) -> _State:
        """Validate (BadQuestion on bad input) and work out what retrieval should read."""
        q = questions.validate(question, self.settings.max_question_chars)
        if top_k is not None and not 1 <= top_k <= 50:
            from rag.errors import BadQuestion

            raise BadQuestion("top_k must be between 1 and 50")
        stripped = questions.strip_injection(q)
        query = questions.contextualize(stripped, history or []) if stripped else ""
        return _State(q, query, top_k, steered=questions.has_injection(q))

    def ask(self, question: object, top_k: int | None = None, history: list[str] | None = None) -> Answer:
        t0 = time.perf_counter()
        state = self.chain.invoke(self.prepare(question, history, top_k))
        return self._answer(state, t0)

    def stream(
        self, question: object, top_k: int | None = None, history: list[str] | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces as they are ready, then the final Answer (verified; the pieces are a preview)."""
        t0 = time.perf_counter()
        state = self._retrieve(self.prepare(question, history, top_k))
        assert state.retrieval is not None
        stream = getattr(self.generator, "stream", None)
        t = time.perf_counter()
        if stream is not None:
            draft = None
            for piece in stream(state.query, state.retrieval):
                if isinstance(piece, Draft):
                    draft = piece
                else:
                    yield piece
            state.draft = draft
        else:
            state.draft = self.generator.generate(state.query, state.retrieval)
        state.t_generate = (time.perf_counter() - t) * 1000
        answer = self._answer(state, t0)
        if stream is None:
            for s in answer.sentences or ():
                yield answer_text([s])
            if answer.refused:
                yield answer.text
        yield answer

    def _answer(self, state: _State, t0: float) -> Answer:
        draft, retrieval = state.draft, state.retrieval
        assert draft is not None and retrieval is not None
        if draft.refused or not draft.sentences:
            if not draft.nearest:
                draft.nearest = [k for k, _ in retrieval.sections[:3]]
            text = refusal_text(draft, self.titles)
            citations: tuple[Citation, ...] = ()
            refused = True
        else:
            text = answer_text(draft.sentences)
            citations = _unique(c for s in draft.sentences for c in s.citations)
            refused = False
        return Answer(
            question=state.question,
            text=text,
            refused=refused,
            sentences=tuple(draft.sentences) if not refused else (),
            citations=citations,
            contexts=tuple(retrieval.contexts),
            timings_ms={
                "retrieve": state.t_retrieve,
                "generate": state.t_generate,
                "total": (time.perf_counter() - t0) * 1000,
            },
            mode=draft.mode,
            notice=draft.notice,
            nearest=tuple(draft.nearest),
        )


def _unique(citations: Any) -> tuple[Citation, ...]:
    """One citation per section in first-cited order (first = primary); its quote stays verbatim."""
    by_key: dict[SectionKey, Citation] = {}
    for c in citations:
        by_key.setdefault((c.part, c.chapter), c)
    return tuple(by_key.values())
