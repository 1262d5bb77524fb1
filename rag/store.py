"""The index directory: one or more complete builds, and a CURRENT file naming the live one.

A build (manifest.json, documents.json, sources/, chunks.jsonl, sentences.jsonl, vectors .npy, the
vector store's files, BM25) is written into a temp folder, renamed to build-*, and made live by
atomically replacing CURRENT: one rename, so a crash at any instant leaves a whole index. Plain
files only (JSON, JSONL, .npy with allow_pickle=False, FAISS's format, Milvus Lite's db): no pickle.
Loading checks every file against the manifest's checksums; paths never leave the build folder.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np

from rag import jsonl
from rag.builds import read_manifest, sha256_file, verify_files
from rag.errors import BUILD_HINT, IndexProblem, UserError
from rag.sparse import SparseIndex
from rag.stores import StoreOptions, VectorStore
from rag.stores import load as load_store
from rag.types import Chunk, Document, Locator, Paragraph, Section, Sentence

FORMAT = 2
# Indexes loaded and not yet closed, for close_all() at exit (the CLI leaves with os._exit, skipping atexit).
_open: weakref.WeakValueDictionary[int, Index] = weakref.WeakValueDictionary()


def close_all() -> None:
    """Close every index still open (a front end's last step before the process ends)."""
    for index in list(_open.values()):
        index.close()


@dataclass
class Index:
    """Everything a question needs, loaded once."""

    directory: Path
    manifest: dict[str, Any]
    documents: list[Document]
    sources: dict[str, str]
    chunks: list[Chunk]
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    chunk_vectors: np.ndarray
    vectors: VectorStore
    sparse: SparseIndex
    vocabulary: list[str] = field(default_factory=list)  # the corpus's words, for semantic term matching
    vocabulary_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    titles: dict[Locator, str] = field(init=False)
    doc_titles: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.titles = {s.loc: s.title for d in self.documents for s in d.sections}
        self.doc_titles = {d.doc_id: d.title for d in self.documents}
        self._by_id = {d.doc_id: d for d in self.documents}  # a library holds thousands: no scan per lookup
        rows: dict[str, list[int]] = {}
        for i, c in enumerate(self.chunks):
            rows.setdefault(c.doc_id, []).append(i)
        self._rows = {k: np.array(v, np.int64) for k, v in rows.items()}
        self.word_rows = {w: i for i, w in enumerate(self.vocabulary)}
        _open[id(self)] = self

    @functools.cached_property
    def sentence_rows(self) -> dict[str, np.ndarray]:
        """Each chunk's sentences (rows of `sentences` and `sentence_vectors`), by chunk id."""
        rows: dict[str, list[int]] = {}
        for i, s in enumerate(self.sentences):
            rows.setdefault(s.chunk_id, []).append(i)
        return {k: np.array(v, np.int64) for k, v in rows.items()}

    @functools.cached_property
    def section_sentences(self) -> dict[Locator, list[Sentence]]:
        """Each section's sentences in document order, by locator (the generator quotes them, retrieval weighs them)."""
        loc_of = {c.id: c.loc for c in self.chunks}
        out: dict[Locator, list[Sentence]] = {}
        for s in self.sentences:
            out.setdefault(loc_of[s.chunk_id], []).append(s)
        return out

    @property
    def model(self) -> str:
        return str(self.manifest["model"]["name"])

    def close(self) -> None:
        """Release the vector store: a Milvus connection, and Milvus Lite's in-process server and the lock it
        holds on the build folder. Idempotent; a store used again afterwards reconnects by itself."""
        _open.pop(id(self), None)
        self.vectors.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def document(self, doc_id: str | None = None) -> Document:
        """The document with this id (the first, when None); UserError naming the known ids otherwise."""
        if doc_id is None:
            current = [d for d in self.documents if not d.superseded_by]
            return (current or self.documents)[0]
        found = self._by_id.get(doc_id)
        if found is not None:
            return found
        known = ", ".join(d.doc_id for d in self.documents[:20])
        raise UserError(f"no document {doc_id!r} in the index; known: {known}")

    def section_text(self, loc: Locator) -> str:
        """The text of the section at loc ("" when the document has no such section)."""
        section = self.document(loc.doc_id).section(loc)
        return section.text if section is not None else ""

    def check_doc_ids(self, doc_ids: Collection[str]) -> tuple[str, ...]:
        return tuple(self.document(d).doc_id for d in dict.fromkeys(doc_ids))

    def answerable_rows(self, doc_ids: Collection[str] | None = None) -> np.ndarray | None:
        """Chunk rows answers may come from: the named documents, else every current (not superseded) one.

        None means every row (no filter needed).
        """
        if doc_ids:
            keep = list(doc_ids)
        else:
            if not any(d.superseded_by for d in self.documents):
                return None
            keep = [d.doc_id for d in self.documents if not d.superseded_by]
        parts = [self._rows[d] for d in keep if d in self._rows]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def doc_to_json(doc: Document) -> dict[str, Any]:
    return {
        **{k: getattr(doc, k) for k in ("doc_id", "title", "sha256", "date", "source", "approved_by", "path")},
        **{k: getattr(doc, k) for k in ("fmt", "version", "superseded_by")},
        "warnings": list(doc.warnings),
        "sections": [
            {
                "kind": s.kind,
                "path": list(s.path),
                "titles": list(s.titles),
                "paragraphs": [[p.start, p.end, p.heading, p.page, p.role] for p in s.paragraphs],
            }
            for s in doc.sections
        ],
    }


def doc_from_json(d: dict[str, Any], source: str) -> Document:
    sections = tuple(
        Section(
            doc_id=d["doc_id"],
            kind=s["kind"],
            path=tuple(s["path"]),
            titles=tuple(s["titles"]),
            paragraphs=tuple(Paragraph(a, b, source[a:b], h, pg, role) for a, b, h, pg, role in s["paragraphs"]),
        )
        for s in d["sections"]
    )
    meta = {k: v for k, v in d.items() if k not in ("sections", "warnings")}
    return Document(**meta, sections=sections, warnings=tuple(d.get("warnings", ())))


def store_options(manifest: dict[str, Any], milvus_uri: str = "", ef_search: int | None = None) -> StoreOptions:
    opts = manifest["store"]
    return StoreOptions(
        dim=int(manifest["model"]["dim"]),
        hnsw_ef_search=ef_search or int(opts.get("hnsw_ef_search", 128)),
        ivf_nprobe=int(opts.get("ivf_nprobe", 16)),
        milvus_uri=milvus_uri or opts.get("milvus_uri", ""),
    )


def load_index(
    directory: Path, expected_model: str | None = None, milvus_uri: str = "", cache_dir: Path | None = None
) -> Index:
    """Load and verify the live build; any problem is an IndexProblem naming the file and the rebuild command.

    cache_dir (the model cache) lets the lexical tokenizer read jieba's dictionary from a table kept
    there instead of loading it whole: same tokens, a second less to start (rag.lexicon).
    """
    build, manifest = read_manifest(directory, FORMAT)
    if expected_model is not None and manifest["model"]["name"] != expected_model:
        raise IndexProblem(
            f"index at {directory} was built with model {manifest['model']['name']!r}, "
            f"but the configured model is {expected_model!r}: {BUILD_HINT}"
        )
    verify_files(build, manifest)
    try:
        sources = {d["doc_id"]: (build / d["source"]).read_text("utf-8") for d in manifest["corpus"]}
        documents = [
            doc_from_json(d, sources[d["doc_id"]]) for d in json.loads((build / "documents.json").read_text("utf-8"))
        ]
        chunks = [Chunk.from_json(r) for r in jsonl.read(build / "chunks.jsonl")]
        sentences = [Sentence(**r) for r in jsonl.read(build / "sentences.jsonl")]
        sentence_vectors = np.load(build / "sentence_vectors.npy", allow_pickle=False)
        chunk_vectors = np.load(build / "chunk_vectors.npy", allow_pickle=False, mmap_mode="r")
        vectors = load_store(manifest["store"]["kind"], build / "vectors", store_options(manifest, milvus_uri))
        sparse = SparseIndex.load(build / "sparse", cache_dir)
        vocabulary = list(json.loads((build / "vocabulary.json").read_text("utf-8")))
        vocabulary_vectors = np.load(build / "vocabulary_vectors.npy", allow_pickle=False)
    except IndexProblem:
        raise
    except (ValueError, KeyError, TypeError, OSError, RuntimeError, UnicodeDecodeError) as e:
        raise IndexProblem(f"index at {directory} cannot be read ({type(e).__name__}): {BUILD_HINT}") from None
    if vectors.count() != len(chunks) or len(sentence_vectors) != len(sentences) or len(chunk_vectors) != len(chunks):
        raise IndexProblem(f"index at {directory} is inconsistent (vector counts differ): {BUILD_HINT}")
    if len(vocabulary_vectors) != len(vocabulary):
        raise IndexProblem(f"index at {directory} is inconsistent (vocabulary vectors differ): {BUILD_HINT}")
    return Index(
        build,
        manifest,
        documents,
        sources,
        chunks,
        sentences,
        sentence_vectors,
        chunk_vectors,
        vectors,
        sparse,
        list(vocabulary),
        vocabulary_vectors,
    )


__all__ = ["FORMAT", "Index", "close_all", "doc_from_json", "doc_to_json", "load_index", "sha256_file"]
