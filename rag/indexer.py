"""`rag build`, `rag add`, `rag remove`: read documents, parse, chunk, embed, and publish a new index build.

`add` embeds only the chunks of new or changed documents and reuses every stored vector; `remove`
embeds nothing. Each writes a complete new build and swaps it in atomically (rag.builds), so a
failed add leaves the knowledge base as it was.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import platform
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from rag import builds, jsonl, tokens
from rag.chunk import chunk_document, chunk_sentences
from rag.config import Settings
from rag.embed import Embedder, embed_passages_batched, embed_passages_pooled, load_embedder, model_name, pools_spans
from rag.errors import CorpusError
from rag.parse import ParseError, doc_id_for, parse
from rag.readers import read
from rag.sparse import SparseIndex, plan_terms
from rag.store import FORMAT, Index, doc_to_json, load_index
from rag.stores import StoreOptions, create
from rag.types import Chunk, Document, Sentence

Progress = Callable[[int, int, str], None]  # (characters done, characters in all, what is being embedded)
_PACKAGES = ("faiss-cpu", "bm25s", "jieba", "onnxruntime", "sentence-transformers", "tiktoken", "pymilvus", "numpy")


def load_documents(paths: Iterable[Path]) -> tuple[list[Document], dict[str, str]]:
    """Read and parse each file; a bad file is a CorpusError naming it (nothing is written)."""
    docs: list[Document] = []
    sources: dict[str, str] = {}
    for path in paths:
        src = read(path)
        doc_id = doc_id_for(path.name)
        while doc_id in sources:
            doc_id += "-2"
        try:
            doc = parse(src.text, doc_id, str(path), pages=src.pages, hints=src.headings, title=src.title, fmt=src.fmt)
        except ParseError as e:
            raise CorpusError(f"{path}: {e}") from None
        docs.append(doc)
        sources[doc_id] = src.text
    if not docs:
        raise CorpusError("no document files given")
    return docs, sources


def _passage_head(chunk: Chunk) -> str:
    # The document's title before the heading path: in a library of regulations an article's heading is only
    # 第九条, and the title (北京市控制吸烟条例) is what says its topic; it helped a single plan too (dev: section
    # hit@1 0.793 -> 0.807 on the Erdao sets, 0.787 -> 0.806 on the congress report's, 0.655 -> 0.667 on the
    # regulations', hit@3 0.806 -> 0.861 there).
    crumbs = [chunk.doc_title, chunk.breadcrumb] if chunk.doc_title else [chunk.breadcrumb]
    return " › ".join(crumbs) + "\n"


def passage_text(chunk: Chunk) -> str:
    """What is embedded (and what BM25 reads) for a chunk: its document's title and its heading path, then its
    text (the headings carry the topic)."""
    return _passage_head(chunk) + chunk.text


def span_in_passage(sentence: Sentence, chunk: Chunk) -> tuple[int, int]:
    """Where a sentence of the chunk sits in passage_text(chunk) (characters)."""
    shift = len(_passage_head(chunk)) - chunk.start
    return sentence.start + shift, sentence.end + shift


def sentence_text(sentence: Sentence, chunk: Chunk) -> str:
    return f"{chunk.title}：{sentence.text}"


def link_versions(docs: Sequence[Document]) -> list[Document]:
    """Documents with the same title are versions: each older one is superseded by the newest.

    Newest = the latest version string (a date in the file name), else the one added last.
    """
    newest: dict[str, tuple[str, int, str]] = {}
    for order, d in enumerate(docs):
        rank = (d.version or "", order, d.doc_id)
        if d.title not in newest or rank > newest[d.title]:
            newest[d.title] = rank
    return [replace(d, superseded_by=None if newest[d.title][2] == d.doc_id else newest[d.title][2]) for d in docs]


def _chunk_all(settings: Settings, docs: list[Document], sources: dict[str, str]) -> list[Chunk]:
    out: list[Chunk] = []
    for doc in docs:
        out += chunk_document(doc, sources[doc.doc_id], tokens.count, settings.chunk_tokens, settings.chunk_overlap)
    return out


def _embed(embedder: Embedder, texts: list[str], progress: Progress | None, label: str) -> np.ndarray:
    report = (lambda done, total: progress(done, total, label)) if progress else None
    return embed_passages_batched(embedder, texts, report)


def _embed_pooled(
    embedder: Embedder,
    chunks: list[Chunk],
    sentences: list[Sentence],
    missing: dict[str, list[tuple[str, str]]],
    progress: Progress | None,
) -> dict[tuple[str, str], np.ndarray]:
    """Vectors of the missing chunks and, from the same runs, of their missing sentences (late chunking).

    A sentence is read in its chunk's context and its vector is the mean of its tokens' states; that
    costs nothing beyond the chunk, where embedding each sentence on its own doubled a build. A sentence
    the model's length limit cut off gets none here (the caller embeds it on its own).
    """
    want_chunks, want_sentences = set(missing["chunks"]), set(missing["sentences"])
    owned: dict[str, list[Sentence]] = {}
    for x in sentences:
        owned.setdefault(x.chunk_id, []).append(x)
    todo: dict[tuple[str, str], Chunk] = {}
    for c in chunks:
        key = (c.doc_id, passage_text(c))
        if key in want_chunks:
            todo.setdefault(key, c)
    runs = list(todo.values())
    report = (lambda done, total: progress(done, total, "chunks")) if progress else None
    spans = [[span_in_passage(x, c) for x in owned.get(c.id, [])] for c in runs]
    vectors, pooled = embed_passages_pooled(embedder, [passage_text(c) for c in runs], spans, report)
    out: dict[tuple[str, str], np.ndarray] = dict(zip(todo, vectors, strict=True))
    for c, rows in zip(runs, pooled, strict=True):
        for x, v in zip(owned.get(c.id, []), rows, strict=True):
            key = (c.doc_id, sentence_text(x, c))
            if key in want_sentences and v.any():
                out[key] = v
    return out


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _write(
    settings: Settings,
    embedder_dim: int,
    docs: list[Document],
    sources: dict[str, str],
    chunks: list[Chunk],
    vectors: dict[str, np.ndarray],
    sparse: SparseIndex,
) -> dict[str, Any]:
    """Write a complete build (under the folder lock) and publish it; returns the manifest."""
    directory = settings.index_path
    docs = link_versions(docs)
    sentences = chunk_sentences(chunks)
    chunk_vectors, sentence_vectors = vectors["chunks"], vectors["sentences"]
    discard = _discard(settings)
    tmp = builds.new_build(directory, discard)
    try:
        (tmp / "sources").mkdir()
        corpus = []
        for i, d in enumerate(docs):
            name = f"sources/{i:05d}.txt"  # doc ids may hold any script; file names stay plain
            (tmp / name).write_text(sources[d.doc_id], "utf-8", newline="\n")
            corpus.append({"doc_id": d.doc_id, "source": name, "path": d.path, "title": d.title, "sha256": d.sha256})
        (tmp / "documents.json").write_text(jsonl.dumps([doc_to_json(d) for d in docs]), "utf-8")
        jsonl.write(tmp / "chunks.jsonl", [{**c.__dict__, "path": list(c.path)} for c in chunks])
        jsonl.write(tmp / "sentences.jsonl", [s.__dict__ for s in sentences])
        np.save(tmp / "sentence_vectors.npy", sentence_vectors.astype(np.float32), allow_pickle=False)
        np.save(tmp / "chunk_vectors.npy", chunk_vectors.astype(np.float32), allow_pickle=False)
        np.save(tmp / "vocabulary_vectors.npy", vectors["words"], allow_pickle=False)
        (tmp / "vocabulary.json").write_text(jsonl.dumps(sparse.vocabulary(settings.max_vocabulary)), "utf-8")
        opts = StoreOptions(
            dim=embedder_dim,
            hnsw_ef_search=settings.hnsw_ef_search,
            ivf_nprobe=settings.ivf_nprobe,
            milvus_uri=settings.milvus_uri,
        )
        store = create(settings.vector_store, opts, tmp / "vectors")
        store.add(np.arange(len(chunks), dtype=np.int64), np.ascontiguousarray(chunk_vectors, np.float32))
        store.save(tmp / "vectors")
        store.close()
        sparse.save(tmp / "sparse")
        manifest = {
            "format": FORMAT,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "corpus": corpus,
            "model": {"name": model_name(settings), "dim": embedder_dim, "backend": settings.embed_backend},
            "store": {
                "kind": settings.vector_store,
                "hnsw_ef_search": settings.hnsw_ef_search,
                "ivf_nprobe": settings.ivf_nprobe,
            },
            "settings": {
                "chunk_tokens": settings.chunk_tokens,
                "chunk_overlap": settings.chunk_overlap,
                "sentence_vectors": settings.sentence_vectors,
            },
            "counts": {
                "documents": len(docs),
                "chunks": len(chunks),
                "sentences": len(sentences),
                "words": len(vectors["words"]),
            },
            "versions": _versions(),
            # Milvus Lite rewrites its own db file when opened: it cannot carry a fixed checksum.
            "files": {
                k: v
                for k, v in builds.checksums(tmp).items()
                if not (settings.vector_store == "milvus" and k.startswith("vectors/"))
            },
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
        builds.publish(directory, tmp, discard)
    finally:
        if tmp.exists():
            if discard is not None:
                discard(tmp)
            shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _discard(settings: Settings) -> builds.Discard | None:
    """What removing a build must also undo: its collection on a Milvus server (a Lite file goes with it)."""
    if not settings.milvus_uri:
        return None
    from rag.stores.milvus import drop_build_collection

    return functools.partial(drop_build_collection, uri=settings.milvus_uri)


def _existing(settings: Settings) -> Index | None:
    if builds.live_build(settings.index_path) is None:
        return None
    old = load_index(settings.index_path, expected_model=model_name(settings), milvus_uri=settings.milvus_uri)
    old.close()  # its documents and vectors are reused, its store is never searched: free Milvus Lite's lock
    return old


def update_index(
    settings: Settings,
    add: Sequence[Path] = (),
    remove: Sequence[str] = (),
    fresh: bool = False,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Add files to, or remove documents from, the knowledge base (or build it afresh); returns the manifest.

    Only chunks of new or changed documents are embedded. A file whose content is already indexed
    is skipped; a file with the name of an indexed document but new content replaces it.
    """
    with builds.locked(settings.index_path):
        old = None if fresh else _existing(settings)
        docs = list(old.documents) if old else []
        sources = dict(old.sources) if old else {}
        if old:
            old.check_doc_ids(remove)
        by_path = {d.path: d for d in docs}
        new_docs, new_sources = load_documents(add) if add else ([], {})
        known_sha = {d.sha256 for d in docs}
        fresh_docs: list[Document] = []
        for d in new_docs:
            text = new_sources[d.doc_id]
            if d.sha256 in known_sha:
                continue
            replaced = by_path.get(d.path)
            if replaced is not None:
                docs = [x for x in docs if x.doc_id != replaced.doc_id]
                d = _renamed(d, replaced.doc_id)
            else:
                d = _unique_id(d, {x.doc_id for x in docs + fresh_docs})
            known_sha.add(d.sha256)
            fresh_docs.append(d)
            sources[d.doc_id] = text
        docs = [d for d in docs if d.doc_id not in set(remove)] + fresh_docs
        if not docs:
            raise CorpusError("the knowledge base would be empty; `rag build` a document first")
        sources = {d.doc_id: sources[d.doc_id] for d in docs}
        chunks = _chunk_all(settings, docs, sources)
        sentences = chunk_sentences(chunks)
        by_id = {c.id: c for c in chunks}
        sparse = SparseIndex.build(
            [passage_text(c) for c in chunks], plan_terms(sources.values()), cache_dir=settings.cache_path
        )
        wanted = {
            "chunks": [(c.doc_id, passage_text(c)) for c in chunks],
            "sentences": [(by_id[x.chunk_id].doc_id, sentence_text(x, by_id[x.chunk_id])) for x in sentences],
            "words": [("", w) for w in sparse.vocabulary(settings.max_vocabulary)],
        }
        known = _known_vectors(old)
        missing = {kind: [k for k in keys if k not in known] for kind, keys in wanted.items()}
        emb = embedder
        if emb is None and any(missing.values()):
            emb = load_embedder(settings)
        dim = emb.dim if emb is not None else int(old.manifest["model"]["dim"]) if old else 0
        embedded = {kind: len(keys) for kind, keys in missing.items()}
        pooled = 0
        if emb is not None and missing["chunks"] and settings.sentence_vectors == "pooled" and pools_spans(emb):
            got = _embed_pooled(emb, chunks, sentences, missing, progress)
            pooled = sum(k in got for k in set(missing["sentences"]))
            known.update(got)
            missing = {**missing, "chunks": [], "sentences": [k for k in missing["sentences"] if k not in known]}
        for kind, keys in missing.items():
            if keys:
                assert emb is not None
                texts = [t for _, t in keys]
                # Words are compared with question words (query to query), passages with questions.
                vectors = emb.embed_queries(texts) if kind == "words" else _embed(emb, texts, progress, kind)
                known.update(zip(keys, vectors))
        stack = {
            kind: np.array([known[k] for k in keys], np.float32).reshape(len(keys), dim)
            for kind, keys in wanted.items()
        }
        manifest = _write(settings, dim, docs, sources, chunks, stack, sparse)
        # Warnings about the files just read (e.g. no headings: one unit), for the caller to show; not stored.
        warnings = [f"{d.path}: {w}" for d in fresh_docs for w in d.warnings]
        return {**manifest, "embedded": {**embedded, "pooled_sentences": pooled}, "warnings": warnings}


