"""langchain-core face of the hybrid retriever: Documents whose metadata carries the citation fields.

Kept apart from rag.retriever so that answering a question never imports langchain (cold start).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from rag.types import Hit


def to_document(hit: Hit) -> LCDocument:
    c = hit.chunk
    return LCDocument(
        page_content=c.text,
        metadata={
            "chunk_id": c.id,
            **c.loc.to_json(),
            "doc_title": c.doc_title,
            "title": c.title,
            "breadcrumb": c.breadcrumb,
            "start": c.start,
            "end": c.end,
            "page": c.page,
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
