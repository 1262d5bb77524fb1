"""What every vector store does: ids and normalised vectors in, best ids and cosine scores out.

The contract, shared by every backend so that the retriever never needs to know which one it has:

- ids are int64 chosen by the caller (chunk rows), unique, and never negative (-1 pads results);
- vectors are float32 (n, dim) and L2-normalised, so inner product is cosine;
- search returns (m, k) ids and (m, k) float32 scores, best first, padded with -1 / -inf;
- save() writes plain files only (no pickle) into one folder, and load() reads them back from
  wherever that folder has since been moved.

Backends import their heavy package (faiss, pymilvus) lazily, so choosing one never costs the others.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

import numpy as np

from rag.errors import BUILD_HINT, IndexProblem

# Score given to padding slots: below every real cosine, and plainly not one.
PAD_SCORE = np.float32(-np.inf)


class StoreError(IndexProblem):
    """A vector store problem worded for the user on one line (missing file, wrong dimension, server down)."""


@dataclass(frozen=True)
class StoreOptions:
    """How to build or open a store; only `dim` matters to every backend."""

    dim: int
    hnsw_m: int = 32
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 128
    ivf_nprobe: int = 16
    milvus_uri: str = ""  # empty: a Milvus Lite file "milvus.db" inside the store's folder
    milvus_collection: str = "chunks"


class VectorStore(ABC):
    """One backend. Subclasses implement the abstract methods; the checks below keep them honest."""

    kind: ClassVar[str]

    def __init__(self, options: StoreOptions) -> None:
        if options.dim <= 0:
            raise StoreError(f"vector dimension must be positive, got {options.dim}")
        self.options = options

    @classmethod
    def create(cls, options: StoreOptions, directory: Path) -> Self:
        """A new empty store whose files will live in `directory` (only server-less Milvus needs it now)."""
        return cls(options)

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Store vectors under caller-chosen ids (unique, not already present)."""

    @abstractmethod
    def remove(self, ids: np.ndarray) -> None:
        """Forget these ids; unknown ids are ignored. Removed ids never come back from search."""

    @abstractmethod
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(m, k) int64 ids and (m, k) float32 scores, best first, padded with -1 and -inf."""

    @abstractmethod
    def count(self) -> int:
        """How many live (not removed) vectors the store holds."""

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Write the store's files into `directory` (created if needed)."""

    @classmethod
    @abstractmethod
    def load(cls, directory: Path, options: StoreOptions) -> Self:
        """Open a store saved in `directory`; StoreError when it is missing, damaged or of another dimension."""

    @abstractmethod
    def files(self) -> list[str]:
        """The files the last save() wrote, relative to its directory (for the caller's checksums)."""

    def close(self) -> None:  # noqa: B027 - deliberately a no-op: only client/server backends hold resources
        """Release connections and file locks; the store may not be used afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # Input checks shared by the backends: a wrong shape must fail here, in words, not deep in C++.

    def _check_add(self, ids: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(ids)
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[1] != self.options.dim:
            raise StoreError(
                f"{self.kind} store holds {self.options.dim}-d vectors, got shape {vectors.shape}: "
                f"the embedding model does not match the index ({BUILD_HINT})"
            )
        if ids.ndim != 1 or len(ids) != len(vectors):
            raise StoreError(f"{len(vectors)} vectors need as many ids, got shape {ids.shape}")
        if len(ids) and not np.issubdtype(ids.dtype, np.integer):
            raise StoreError(f"vector ids must be integers, got {ids.dtype}")
        ids = ids.astype(np.int64, copy=False)
        if len(ids) and ids.min() < 0:
            raise StoreError("vector ids must not be negative (-1 marks an empty result)")
        if len(np.unique(ids)) != len(ids):
            raise StoreError("vector ids must be unique")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        # A NaN would silently poison an HNSW graph; cheap to catch here.
        if not np.isfinite(vectors).all():
            raise StoreError("vectors contain NaN or infinity")
        return ids, vectors

    @staticmethod
    def _check_remove(ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids).reshape(-1)
        if len(ids) and not np.issubdtype(ids.dtype, np.integer):
            raise StoreError(f"vector ids must be integers, got {ids.dtype}")
        return np.unique(ids.astype(np.int64, copy=False))

    def _check_queries(self, queries: np.ndarray, k: int) -> np.ndarray:
        queries = np.asarray(queries)
        if queries.ndim == 1:
            queries = queries.reshape(1, -1)
        if queries.ndim != 2 or queries.shape[1] != self.options.dim:
            raise StoreError(
                f"{self.kind} store holds {self.options.dim}-d vectors, got queries of shape {queries.shape}: "
                f"the embedding model does not match the index ({BUILD_HINT})"
            )
        if k < 0:
            raise StoreError(f"k must not be negative, got {k}")
        return np.ascontiguousarray(queries, dtype=np.float32)

    def _duplicates(self, ids: np.ndarray, present: np.ndarray) -> None:
        clash = np.intersect1d(ids, present, assume_unique=True)
        if len(clash):
            raise StoreError(f"{self.kind} store already holds ids {clash[:5].tolist()}: remove them first")


def empty_result(m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """m rows of k padding slots."""
    return np.full((m, k), -1, np.int64), np.full((m, k), PAD_SCORE, np.float32)


def missing(directory: Path, names: list[str], kind: str) -> None:
    """StoreError naming the first file the saved store lacks, or the folder itself."""
    if not directory.is_dir():
        raise StoreError(f"{kind} vector store folder {directory} is missing: {BUILD_HINT}")
    for name in names:
        if not (directory / name).exists():
            raise StoreError(f"{kind} vector store file {directory / name} is missing: {BUILD_HINT}")


def wrong_dim(directory: Path, kind: str, found: int, expected: int) -> StoreError:
    """The one-line error for a store built with another embedding model's dimension."""
    return StoreError(
        f"{kind} vector store at {directory} holds {found}-d vectors but the model gives {expected}-d: {BUILD_HINT}"
    )


def damaged(path: Path, kind: str, why: str = "") -> StoreError:
    """The one-line error for a file that exists but cannot be read."""
    detail = f" ({why})" if why else ""
    return StoreError(f"{kind} vector store file {path} is damaged{detail}: {BUILD_HINT}")