def _known_vectors(old: Index | None) -> dict[tuple[str, str], np.ndarray]:
    """Every vector the live index already holds, keyed by (document, embedded text): reused, not recomputed."""
    known: dict[tuple[str, str], np.ndarray] = {}
    if old is None:
        return known
    for i, c in enumerate(old.chunks):
        known[(c.doc_id, passage_text(c))] = old.chunk_vectors[i]
    chunk_of = {c.id: c for c in old.chunks}
    for x in old.sentences:
        c = chunk_of[x.chunk_id]
        known[(c.doc_id, sentence_text(x, c))] = old.sentence_vectors[x.index]
    for w, v in zip(old.vocabulary, old.vocabulary_vectors):
        known[("", w)] = v
    return known


def _unique_id(doc: Document, taken: set[str]) -> Document:
    doc_id = doc.doc_id
    while doc_id in taken:
        doc_id += "-2"
    return doc if doc_id == doc.doc_id else _renamed(doc, doc_id)


def _renamed(doc: Document, doc_id: str) -> Document:
    sections = tuple(replace(s, doc_id=doc_id) for s in doc.sections)
    return replace(doc, doc_id=doc_id, sections=sections)


def build_index(
    settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Build the knowledge base afresh from settings.corpus; returns the manifest."""
    return update_index(settings, add=settings.corpus, fresh=True, embedder=embedder, progress=progress)
