"""`rag build`: read plan files, parse, chunk, embed, and write the index directory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from rag import tokens
from rag.chunk import chunk_document, chunk_sentences
from rag.config import Settings
from rag.embed import Embedder, load_embedder, model_name
from rag.errors import CorpusError
from rag.parse import ParseError, doc_id_for, parse
from rag.sparse import SparseIndex, plan_terms
from rag.store import write_index
from rag.types import Chunk, Document, Sentence

Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]


def read_plan(path: Path) -> str:
    """The plan's text; a missing, binary or non-UTF-8 file is a CorpusError naming it."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"cannot read plan file {path}: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # Chinese government sites still publish GBK text
        except UnicodeDecodeError:
            raise CorpusError(f"plan file {path} is not UTF-8 or GB18030 text") from None
    if "\x00" in text:
        raise CorpusError(f"plan file {path} looks binary, not a text plan")
    return text


def load_documents(paths: Iterable[Path]) -> tuple[list[Document], dict[str, str]]:
    docs: list[Document] = []
    sources: dict[str, str] = {}
    for path in paths:
        text = read_plan(path)
        doc_id = doc_id_for(path.name)
        while doc_id in sources:
            doc_id += "-2"
        try:
            doc = parse(text, doc_id=doc_id, path=str(path))
        except ParseError as e:
            raise CorpusError(f"plan file {path}: {e}") from None
        docs.append(doc)
        sources[doc_id] = text
    if not docs:
        raise CorpusError("no plan files given")
    return docs, sources


def passage_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its breadcrumb, then its text (the heading carries the topic)."""
    return f"{chunk.breadcrumb}\n{chunk.text}"


def sentence_text(sentence: Sentence, chunk: Chunk) -> str:
    return f"{chunk.title}：{sentence.text}"


def _embed(embedder: Embedder, texts: list[str], progress: Progress | None, label: str) -> np.ndarray:
    batch = 16
    starts = list(range(0, len(texts), batch))
    it: Iterable[Any] = progress(starts, len(starts), label) if progress else starts
    parts = [embedder.embed_passages(texts[i : i + batch]) for i in it]
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), np.float32)


def build_index(
    settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Build the index for settings.corpus into settings.index_dir; returns the manifest."""
    docs, sources = load_documents(settings.corpus)
    embedder = embedder or load_embedder(settings)
    chunks: list[Chunk] = []
    for doc in docs:
        chunks += chunk_document(doc, sources[doc.doc_id], tokens.count, settings.chunk_tokens, settings.chunk_overlap)
    sentences = chunk_sentences(chunks)
    by_id = {c.id: c for c in chunks}
    chunk_vectors = _embed(embedder, [passage_text(c) for c in chunks], progress, "embedding chunks")
    sentence_vectors = _embed(
        embedder, [sentence_text(s, by_id[s.chunk_id]) for s in sentences], progress, "embedding sentences"
    )
    terms = plan_terms(sources.values())
    sparse = SparseIndex.build([passage_text(c) for c in chunks], terms)
    return write_index(
        settings.index_dir,
        documents=docs,
        sources=sources,
        chunks=chunks,
        sentences=sentences,
        chunk_vectors=chunk_vectors,
        sentence_vectors=sentence_vectors,
        sparse=sparse,
        model={"name": model_name(settings), "dim": embedder.dim, "backend": settings.embed_backend},
        settings={"chunk_tokens": settings.chunk_tokens, "chunk_overlap": settings.chunk_overlap},
    )
