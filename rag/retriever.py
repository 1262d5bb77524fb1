"""Hybrid retrieval: dense (FAISS) and BM25 scores fused, then grouped so that each section is named once.

`Retriever` is the engine every front end shares; `HybridRetriever` wraps it as a langchain-core
BaseRetriever returning Documents whose metadata carries the citation fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from rag import fusion, questions
from rag.config import Settings
from rag.embed import Embedder
from rag.store import Index
from rag.types import Hit, SectionKey


@dataclass
class Retrieval:
    """What retrieval found for one question: ranked chunks, ranked sections, and the query vector."""

    question: str
    query_vector: np.ndarray
    hits: list[Hit]  # every chunk, best first
    sections: list[tuple[SectionKey, float]]  # every section, best first
    contexts: list[Hit] = field(default_factory=list)  # the top_k shown with the answer, grouped by section
    steered: bool = False  # the question carried instructions to the bot (prompt injection)


class Retriever:
    """Scores every chunk of the index for a question (a plan has hundreds: exhaustive is exact and cheap)."""

    def __init__(self, index: Index, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._chunk_section = [(c.doc_id, c.key) for c in index.chunks]

    def embed(self, text: str) -> np.ndarray:
        return self.embedder.embed_queries([text])[0]

    def search(self, question: str, top_k: int | None = None, query_vector: np.ndarray | None = None) -> Retrieval:
        qv = self.embed(question) if query_vector is None else query_vector
        dense = self.index.dense.scores(qv)
        sparse = self.index.sparse.scores(question)
        variant = questions.digit_variant(question)
        if variant != question:
            sparse = np.maximum(sparse, self.index.sparse.scores(variant))
        if self.settings.fusion == "weighted":
            fused = fusion.weighted(dense, sparse, self.settings.dense_weight)
        else:
            fused = fusion.rrf(dense, sparse, k=self.settings.rrf_k)
        order = np.argsort(-fused, kind="stable")
        hits = [Hit(self.index.chunks[i], float(fused[i]), float(dense[i]), float(sparse[i])) for i in order.tolist()]
        best: dict[SectionKey, float] = {}
        for h in hits:
            best.setdefault(h.chunk.key, h.score)
        sections = list(best.items())
        return Retrieval(question, qv, hits, sections, group_by_section(hits, top_k or self.settings.top_k))


def group_by_section(hits: list[Hit], k: int, per_section: int = 2) -> list[Hit]:
    """Top k chunks, ordered by their section's best score, at most per_section chunks of one section."""
    ranked: dict[SectionKey, list[Hit]] = {}
    for h in hits:
        group = ranked.setdefault(h.chunk.key, [])
        if len(group) < per_section:
            group.append(h)
    flat = [h for group in ranked.values() for h in group]
    picked = set(id(h) for h in sorted(flat, key=lambda h: -h.score)[:k])
    return [h for h in flat if id(h) in picked]


def to_document(hit: Hit) -> LCDocument:
    c = hit.chunk
    return LCDocument(
        page_content=c.text,
        metadata={
            "chunk_id": c.id,
            "doc_id": c.doc_id,
            "doc_title": c.doc_title,
            "part": c.part,
            "part_no": c.part_no,
            "part_title": c.part_title,
            "chapter": c.chapter,
            "chapter_no": c.chapter_no,
            "chapter_title": c.chapter_title,
            "breadcrumb": c.breadcrumb,
            "start": c.start,
            "end": c.end,
            "score": hit.score,
            "dense": hit.dense,
            "sparse": hit.sparse,
        },
    )


class HybridRetriever(BaseRetriever):
    """langchain-core face of the hybrid search: Documents grouped by section, citation fields in metadata."""

    engine: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [to_document(h) for h in self.engine.search(query, self.k).contexts]
